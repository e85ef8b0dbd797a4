"""Text extraction for search from PDF, DOCX, XLSX, PPTX, ODT/ODS/ODP, CSV and TXT.

The app calls extract_text(); it runs this very file as a child process with a time limit,
a memory limit and caps on what is read and returned, so a hostile or broken file can at most
fail its own extraction. The child part uses only the standard library, pypdf and defusedxml
(it is run by path, without importing the app).
"""
import logging
import os
import re
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass

OK, EMPTY, SKIPPED, FAILED, TIMEOUT = "ok", "empty", "skipped", "failed", "timeout"
TEXT_KINDS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "csv", "txt")
EXIT_FAILED = 3
# Uncompressed XML read from one office file at most (zip bombs stop here).
XML_BUDGET = 200 * 1024 * 1024
MAX_PDF_PAGES = 5000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

log = logging.getLogger(__name__)


def N_(message):
    """Marks a message for the catalogue without translating it (N_ is one of pybabel's default
    keywords). This file runs without the app, so the reasons below are stored in German with
    the version and translated where they are shown (DocumentVersion.extraction_error_text)."""
    return message


TOO_LARGE = N_("Datei zu groß für die Volltextsuche.")
TIMED_OUT = N_("Zeitlimit überschritten.")
NOT_STARTED = N_("Die Textextraktion konnte nicht gestartet werden.")
ABORTED = N_("Die Textextraktion wurde abgebrochen.")
DISABLED = N_("Textextraktion abgeschaltet.")
ENCRYPTED = N_("Die PDF-Datei ist verschlüsselt.")
NO_MEMORY = N_("Zu wenig Speicher für die Textextraktion.")
UNREADABLE = N_("Die Datei ist beschädigt oder kann nicht gelesen werden.")
REASONS = frozenset({TOO_LARGE, TIMED_OUT, NOT_STARTED, ABORTED, DISABLED, ENCRYPTED, NO_MEMORY,
                     UNREADABLE})


@dataclass
class Extraction:
    status: str
    text: str = ""
    error: str = ""


# --- parent side: called by the services ---------------------------------------------------

def extract_text(path, kind, *, timeout, max_chars, max_input_bytes, memory_bytes, python=None):
    """Run the extraction of one file in a child process; never raises for a bad file.
    `python`: the interpreter with pypdf and defusedxml (default: the one running the app)."""
    if kind not in TEXT_KINDS:
        return Extraction(SKIPPED)
    if os.path.getsize(path) > max_input_bytes:
        return Extraction(SKIPPED, error=TOO_LARGE)
    command = [python or sys.executable, "-I", os.path.abspath(__file__), kind, os.fspath(path),
               str(max_chars), str(memory_bytes), str(int(timeout) + 1)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env={"LC_ALL": "C.UTF-8"}, check=False)
    except subprocess.TimeoutExpired:
        return Extraction(TIMEOUT, error=TIMED_OUT)
    except OSError:
        log.exception("Text extraction process for %s could not be started", kind)
        return Extraction(FAILED, error=NOT_STARTED)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if done.returncode == EXIT_FAILED and lines else ""
        if reason not in REASONS:
            # Killed by a limit, or an unexpected message: members get the plain reason, the
            # details go to the log.
            log.warning("Text extraction of a %s file stopped (exit %s): %s", kind,
                        done.returncode, "\n".join(lines[-3:])[:500])
            reason = ABORTED
        return Extraction(FAILED, error=reason)
    text = clean_text(done.stdout.decode("utf-8", "replace"))[:max_chars]
    return Extraction(OK if text else EMPTY, text=text)


def clean_text(text):
    """No NUL characters (PostgreSQL text can't hold them) and no runs of blank space."""
    text = text.replace("\x00", " ")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


# --- child side ----------------------------------------------------------------------------

class _Full(Exception):
    """Enough text collected."""


