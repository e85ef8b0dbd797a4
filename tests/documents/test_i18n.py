"""File-type labels, text-extraction reasons and file sizes speak the reader's language."""
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from sozialplanung.documents import extraction
from sozialplanung.documents.filetypes import TYPES, type_label
from sozialplanung.documents.uploads import format_size
from sozialplanung.extensions import db

from ..conftest import login
from ..factories import make_group, make_user
from . import samples
from .conftest import add_document, post_upload

CATALOG = (Path(__file__).resolve().parents[2] / "translations" / "en" / "LC_MESSAGES"
           / "messages.po")


@pytest.fixture(scope="module")
def english():
    with open(CATALOG, "rb") as f:
        return read_po(f, locale="en")


def test_every_type_label_and_extraction_reason_has_an_english_text(app, english):
    with app.test_request_context("/"), force_locale("de"):
        labels = [str(t.label) for t in TYPES.values()]
    for text in labels + sorted(extraction.REASONS):
        message = english.get(text)
        assert message is not None and message.string, text


@pytest.mark.parametrize("locale, expected", [
    ("de", ["PDF", "Word (DOCX)", "OpenDocument-Tabelle (ODS)", "PNG-Bild", "JPEG-Bild"]),
    ("en", ["PDF", "Word (DOCX)", "OpenDocument spreadsheet (ODS)", "PNG image", "JPEG image"]),
])
def test_type_labels_follow_the_locale(app, locale, expected):
    media_types = ["application/pdf", TYPES["docx"].media_type, TYPES["ods"].media_type,
                   "image/png", "image/jpeg"]
    with app.test_request_context("/"), force_locale(locale):
        assert [str(type_label(m)) for m in media_types] == expected
        assert type_label("application/x-unknown") == "application/x-unknown"


@pytest.mark.parametrize("locale, expected", [
    ("de", ["1 Byte", "2 Bytes", "1023 Bytes", "1,5 KB", "1 MB", "2,3 GB"]),
    ("en", ["1 byte", "2 bytes", "1023 bytes", "1.5 KB", "1 MB", "2.3 GB"]),
])
def test_file_sizes_follow_the_locale(app, locale, expected):
    sizes = [1, 2, 1023, 1536, 1024 ** 2, int(2.3 * 1024 ** 3)]
    with app.test_request_context("/"), force_locale(locale):
        assert [format_size(size) for size in sizes] == expected


def _document_with(people, open_group, filename, data, status, error):
    document = add_document(people["member"], open_group, filename=filename, data=data)
    version = document.current_version
    version.extraction_status, version.extraction_error = status, error
    db.session.commit()
    return document


def test_document_page_in_english(client, people, open_group):
    document = _document_with(people, open_group, "Tabelle.ods", samples.ods(), "failed",
                              extraction.UNREADABLE)
    login(client, make_user(locale="en", display_name="Alex Example"))
    response = client.get(f"/dokumente/{document.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "(OpenDocument spreadsheet (ODS), " in html and "OpenDocument-Tabelle" not in html
    assert "(The file is damaged or cannot be read.)" in html and "beschädigt" not in html


def test_document_page_in_german(client, people, open_group):
    document = _document_with(people, open_group, "Karte.png", samples.png(), "timeout",
                              extraction.TIMED_OUT)
    login(client, people["member"])
    html = client.get(f"/dokumente/{document.id}").get_data(as_text=True)
    assert "(PNG-Bild, " in html and "(Zeitlimit überschritten.)" in html


def test_unknown_stored_reason_is_shown_as_it_is_and_escaped(client, people, open_group):
    """Rows written before the reasons were fixed texts keep their (German) text."""
    document = _document_with(people, open_group, "Bericht.pdf", samples.pdf(), "failed",
                              "Prozess nicht gestartet: <b>kaputt</b>")
    login(client, make_user(locale="en"))
    html = client.get(f"/dokumente/{document.id}").get_data(as_text=True)
    assert "(Prozess nicht gestartet: &lt;b&gt;kaputt&lt;/b&gt;)" in html


def test_refusal_reason_in_english_keeps_the_file_name_as_data(client):
    member = make_user(locale="en")
    group = make_group(name="Arbeitskreis Englisch", members=[member])
    login(client, member)
    response = post_upload(client, group, "Tom & Jerry %(reason)s.exe", b"MZ\x90\x00binary")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("“Tom &amp; Jerry %(reason)s.exe”: Programs and scripts are not accepted for "
            "security reasons.") in html


# --- the reasons extraction stores ------------------------------------------------------------

def _run_with(monkeypatch, tmp_path, outcome):
    def fake_run(*_args, **_kwargs):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    monkeypatch.setattr(extraction.subprocess, "run", fake_run)
    path = tmp_path / "datei.txt"
    path.write_bytes(b"Text")
    return extraction.extract_text(path, "txt", timeout=5, max_chars=100, max_input_bytes=1000,
                                   memory_bytes=10 ** 9)


def test_process_that_cannot_start_stores_a_fixed_reason(monkeypatch, tmp_path, caplog):
    result = _run_with(monkeypatch, tmp_path, OSError("/usr/bin/python3: geheim/pfad"))
    assert (result.status, result.error) == ("failed", extraction.NOT_STARTED)
    assert "geheim/pfad" in caplog.text  # the detail is for the operators' log only


def test_killed_child_or_unknown_message_stores_aborted(monkeypatch, tmp_path, caplog):
    killed = subprocess.CompletedProcess([], -9, b"", b"")
    assert _run_with(monkeypatch, tmp_path, killed).error == extraction.ABORTED
    odd = subprocess.CompletedProcess([], extraction.EXIT_FAILED, b"", b"Traceback ...\nBoom\n")
    assert _run_with(monkeypatch, tmp_path, odd).error == extraction.ABORTED
    assert "Boom" in caplog.text


def test_child_reason_is_kept(monkeypatch, tmp_path):
    done = subprocess.CompletedProcess([], extraction.EXIT_FAILED, b"",
                                       (extraction.UNREADABLE + "\n").encode())
    assert _run_with(monkeypatch, tmp_path, done).error == extraction.UNREADABLE
