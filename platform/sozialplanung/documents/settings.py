"""Settings of the documents domain, with their defaults; each can be set in the app config or
as an environment variable of the same name."""
import os
import sys
from pathlib import Path

MB = 1024 * 1024


def _env(name, default, cast=str):
    value = os.environ.get(name)
    return default if value in (None, "") else cast(value)


def init_app(app):
    """Fill in defaults for settings the app config does not set."""
    defaults = {
        # "local" (a directory) or "s3" (an S3-compatible bucket shared by several instances).
        "DOCUMENT_STORAGE": _env("DOCUMENT_STORAGE", "local"),
        # Local blobs live in <path>/blobs; uploads are checked in <path>/tmp.
        "DOCUMENT_STORAGE_PATH": _env("DOCUMENT_STORAGE_PATH",
                                      str(Path(app.instance_path) / "documents")),
        "DOCUMENT_S3_BUCKET": _env("DOCUMENT_S3_BUCKET", ""),
        "DOCUMENT_S3_PREFIX": _env("DOCUMENT_S3_PREFIX", "dokumente/"),
        "DOCUMENT_S3_ENDPOINT_URL": _env("DOCUMENT_S3_ENDPOINT_URL", None),
        "DOCUMENT_S3_REGION": _env("DOCUMENT_S3_REGION", None),
        # Empty: boto3's own lookup (AWS_* variables, config files, instance roles).
        "DOCUMENT_S3_ACCESS_KEY_ID": _env("DOCUMENT_S3_ACCESS_KEY_ID", None),
        "DOCUMENT_S3_SECRET_ACCESS_KEY": _env("DOCUMENT_S3_SECRET_ACCESS_KEY", None),
        # Largest accepted file; the request limit MAX_CONTENT_LENGTH applies as well.
        "DOCUMENT_MAX_BYTES": _env("DOCUMENT_MAX_BYTES", app.config.get("MAX_CONTENT_LENGTH")
                                   or 50 * MB, int),
        "DOCUMENT_MAX_ATTACHMENTS": _env("DOCUMENT_MAX_ATTACHMENTS", 5, int),
        # Text extraction for search runs in a child process with these limits.
        "DOCUMENT_EXTRACT_TEXT": _env("DOCUMENT_EXTRACT_TEXT", True,
                                      lambda v: v.lower() in ("1", "true", "yes", "ja", "on")),
        "DOCUMENT_EXTRACT_TIMEOUT": _env("DOCUMENT_EXTRACT_TIMEOUT", 20.0, float),
        "DOCUMENT_EXTRACT_MAX_INPUT_BYTES": _env("DOCUMENT_EXTRACT_MAX_INPUT_BYTES", 60 * MB, int),
        "DOCUMENT_EXTRACT_MAX_CHARS": _env("DOCUMENT_EXTRACT_MAX_CHARS", 500_000, int),
        "DOCUMENT_EXTRACT_MEMORY_BYTES": _env("DOCUMENT_EXTRACT_MEMORY_BYTES", 768 * MB, int),
        # The interpreter for the child (servers that embed Python may not have one of their own).
        "DOCUMENT_EXTRACT_PYTHON": _env("DOCUMENT_EXTRACT_PYTHON", sys.executable),
    }
    for name, value in defaults.items():
        app.config.setdefault(name, value)
