"""Small helpers shared by the thin views."""
from urllib.parse import urlsplit

from flask import flash, request


def client_ip():
    return (request.remote_addr or "")[:64]


def apply_errors(form, exc):
    """Show a service's ValidationError on the form: per field where known, else flashed."""
    placed = False
    for name, message in (exc.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        flash(exc.message, "error")


def safe_next(target, default):
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


def page_arg():
    return max(request.args.get("page", 1, type=int) or 1, 1)
