"""Small real files of every accepted type (and some refused ones), made in memory."""
import base64
import io
import struct
import zipfile
import zlib

WORD = "Sozialstrukturatlas"  # every text sample contains this word


def pdf(text=f"{WORD} Jena 2025", pages=1):
    """A valid PDF with one line of text per page (offsets and xref computed)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    font_number = 3 + 2 * pages
    for i in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text} Seite {i + 1}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Contents {4 + 2 * i} 0 R /Resources << /Font << /F1 {font_number} 0 R "
                       f">> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def _zip(members, first=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CT = '<?xml version="1.0" encoding="UTF-8"?>' \
     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' \
     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.' \
     'relationships+xml"/>' \
     '<Default Extension="xml" ContentType="application/xml"/>{}</Types>'
RELS = '<?xml version="1.0" encoding="UTF-8"?>' \
       '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' \
       '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/' \
       'relationships/officeDocument" Target="{}"/></Relationships>'


def docx(text=f"{WORD} Weimarer Land", extra=None):
    body = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p><w:p><w:r><w:t>Zweiter Absatz</w:t></w:r>'
            '</w:p></w:body></w:document>')
    members = {"[Content_Types].xml": CT.format(
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'),
        "_rels/.rels": RELS.format("word/document.xml"), "word/document.xml": body}
    members.update(extra or {})
    return _zip(members)


def xlsx(text=f"{WORD} Altersstruktur"):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return _zip({
        "[Content_Types].xml": CT.format(
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'),
        "_rels/.rels": RELS.format("xl/workbook.xml"),
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns}><sheets>'
                           '<sheet name="Bevölkerung" sheetId="1"/></sheets></workbook>',
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {ns}><si><t>{text}</t></si>'
                                '<si><t>Saalfeld-Rudolstadt</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {ns}><sheetData>'
                                    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                                    '</sheetData></worksheet>'})


def pptx(text=f"{WORD} Präsentation"):
    ns = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' \
         'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    slide = ('<?xml version="1.0"?><p:sld {ns}><p:cSld><p:spTree><p:sp><p:txBody>'
             '<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld>'
             '</p:sld>')
    return _zip({
        "[Content_Types].xml": CT.format(
            '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.presentationml.presentation.main+xml"/>'),
        "_rels/.rels": RELS.format("ppt/presentation.xml"),
        "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation {ns}/>',
        "ppt/slides/slide1.xml": slide.format(ns=ns, text=text),
        "ppt/slides/slide2.xml": slide.format(ns=ns, text="Folie zwei")})


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"')


def _odf(kind, body):
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    manifest = ('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                f'manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path='
                '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    content = (f'<?xml version="1.0"?><office:document-content {ODF_NS}><office:body>{body}'
               '</office:body></office:document-content>')
    return _zip({"META-INF/manifest.xml": manifest, "content.xml": content},
                first=("mimetype", mimetype))


def odt(text=f"{WORD} Protokoll"):
    return _odf("text", f"<office:text><text:h>Überschrift</text:h><text:p>{text}</text:p>"
                        "</office:text>")


def ods(text=f"{WORD} Tabelle"):
    return _odf("spreadsheet", '<office:spreadsheet><table:table table:name="Daten">'
                               f'<table:table-row><table:table-cell><text:p>{text}</text:p>'
                               '</table:table-cell></table:table-row></table:table>'
                               '</office:spreadsheet>')


def odp(text=f"{WORD} Folien"):
    return _odf("presentation", '<office:presentation><draw:page><draw:frame><draw:text-box>'
                                f'<text:p>{text}</text:p></draw:text-box></draw:frame>'
                                '</draw:page></office:presentation>')


def csv(text=WORD):
    return f"Landkreis;Einwohner;Thema\nGotha;135000;{text}\nJena;110000;Pflege\n".encode("utf-8")


def txt(text=f"{WORD} – Notizen zur Sitzung"):
    return f"{text}\nÄnderungen für Schmölln.\n".encode("utf-8")


def png():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"\x00\x14\x50\x6e" * 1
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2P/wAARCAACAAIDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL"
    "/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJico"
    "KSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKz"
    "tLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAEC"
    "AwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYk"
    "NOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJma"
    "oqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDn"
    "6KKK7DgP/9k=")


def jpeg():
    return JPEG


# (filename, bytes, media type, word the extracted text contains or None)
ALLOWED = [
    ("Sozialbericht 2025.pdf", pdf, "application/pdf", WORD),
    ("Protokoll Sitzung.docx", docx,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", WORD),
    ("Bevölkerung.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     WORD),
    ("Vortrag.pptx", pptx,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", WORD),
    ("Protokoll.odt", odt, "application/vnd.oasis.opendocument.text", WORD),
    ("Tabelle.ods", ods, "application/vnd.oasis.opendocument.spreadsheet", WORD),
    ("Folien.odp", odp, "application/vnd.oasis.opendocument.presentation", WORD),
    ("Daten.csv", csv, "text/csv", WORD),
    ("Notizen.txt", txt, "text/plain", WORD),
    ("Karte.png", png, "image/png", None),
    ("Foto.jpg", jpeg, "image/jpeg", None),
]

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(document.cookie)</script></svg>')
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
SHELL = b"#!/bin/sh\nrm -rf /\n"

# (filename, bytes, a phrase of the refusal message)
REFUSED = [
    ("bericht.pdf", HTML, "HTML"),                       # PDF extension on HTML
    ("seite.html", HTML, "HTML"),
    ("grafik.svg", SVG, "HTML"),
    ("grafik.png", SVG, "HTML"),                         # SVG with script under an image name
    ("notizen.txt", b"Hallo\n<script>alert(1)</script>\n", "HTML"),
    ("setup.exe", EXE, "Programme"),
    ("rechnung.pdf", EXE, "Programme"),                  # executable under a PDF name
    ("programm.docx", ELF, "Programme"),
    ("aufraeumen.sh", SHELL, "Programme"),
    ("skript.js", b"alert(1);\n", "Endung"),
    ("makro.docx", docx(extra={"word/vbaProject.bin": b"\x00macro"}), "Makros"),
    ("bild.jpg", png(), "passt nicht"),                  # mismatched image types
    ("bericht.docx", pdf(), "passt nicht"),
    ("tabelle.xlsx", docx(), "passt nicht"),
    ("kaputt.docx", b"PK\x03\x04kaputt" + b"\x00" * 40, "passt nicht"),
    ("leer.pdf", b"", "leer"),
    ("ohne-endung", pdf(), "Endung"),
]
