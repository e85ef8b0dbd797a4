"""Which files the libraries accept: type detection by content signature and extension together,
and display-safe original filenames."""
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..text import without_invisible

SNIFF_BYTES = 64 * 1024
MAX_ZIP_ENTRIES = 20_000
FILENAME_MAX = 200


@dataclass(frozen=True)
class FileType:
    kind: str
    media_type: str
    label: str
    extensions: tuple[str, ...]


# Labels are lazy: they are shown next to each download, in the reader's language.
_TYPES = [
    FileType("pdf", "application/pdf", _l("PDF"), (".pdf",)),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             _l("Word (DOCX)"), (".docx",)),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             _l("Excel (XLSX)"), (".xlsx",)),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             _l("PowerPoint (PPTX)"), (".pptx",)),
    FileType("odt", "application/vnd.oasis.opendocument.text", _l("OpenDocument-Text (ODT)"),
             (".odt",)),
    FileType("ods", "application/vnd.oasis.opendocument.spreadsheet",
             _l("OpenDocument-Tabelle (ODS)"), (".ods",)),
    FileType("odp", "application/vnd.oasis.opendocument.presentation",
             _l("OpenDocument-Präsentation (ODP)"), (".odp",)),
    FileType("csv", "text/csv", _l("CSV"), (".csv",)),
    FileType("txt", "text/plain", _l("Text (TXT)"), (".txt",)),
    FileType("png", "image/png", _l("PNG-Bild"), (".png",)),
    FileType("jpeg", "image/jpeg", _l("JPEG-Bild"), (".jpg", ".jpeg")),
]
TYPES = {t.kind: t for t in _TYPES}
BY_EXTENSION = {ext: t for t in _TYPES for ext in t.extensions}
BY_MEDIA_TYPE = {t.media_type: t for t in _TYPES}
ACCEPT_ATTRIBUTE = ",".join(ext for t in _TYPES for ext in t.extensions)
ALLOWED_SUMMARY = "PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, CSV, TXT, PNG, JPEG"

ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
                    "ppt/presentation.xml": "pptx"}
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
                         b"\xce\xfa\xed\xfe", b"#!")
# What browsers sniff as HTML or SVG, and markup that runs code wherever it appears.
MARKUP = re.compile(rb"<\s*(?:(?:!doctype|html|head|body|script|svg|iframe|object|embed|"
                    rb"frameset|xsl|meta|link|style|math)\b|\?xml|img\s[^>]*\bon\w+\s*=)",
                    re.IGNORECASE)
# Invisible characters that disguise names ("rechnung\u202efdp.exe" shows as "rechnungexe.pdf").
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


class RefusedFile(Exception):
    """The file is not accepted; `message` says why, in German, for the member."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def type_label(media_type):
    found = BY_MEDIA_TYPE.get(media_type)
    return found.label if found else media_type


def sanitize_filename(name):
    """The original name for display and downloads: no path parts, no control or invisible
    characters, Unicode-normalised (NFC), at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = without_invisible(name)
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = stem[:FILENAME_MAX - len(ext) - 1].rstrip(" .") + ("." + ext if ext else "")
    return name or "datei"


def extension_of(filename):
    return PurePosixPath(filename.lower()).suffix


def detect_type(path, filename):
    """The accepted FileType of the file at `path`, or RefusedFile: the content's signature
    must be an allowed type and agree with the filename's extension."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise RefusedFile(_("Die Datei ist leer."))
    ext = extension_of(filename)
    detected = _sniff(path, head)
    if detected in ("html", "executable"):
        raise RefusedFile(_refusal(detected))
    expected = BY_EXTENSION.get(ext)
    if expected is None:
        raise RefusedFile(_("Dateien mit der Endung „%(ext)s“ werden nicht angenommen. Erlaubt "
                            "sind: %(allowed)s.", ext=ext or _("(keine)"),
                            allowed=ALLOWED_SUMMARY))
    if detected == "text" and expected.kind in ("csv", "txt"):
        return expected
    if detected == "macro":
        raise RefusedFile(_("Office-Dateien mit Makros werden aus Sicherheitsgründen nicht "
                            "angenommen. Bitte speichern Sie die Datei ohne Makros."))
    if detected != expected.kind:
        raise RefusedFile(_("Der Inhalt der Datei passt nicht zur Endung „%(ext)s“. Bitte prüfen "
                            "Sie, ob die Datei beschädigt oder falsch benannt ist.", ext=ext))
    return expected


def _refusal(detected):
    if detected == "html":
        return _("Die Datei enthält HTML-, SVG- oder Skript-Code und wird aus Sicherheitsgründen "
                 "nicht angenommen.")
    return _("Programme und Skripte werden aus Sicherheitsgründen nicht angenommen.")


def _sniff(path, head):
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if head.startswith(EXECUTABLE_SIGNATURES):
        return "executable"
    if _looks_like_text(head):
        return "html" if MARKUP.search(head) else "text"
    return "unknown"


def _sniff_zip(path):
    """OpenDocument names its type in a first member "mimetype"; Office Open XML has
    [Content_Types].xml and a main part per application."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return "unknown"
            names = {info.filename for info in infos}
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    return ODF_MIMETYPES.get(member.read(100).strip(), "unknown")
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    return "macro"
                for part, kind in OOXML_MAIN_PARTS.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return "unknown"
    return "unknown"


def _looks_like_text(head):
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > len(head) // 100:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sample is still UTF-8.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True
