"""Domain exceptions and the one layer that turns errors into German error pages."""
import logging
import uuid


from flask import g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of all errors a service raises on purpose."""


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    """Also raised for things the actor may not know exist (closed groups)."""


class ValidationError(DomainError):
    """Bad input; `errors` maps form field names to messages ("" = whole form)."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Conflict(DomainError):
    """The data changed under the actor (concurrent edit, already handled)."""


ERROR_TEXTS = {
    400: (_l("Ungültige Anfrage"),
          _l("Die Anfrage konnte nicht verarbeitet werden. Bitte laden Sie die Seite neu "
             "und versuchen Sie es noch einmal.")),
    403: (_l("Keine Berechtigung"),
          _l("Für diese Seite oder Aktion fehlt Ihnen die Berechtigung.")),
    404: (_l("Seite nicht gefunden"),
          _l("Die Seite gibt es nicht oder sie ist für Sie nicht sichtbar. "
             "Bitte prüfen Sie die Adresse.")),
    405: (_l("Aktion nicht erlaubt"), _l("Diese Aktion ist auf dieser Seite nicht möglich.")),
    409: (_l("Konflikt"),
          _l("Die Daten wurden inzwischen geändert. Bitte laden Sie die Seite neu.")),
    413: (_l("Datei zu groß"), _l("Die gesendeten Daten überschreiten die zulässige Größe.")),
    429: (_l("Zu viele Anfragen"),
          _l("Sie haben zu viele Anfragen in kurzer Zeit gesendet. "
             "Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.")),
    500: (_l("Interner Fehler"),
          _l("Es ist ein unerwarteter Fehler aufgetreten. Er wurde protokolliert. "
             "Bitte versuchen Sie es später erneut.")),
}


def render_error(status, detail=None):
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return render_template("errors/error.html", status=status, title=str(title),
                           text=str(text), detail=detail,
                           request_id=g.get("request_id")), status


def register_error_handlers(app):
    @app.errorhandler(PermissionDenied)
    def _permission_denied(exc):
        return render_error(403, str(exc) or None)

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return render_error(404)

    @app.errorhandler(Conflict)
    def _conflict(exc):
        return render_error(409, str(exc) or None)

    @app.errorhandler(ValidationError)
    def _invalid(exc):
        return render_error(400, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code in (400, 403, 404, 405, 409, 413, 429):
            detail = getattr(exc, "description", None) if exc.code == 400 else None
            # CSRF failures come as 400 with an English description; give a German one.
            if exc.__class__.__name__ == "CSRFError":
                detail = _("Das Formular ist abgelaufen oder unvollständig (Sicherheits-Token "
                           "fehlt). Bitte laden Sie die Seite neu und senden Sie es erneut.")
            elif exc.code == 400:
                detail = None
            response = render_error(exc.code, detail)
            if exc.code == 405:
                return response[0], 405, {"Allow": ", ".join(exc.valid_methods or [])}
            return response
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc):
        db.session.rollback()
        log.exception("Unhandled error in request %s %s [request_id=%s]",
                      request.method, request.path, g.get("request_id"))
        return render_error(500)

    @app.before_request
    def _assign_request_id():
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]
