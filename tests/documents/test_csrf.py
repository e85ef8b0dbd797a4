"""Every state-changing document route refuses a POST without a CSRF token."""
import io

import pytest
from flask import url_for

from sozialplanung.documents.attachments import AttachmentInput, add_attachments
from sozialplanung.forum import services as forum

from ..conftest import login
from . import samples
from .conftest import FakeUpload, add_document, counts, fresh_g

POST_ROUTES = ["documents.upload", "documents.new_version", "documents.edit_document",
               "documents.delete_document", "documents.post_attachments",
               "documents.remove_attachment"]


def test_all_document_post_routes_are_listed(app):
    posts = {r.endpoint for r in app.url_map.iter_rules()
             if r.endpoint.startswith("documents.") and "POST" in r.methods}
    assert posts == set(POST_ROUTES)


@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_post_without_token_is_refused(app, csrf_client, people, open_group, endpoint):
    with app.test_request_context():
        fresh_g()
        document = add_document(people["member"], open_group)
        post = forum.start_thread(people["member"], open_group, "Thema", "Text")
        add_attachments(people["member"], post, AttachmentInput([FakeUpload("a.txt",
                                                                            samples.txt())]))
        before = counts()
        args = {"slug": open_group.slug, "document_id": document.id, "post_id": post.id,
                "attachment_id": 1}
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
    app.config["WTF_CSRF_ENABLED"] = False      # sign in without a token, then switch it on
    login(csrf_client, people["member"])
    app.config["WTF_CSRF_ENABLED"] = True
    response = csrf_client.post(url, data={"file": (io.BytesIO(samples.pdf()), "a.pdf"),
                                           "title": "x", "category": "bericht"},
                                content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Sicherheits-Token" in response.get_data(as_text=True)
    assert counts() == before
