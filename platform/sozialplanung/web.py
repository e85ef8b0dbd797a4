"""Small helpers shared by the thin views."""
from urllib.parse import urlsplit

from flask import flash, request
from werkzeug.routing import IntegerConverter

from .sql import MAX_ID

MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes: numbers beyond MAX_ID match no route, so they answer 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


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


def int_arg(name, default=None):
    """An id from the query string, or `default` when missing, malformed or out of range: an
    edited URL is not a crash."""
    value = request.args.get(name, type=int)
    if value is None or not 1 <= value <= MAX_ID:
        return default
    return value


def page_arg(name="page"):
    value = request.args.get(name, 1, type=int) or 1
    return min(max(value, 1), MAX_PAGE)
