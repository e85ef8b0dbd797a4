"""Type detection by content signature and extension together; display-safe filenames."""
import pytest

from sozialplanung.documents.filetypes import RefusedFile, detect_type, sanitize_filename

from . import samples


@pytest.mark.parametrize("filename, make, media_type, _word", samples.ALLOWED,
                         ids=[s[0] for s in samples.ALLOWED])
def test_allowed_types_are_recognised(app, tmp_path, filename, make, media_type, _word):
    path = tmp_path / "upload"
    path.write_bytes(make())
    with app.test_request_context():
        assert detect_type(path, filename).media_type == media_type


@pytest.mark.parametrize("filename, data, phrase", samples.REFUSED,
                         ids=[s[0] for s in samples.REFUSED])
def test_refused_files_get_a_clear_reason(app, tmp_path, filename, data, phrase):
    path = tmp_path / "upload"
    path.write_bytes(data)
    with app.test_request_context(), pytest.raises(RefusedFile) as refused:
        detect_type(path, filename)
    assert phrase in refused.value.message


def test_extension_is_case_insensitive(app, tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(samples.pdf())
    with app.test_request_context():
        assert detect_type(path, "BERICHT.PDF").kind == "pdf"


def test_plain_text_in_windows_encoding_is_text(app, tmp_path):
    path = tmp_path / "upload"
    path.write_bytes("Größe;Maß\nSchmölln;12\n".encode("cp1252"))
    with app.test_request_context():
        assert detect_type(path, "daten.csv").kind == "csv"


@pytest.mark.parametrize("raw, expected", [
    ("Sozialbericht 2025.pdf", "Sozialbericht 2025.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\anna\\Bericht Jena.docx", "Bericht Jena.docx"),
    ("Bevo\u0308lkerung.xlsx", "Bevölkerung.xlsx"),          # NFD -> NFC
    ("rechnung\u202efdp.exe", "rechnungfdp.exe"),            # right-to-left override removed
    ("a<b>c:d\"e|f?g*.txt", "a_b_c_d_e_f_g_.txt"),
    ("zeile\nzwei\ttab.csv", "zeile_zwei_tab.csv"),
    ("  .versteckt.txt  ", "versteckt.txt"),
    ("", "datei"),
    ("...", "datei"),
])
def test_filenames_are_sanitised_for_display(raw, expected):
    assert sanitize_filename(raw) == expected


def test_long_filenames_keep_their_extension():
    name = sanitize_filename("Ä" * 300 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf") and name.startswith("ÄÄÄ")
