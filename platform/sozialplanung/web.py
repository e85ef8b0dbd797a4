"""Small helpers shared by the thin views."""
from urllib.parse import urlsplit

from flask import Request, abort, flash, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

from .sql import MAX_ID

MAX_PAGE = 100_000


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query string and form values (and names) without NUL characters. No text a person
    types contains one, PostgreSQL refuses it in any string, and removing it here means no
    view or service has to remember to."""

    def __init__(self, mapping=None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class PortalRequest(Request):
    """request.args and request.form are NulFreeMultiDicts (Werkzeug builds both, and
    request.files, with parameter_storage_class; file objects are left as they are)."""

    parameter_storage_class = NulFreeMultiDict


def refuse_nul_in_path():
    """before_request: a NUL in the path names no page (slugs and tokens reach the database)."""
    if "\x00" in request.path:
        abort(404)


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
