"""Impressum, Datenschutz and Barrierefreiheit: public, in every footer, edited only by admins."""
import re

import pytest
from flask import url_for
from sqlalchemy import select

from sozialplanung.extensions import db
from sozialplanung.pages.models import SitePage

from ..conftest import login
from ..factories import make_user

LEGAL = [("/impressum", "Impressum"), ("/datenschutz", "Datenschutz"),
         ("/barrierefreiheit", "Barrierefreiheit")]
FOOTER_LINKS = ['href="/impressum">Impressum</a>',
                'href="/datenschutz">Datenschutzerklärung</a>',
                'href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a>']


def page(slug):
    db.session.expire_all()
    return db.session.scalar(select(SitePage).where(SitePage.slug == slug))


def footer(html):
    assert '<footer class="site-footer">' in html
    return html.split('<footer class="site-footer">', 1)[1]


@pytest.mark.parametrize("path, word", LEGAL)
def test_legal_pages_are_public(client, path, word):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert word in html
    assert "Stand:" in html
    assert "Seite bearbeiten" not in html


@pytest.mark.parametrize("path, word", LEGAL)
def test_legal_pages_stay_readable_after_suspension(app, client, path, word):
    """A member whose account was just suspended still reads the legal pages."""
    user = make_user()
    login(client, user)
    user.status = "suspended"
    db.session.commit()
    assert client.get(path).status_code == 200


def get_routes(app):
    """Every GET page without a required id, plus a few with one."""
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
                paths.append(url_for(rule.endpoint))
    return sorted(set(paths))


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
def test_every_page_links_the_legal_pages_in_its_footer(app, client, who):
    if who != "anonymous":
        user = make_user(role=who)
        login(client, user)
    paths = get_routes(app) + [path for path, _ in LEGAL] + ["/gibt-es-nicht"]
    if who == "admin":
        paths += [f"/verwaltung/mitglieder/{user.id}", "/verwaltung/seiten/impressum"]
    checked = 0
    for path in paths:
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code in (301, 302):
            continue
        html = footer(response.get_data(as_text=True))
        for link in FOOTER_LINKS:
            assert link in html, path
        checked += 1
    assert checked >= 5


def test_admin_edits_page(client):
    admin = make_user(role="admin")
    login(client, admin)
    form = client.get("/verwaltung/seiten/impressum").get_data(as_text=True)
    assert "Rechtstext bearbeiten" in form
    response = client.post("/verwaltung/seiten/impressum", data={
        "title": "Impressum des Instituts",
        "body": "## Anschrift\n\nInstitut für Sozialplanung\n\n**Vertreten durch** die Leitung\n\n"
                "- [Kontakt](mailto:info@institut.example)\n- [Website](https://institut.example)"})
    assert response.status_code == 302 and response.headers["Location"] == "/impressum"
    html = client.get("/impressum").get_data(as_text=True)
    assert "Die Seite wurde gespeichert." in html
    assert "<h1>Impressum des Instituts</h1>" in html
    assert "<h3>Anschrift</h3>" in html and "<strong>Vertreten durch</strong>" in html
    assert 'href="mailto:info@institut.example"' in html
    assert 'href="https://institut.example"' in html
    assert "Seite bearbeiten" in html
    assert page("impressum").updated_by_id == admin.id
    # Visitors see the new text too.
    client.post("/abmelden")
    assert "Impressum des Instituts" in client.get("/impressum").get_data(as_text=True)


SCRIPTS = (
    "<script>alert('x')</script>\n\n"
    "[Klick](javascript:alert(1))\n\n"
    "[Klick2](JaVaScRiPt:alert(2))\n\n"
    "<img src=x onerror=alert(3)>\n\n"
    "![Bild](x\" onerror=\"alert(4))\n\n"
    "<a href=\"javascript:alert(5)\">a</a>\n\n"
    "<iframe src=\"https://evil.example\"></iframe>\n\n"
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    "<svg onload=alert(6)>"
)


def test_markdown_is_sanitised(client):
    login(client, make_user(role="admin"))
    client.post("/verwaltung/seiten/datenschutz", data={"title": "Datenschutz", "body": SCRIPTS})
    html = client.get("/datenschutz").get_data(as_text=True)
    article = html.split('<article class="prose">', 1)[1].split("</article>", 1)[0]
    assert "<script" not in article.lower()
    assert "<iframe" not in article.lower() and "<svg" not in article.lower()
    assert "<img" not in article.lower()
    assert not re.search(r"<[^>]*\bon[a-z]+\s*=", article, re.I)
    assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data):""", article, re.I)
    # What was typed is still visible as text, so nothing silently disappears.
    assert "&lt;script&gt;" in article
    stored = page("datenschutz")
    assert stored.body_source == SCRIPTS


def test_script_in_title_is_escaped(client):
    login(client, make_user(role="admin"))
    client.post("/verwaltung/seiten/impressum",
                data={"title": "<script>alert(1)</script>", "body": "Text"})
    html = client.get("/impressum").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_invalid_title_refused(client, title):
    login(client, make_user(role="admin"))
    before = page("impressum").title
    response = client.post("/verwaltung/seiten/impressum", data={"title": title, "body": "Neu"})
    assert response.status_code == 200
    assert "Bitte korrigieren Sie die markierten Angaben." in response.get_data(as_text=True)
    assert page("impressum").title == before


@pytest.mark.parametrize("role", ["member", "moderator", "editor"])
def test_non_admins_cannot_edit(client, role):
    login(client, make_user(role=role))
    before = (page("impressum").title, page("impressum").body_source)
    assert "Seite bearbeiten" not in client.get("/impressum").get_data(as_text=True)
    assert client.get("/verwaltung/seiten/impressum").status_code == 403
    response = client.post("/verwaltung/seiten/impressum", data={"title": "X", "body": "Y"})
    assert response.status_code == 403
    assert "Keine Berechtigung" in response.get_data(as_text=True)
    assert (page("impressum").title, page("impressum").body_source) == before


def test_anonymous_cannot_edit(client):
    before = page("impressum").title
    response = client.post("/verwaltung/seiten/impressum", data={"title": "X", "body": "Y"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
    assert page("impressum").title == before


def test_only_the_three_legal_pages_exist(client):
    login(client, make_user(role="admin"))
    assert client.get("/verwaltung/seiten/agb").status_code == 404
    response = client.post("/verwaltung/seiten/agb", data={"title": "AGB", "body": "x"})
    assert response.status_code == 404
    assert client.get("/agb").status_code == 404