class _Collector:
    def __init__(self, max_chars):
        self.max_chars = max_chars
        self.parts = []
        self.count = 0

    def add(self, text):
        if not text:
            return
        self.parts.append(text)
        self.count += len(text) + 1
        if self.count >= self.max_chars:
            raise _Full()

    def text(self):
        return "\n".join(self.parts)


class _CappedReader:
    """A file-like view of a zip member that stops at a shared byte budget."""

    def __init__(self, stream, budget):
        self.stream = stream
        self.budget = budget

    def read(self, size=-1):
        if self.budget[0] <= 0:
            return b""
        size = self.budget[0] if size is None or size < 0 else min(size, self.budget[0])
        data = self.stream.read(size)
        self.budget[0] -= len(data)
        return data


def _xml_paragraphs(archive, member, paragraph_tags, out, budget):
    """Add the text of each paragraph element of one XML member (DTDs and entities refused)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml.ElementTree import iterparse

    with archive.open(member) as raw:
        try:
            for _event, element in iterparse(_CappedReader(raw, budget), events=("end",),
                                             forbid_dtd=True):
                if element.tag in paragraph_tags:
                    out.add("".join(element.itertext()).strip())
                    element.clear()
        except ParseError:
            # Cut off by the byte budget: keep what was read. Otherwise the file is broken.
            if budget[0] > 0:
                raise


def _numbered(names, pattern):
    found = [(int(m.group(1)), name) for name in names if (m := re.fullmatch(pattern, name))]
    return [name for _n, name in sorted(found)]


def _office(path, kind, out):
    budget = [XML_BUDGET]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if kind == "docx":
            members, tags = ["word/document.xml"], {W + "p"}
        elif kind == "xlsx":
            members = [n for n in ("xl/workbook.xml", "xl/sharedStrings.xml") if n in names]
            tags = {S + "si", S + "sheet"}
        elif kind == "pptx":
            members, tags = _numbered(names, r"ppt/slides/slide(\d+)\.xml"), {A + "p"}
        else:
            members, tags = ["content.xml"], {ODF_TEXT + "p", ODF_TEXT + "h"}
        for member in members:
            if kind == "xlsx" and member == "xl/workbook.xml":
                _sheet_names(archive, member, out, budget)
                continue
            _xml_paragraphs(archive, member, tags, out, budget)


def _sheet_names(archive, member, out, budget):
    from defusedxml.ElementTree import iterparse

    with archive.open(member) as raw:
        for _event, element in iterparse(_CappedReader(raw, budget), events=("end",),
                                         forbid_dtd=True):
            if element.tag == S + "sheet":
                out.add(element.get("name", ""))


def _pdf(path, out):
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _Refused(ENCRYPTED)
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            break
        out.add(page.extract_text() or "")


def _plain(path, out):
    with open(path, "rb") as fh:
        raw = fh.read(out.max_chars * 4)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
    out.add(text)


class _Refused(Exception):
    """A reason the member should read: one of REASONS."""


def _limit_resources(memory_bytes, cpu_seconds):
    import resource

    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds),
                         (resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def _run_child(argv):
    kind, path, max_chars, memory_bytes, cpu_seconds = argv
    _limit_resources(int(memory_bytes), int(cpu_seconds))
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    out = _Collector(int(max_chars))
    try:
        if kind == "pdf":
            _pdf(path, out)
        elif kind in ("csv", "txt"):
            _plain(path, out)
        else:
            _office(path, kind, out)
    except _Full:
        pass
    except _Refused as exc:
        return _fail(str(exc))
    except MemoryError:
        return _fail(NO_MEMORY)
    except Exception:  # noqa: BLE001 - any parser error means: this file has no usable text
        return _fail(UNREADABLE)
    sys.stdout.buffer.write(out.text()[:out.max_chars].encode("utf-8", "replace"))
    return 0


def _fail(message):
    sys.stderr.write(message + "\n")
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(_run_child(sys.argv[1:]))
