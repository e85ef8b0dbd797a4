"""The English catalog is complete and compiled, and the locale is chosen per user / browser."""
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from .conftest import login
from .factories import make_user

CATALOG_DIR = Path(__file__).resolve().parents[1] / "translations" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


@pytest.fixture(scope="module")
def po_catalog():
    with open(CATALOG_DIR / "messages.po", "rb") as f:
        return read_po(f, locale="en")


def _strings(message):
    string = message.string
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def test_every_message_is_translated(po_catalog):
    messages = [m for m in po_catalog if m.id]
    assert len(messages) > 800
    untranslated = [m.id for m in messages if not all(s and s.strip() for s in _strings(m))]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == []


def test_placeholders_are_kept(po_catalog):
    wrong = []
    for m in po_catalog:
        if not m.id:
            continue
        source = m.id[0] if isinstance(m.id, tuple) else m.id
        expected = sorted(PLACEHOLDER.findall(source))
        for text in _strings(m):
            # English singulars may drop the number ("Attachment"), but never add a placeholder.
            found = sorted(PLACEHOLDER.findall(text))
            if found != expected and not (isinstance(m.id, tuple) and set(found) <= set(expected)):
                wrong.append((m.id, text))
    assert wrong == []


def test_compiled_catalog_matches_po(po_catalog):
    """The .mo is what runs; it must be compiled from the current .po."""
    with open(CATALOG_DIR / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    for m in po_catalog:
        if m.id:
            assert m.id in compiled, m.id
            assert _strings(compiled[m.id]) == _strings(m), m.id


def test_sign_in_page_in_english_for_english_browser(client):
    response = client.get("/anmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Forgotten your password?" in html
    assert "Anmelden" not in html and "Passwort vergessen" not in html


def test_error_page_in_english(client):
    response = client.get("/gibt-es-nicht", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_user_with_english_locale_sees_dashboard_in_english(client):
    user = make_user(locale="en", display_name="Alex Example")
    login(client, user)
    response = client.get("/")  # no Accept-Language: the profile setting decides
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Hello, Alex Example" in html
    assert "Sign out" in html and "Working groups" in html
    assert "Guten Tag" not in html and "Abmelden" not in html


def test_user_with_german_locale_keeps_german_despite_english_browser(client):
    user = make_user(locale="de", display_name="Kim Beispiel")
    login(client, user)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Guten Tag, Kim Beispiel" in html


def test_default_without_header_stays_german(client):
    response = client.get("/anmelden")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "<h1>Anmelden</h1>" in html
    assert "Sign in" not in html
