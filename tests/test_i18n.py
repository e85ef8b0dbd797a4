"""The English catalog is complete and compiled, and the locale is chosen per user / browser."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, pgettext

import dev

from .conftest import login
from .factories import make_user

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "translations" / "en" / "LC_MESSAGES"
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
        # Babel's read_mo leaves message contexts as bytes.
        compiled = {_key(m.id, m.context.decode() if isinstance(m.context, bytes) else m.context):
                    _strings(m) for m in read_mo(f) if m.id}
    for m in po_catalog:
        if m.id:
            key = _key(m.id, m.context)
            assert key in compiled, key
            assert compiled[key] == _strings(m), key


def _key(message_id, context):
    return context, message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def test_catalog_has_every_message_of_the_code(po_catalog):
    """What pybabel extracts (babel.cfg, the keywords of `dev.py translations`) is all in the
    catalogue, contexts included: new texts need `python3 dev.py translations` and English."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(list(dev.BABEL_KEYWORDS))}
    extracted = {_key(message, context) for _file, _line, message, _comments, context
                 in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords,
                                     directory_filter=_source_dirs_only)}
    assert len(extracted) > 800
    known = {_key(m.id, m.context) for m in po_catalog if m.id}
    assert sorted(extracted - known, key=str) == []


def _source_dirs_only(dirpath):
    return not Path(dirpath).name.startswith((".", "_", "node_modules", "instance",
                                              "test-artifacts"))


# Words with two meanings in German carry a message context, so each meaning has its own
# English text.
AMBIGUOUS = {
    ("log", "Protokoll"): "Log",                               # audit and moderation log
    ("document category", "Protokoll"): "Minutes",             # minutes of a meeting
    ("sign-in", "Anmeldung"): "Sign-in",
    ("event registration", "Anmeldung"): "Registration",
    ("sign-in", "Zur Anmeldung"): "Go to sign-in",
    ("event registration", "Zur Anmeldung"): "Register here",
    ("event registration", "Anmeldung: %(url)s"): "Registration: %(url)s",
    ("event registration", "Link zur Anmeldung (optional)"): "Registration link (optional)",
}


def test_ambiguous_words_are_translated_per_context(po_catalog):
    for (context, msgid), english in AMBIGUOUS.items():
        message = po_catalog.get(msgid, context=context)
        assert message is not None and message.string == english, (context, msgid)
    for msgid in ("Protokoll", "Anmeldung", "Zur Anmeldung"):
        assert po_catalog.get(msgid) is None, f"{msgid!r} without a context is ambiguous"


@pytest.mark.parametrize("locale, expected", [
    ("en", ["Log", "Minutes", "Sign-in", "Registration", "Go to sign-in", "Register here",
            "Registration: https://x.example", "Registration link (optional)"]),
    ("de", ["Protokoll", "Protokoll", "Anmeldung", "Anmeldung", "Zur Anmeldung",
            "Zur Anmeldung", "Anmeldung: https://x.example", "Link zur Anmeldung (optional)"]),
])
def test_each_meaning_reads_right_where_it_is_used(app, locale, expected):
    from sozialplanung.admin.audit import action_label
    from sozialplanung.announcements.forms import AnnouncementForm
    from sozialplanung.documents.models import CATEGORY_LABELS, Category

    template = ('{{ pgettext("log", "Protokoll") }}|{{ pgettext("sign-in", "Zur Anmeldung") }}|'
                '{{ pgettext("event registration", "Zur Anmeldung") }}')
    with app.test_request_context("/"), force_locale(locale):
        form = AnnouncementForm(meta={"csrf": False})
        log, sign_in_link, register_link = render_template_string(template).split("|")
        got = [log, str(CATEGORY_LABELS[Category.PROTOKOLL]), action_label("login"),
               pgettext("event registration", "Anmeldung"), sign_in_link, register_link,
               pgettext("event registration", "Anmeldung: %(url)s", url="https://x.example"),
               str(form.registration_url.label.text)]
    assert got == expected


def test_admin_sees_the_log_and_sign_ins_in_english(client):
    admin = make_user(role="admin", locale="en")
    login(client, admin)
    html = client.get("/verwaltung/protokoll").get_data(as_text=True)
    assert "<h1>Log</h1>" in html and ">Log</a>" in html
    assert "Sign-in" in html  # the admin's own sign-in, listed in the log
    assert "Protokoll" not in html and "Minutes" not in html
    moderation = client.get("/moderation/protokoll").get_data(as_text=True)
    assert ">Log</a>" in moderation


def test_document_category_minutes_in_english(client):
    login(client, make_user(locale="en"))
    html = client.get("/dokumente/").get_data(as_text=True)
    assert ">Minutes</option>" in html and ">Log<" not in html


def test_link_to_sign_in_is_not_a_registration(client):
    response = client.get("/passwort-zuruecksetzen/gibt-es-nicht",
                          headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert ">Go to sign-in</a>" in html and "Register here" not in html
    assert 'aria-label="Sign-in"' in html  # the visitor's navigation


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
