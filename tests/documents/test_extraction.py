"""Text extraction is bounded in time and size; a broken or hostile file fails alone."""
import io
import time
import zipfile

import pytest

from sozialplanung.documents import extraction
from sozialplanung.documents.extraction import extract_text

from . import samples
from .conftest import add_document

LIMITS = {"timeout": 15, "max_chars": 10_000, "max_input_bytes": 50 * 1024 * 1024,
          "memory_bytes": 768 * 1024 * 1024}


def run(tmp_path, data, kind, **limits):
    path = tmp_path / "datei"
    path.write_bytes(data)
    return extract_text(path, kind, **{**LIMITS, **limits})


@pytest.mark.parametrize("filename, make, _type, word", [s for s in samples.ALLOWED if s[3]],
                         ids=[s[0] for s in samples.ALLOWED if s[3]])
def test_text_of_every_text_type(tmp_path, filename, make, _type, word):
    kind = filename.rsplit(".", 1)[1]
    result = run(tmp_path, make(), kind)
    assert result.status == "ok" and word in result.text, result


def test_output_is_capped(tmp_path):
    result = run(tmp_path, ("Wort " * 100_000).encode(), "txt", max_chars=1000)
    assert result.status == "ok" and len(result.text) <= 1000


def test_broken_pdf_fails_without_raising(tmp_path):
    result = run(tmp_path, b"%PDF-1.4\n1 0 obj << /Kids [ 2 0 R >> \n" + b"\xff" * 500, "pdf")
    assert result.status in ("failed", "empty")


def test_encrypted_pdf_is_reported(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf())))
    writer.encrypt(user_password="geheim", owner_password="geheimer")
    out = io.BytesIO()
    writer.write(out)
    result = run(tmp_path, out.getvalue(), "pdf")
    assert result.status == "failed" and "verschlüsselt" in result.error


def test_timeout_ends_the_child_process(tmp_path):
    started = time.monotonic()
    result = run(tmp_path, samples.pdf(pages=50), "pdf", timeout=0.01)
    assert result.status == "timeout" and time.monotonic() - started < 5


def test_xml_entity_bombs_are_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    data = samples.docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, bomb if item.filename == "word/document.xml" else src.read(item))
    result = run(tmp_path, out.getvalue(), "docx")
    assert result.status == "failed"


def test_zip_bomb_stops_at_the_output_cap(tmp_path):
    """A document.xml that inflates to 300 MB: reading stops once enough text is collected."""
    paragraph = "<w:p><w:r><w:t>" + "a" * 1000 + "</w:t></w:r></w:p>"
    head = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head.encode())
            block = (paragraph * 1000).encode()
            for _ in range(300):
                member.write(block)
    assert len(out.getvalue()) < 5 * 1024 * 1024
    started = time.monotonic()
    result = run(tmp_path, out.getvalue(), "docx", max_chars=5000)
    assert result.status == "ok" and len(result.text) <= 5000
    assert time.monotonic() - started < 10


def test_images_and_oversized_files_are_skipped(tmp_path):
    assert run(tmp_path, samples.png(), "png").status == "skipped"
    result = run(tmp_path, samples.txt(), "txt", max_input_bytes=10)
    assert result.status == "skipped"


def test_nul_characters_never_reach_the_database():
    assert "\x00" not in extraction.clean_text("a\x00b")


def test_failed_extraction_is_recorded_and_the_upload_kept(with_extraction, app, people,
                                                           open_group):
    app.config["DOCUMENT_EXTRACT_TIMEOUT"] = 0.01
    document = add_document(people["member"], open_group, data=samples.pdf())
    version = document.current_version
    assert version.extraction_status == "timeout" and version.extracted_text == ""


def test_the_child_runs_without_the_app(tmp_path):
    """The extraction script is started by path: it must not import the app package."""
    source = open(extraction.__file__, encoding="utf-8").read()
    assert "from ." not in source and "import sozialplanung" not in source
