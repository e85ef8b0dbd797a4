"""Writing audit entries (services call it inside their transaction, flush only) and naming them."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import and_

from ..extensions import db
from .models import AuditLog

# What admins read in the audit log; codes without a label are shown as they are.
ACTION_LABELS = {
    "account_deleted": _l("Konto vom Mitglied selbst gelöscht"),
    "admin_created_cli": _l("Administrationskonto per Kommandozeile angelegt"),
    "announcement_deleted": _l("Mitteilung gelöscht"),
    "announcement_published": _l("Mitteilung veröffentlicht"),
    "announcement_scheduled": _l("Veröffentlichung einer Mitteilung geplant"),
    "announcement_unpublished": _l("Mitteilung zurückgezogen"),
    "data_exported": _l("Eigene Daten heruntergeladen"),
    "document_deleted": _l("Dokument gelöscht"),
    "email_change_requested": _l("Änderung der E-Mail-Adresse angefordert"),
    "email_changed": _l("E-Mail-Adresse geändert"),
    "group_archived": _l("Arbeitskreis archiviert"),
    "group_created": _l("Arbeitskreis angelegt"),
    "group_member_removed": _l("Mitglied aus Arbeitskreis entfernt"),
    "group_role_changed": _l("Rolle im Arbeitskreis geändert"),
    "group_unarchived": _l("Arbeitskreis wiederhergestellt"),
    "group_updated": _l("Arbeitskreis bearbeitet"),
    "invitation_accepted": _l("Einladung angenommen"),
    "invitation_resent": _l("Einladung erneut verschickt"),
    "invitation_withdrawn": _l("Einladung zurückgezogen"),
    "login": lazy_pgettext("sign-in", "Anmeldung"),
    "login_failed": _l("Fehlgeschlagene Anmeldung"),
    "mail_requeued": _l("E-Mail erneut in den Postausgang gestellt"),
    "password_changed": _l("Passwort geändert"),
    "password_reset": _l("Passwort zurückgesetzt"),
    "password_reset_requested": _l("Passwort-Zurücksetzung angefordert"),
    "post_attachment_removed": _l("Anhang von Beitrag entfernt"),
    "registered": _l("Registriert"),
    "registration_auto_approved": _l("Registrierung automatisch freigeschaltet"),
    "registration_confirmed": _l("Registrierung bestätigt"),
    "registration_rejected": _l("Registrierung abgelehnt"),
    "role_changed": _l("Rolle geändert"),
    "site_page_updated": _l("Rechtstext geändert"),
    "suspension_expired": _l("Sperre abgelaufen"),
    "user_approved": _l("Zugang freigeschaltet"),
    "user_deleted": _l("Konto durch die Administration gelöscht"),
    "user_invited": _l("Person eingeladen"),
    "user_reactivated": _l("Konto reaktiviert"),
    "user_suspended": _l("Konto gesperrt"),
}

# By model class name, as record_audit stores it; tests/admin/test_audit_log.py checks that
# every target a service passes has one.
TARGET_LABELS = {
    "User": _l("Konto"),
    "SitePage": _l("Rechtstext"),
    "OutboxMail": _l("E-Mail"),
    "WorkingGroup": _l("Arbeitskreis"),
    "Thread": _l("Thema"),
    "Post": _l("Beitrag"),
    "Report": _l("Meldung"),
    "Announcement": _l("Mitteilung"),
    "Document": _l("Dokument"),
}


def action_label(action):
    return str(ACTION_LABELS.get(action, action))


# Entries written before record_audit looked through `current_user` name its proxy class.
USER_TARGET_TYPES = ("User", "LocalProxy")


def target_label(target_type):
    if target_type in USER_TARGET_TYPES:
        target_type = "User"
    return str(TARGET_LABELS.get(target_type, target_type))


def about_user(user_id):
    """SQL filter on AuditLog: the entries whose target is this account."""
    return and_(AuditLog.target_type.in_(USER_TARGET_TYPES), AuditLog.target_id == user_id)


def record_audit(actor, action, target=None, summary="", ip_address=""):
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        # __class__, not type(): views pass `current_user`, a proxy of the User.
        target_type=target.__class__.__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary,
        ip_address=ip_address or "",
    )
    db.session.add(entry)
    db.session.flush()
    return entry
