"""Announcement images: checked by their content, re-encoded, resized and stored by content hash
outside the web root. Re-encoding drops everything but the pixels (EXIF, GPS, embedded data)."""
import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ValidationError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # larger pictures are refused before they are decoded
MAX_EDGE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
KEY_PATTERN = re.compile(r"^[0-9a-f]{64}\.(jpg|png)$")


@dataclass
class PreparedImage:
    data: bytes
    key: str
    width: int
    height: int


def _invalid(message):
    return ValidationError(message, {"image": message})


def prepare_image(stream, tmp_dir=None):
    """Read an upload (streamed to a temporary file, never whole into memory), make sure it is
    a raster image, and return it re-encoded as JPEG (or PNG when it has transparency)."""
    with tempfile.TemporaryFile(dir=tmp_dir) as tmp:
        size = 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise _invalid(_("Das Bild ist zu groß (höchstens %(mb)s MB).",
                                 mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
            tmp.write(chunk)
        if size == 0:
            raise _invalid(_("Die Bilddatei ist leer."))
        tmp.seek(0)
        return _reencode(tmp)


def _reencode(file):
    not_an_image = _("Die Datei ist kein Bild in einem unterstützten Format (JPEG, PNG, GIF "
                     "oder WebP).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _invalid(not_an_image)
                if probe.width * probe.height > MAX_PIXELS:
                    raise _invalid(_("Das Bild hat zu viele Bildpunkte (höchstens 40 Megapixel)."))
                probe.verify()
            file.seek(0)
            with Image.open(file) as image:
                image.seek(0)  # animated GIF/WebP: the first frame
                image.load()
                return _encode(ImageOps.exif_transpose(image))
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid(not_an_image) from None


def _encode(image):
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if transparent:
        image.save(out, "PNG", optimize=True)
        ext = "png"
    else:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        ext = "jpg"
    data = out.getvalue()
    return PreparedImage(data=data, key=f"{hashlib.sha256(data).hexdigest()}.{ext}",
                         width=image.width, height=image.height)


class ImageStore:
    """Files under one directory, sharded by the first two hex digits of their hash."""

    def __init__(self, root):
        self.root = Path(root)

    def path(self, key):
        if not KEY_PATTERN.match(key or ""):
            raise ValueError("invalid image key")
        return self.root / key[:2] / key

    @property
    def tmp_dir(self):
        directory = self.root / "tmp"
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def save(self, prepared):
        """Write atomically; returns False when the same picture is already stored."""
        target = self.path(prepared.key)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(prepared.data)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return True

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    @staticmethod
    def media_type(key):
        return MEDIA_TYPES[key.rsplit(".", 1)[1]]
