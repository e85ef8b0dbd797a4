"""New versions of one document uploaded at the same moment: each gets its own number."""
import io

from sqlalchemy import select

from sozialplanung.documents.models import Document, DocumentVersion
from sozialplanung.extensions import db

from ..factories import make_group, make_user
from ..forum.support import signed_in
from ..forum.test_concurrent_posts import _assert_redirects, _at_once, shared_app  # noqa: F401
from . import samples
from .conftest import add_document

PARALLEL = 4


def test_simultaneous_new_versions_get_consecutive_numbers(shared_app, tmp_path):  # noqa: F811
    shared_app.config.update(DOCUMENT_STORAGE="local", DOCUMENT_EXTRACT_TEXT=False,
                             DOCUMENT_STORAGE_PATH=str(tmp_path / "documents"))
    uploader = make_user(display_name="Anna Meier")
    group = make_group(name="Arbeitskreis Versionen", members=[uploader])
    with shared_app.test_request_context():
        document = add_document(uploader, group, data=samples.pdf("Erste Fassung"))
    browsers = [signed_in(shared_app, uploader) for _ in range(PARALLEL)]
    _assert_redirects(_at_once([
        (browser, f"/dokumente/{document.id}/neue-version",
         {"file": (io.BytesIO(samples.pdf(f"Fassung {i}")), f"fassung-{i}.pdf"),
          "change_note": f"Fassung {i}"})
        for i, browser in enumerate(browsers)]))
    db.session.expire_all()
    numbers = db.session.scalars(select(DocumentVersion.number).where(
        DocumentVersion.document_id == document.id).order_by(DocumentVersion.number)).all()
    assert numbers == list(range(1, PARALLEL + 2))
    assert db.session.get(Document, document.id).version_count == PARALLEL + 1
