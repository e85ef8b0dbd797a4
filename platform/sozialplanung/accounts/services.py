"""Own profile changes and the member directory."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..admin.audit import record_audit
from ..auth.passwords import verify_password
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..policy import Action, require
from ..search.query import fragments
from ..sql import contains_pattern, folded
from ..text import single_line
from ..timeutil import utcnow
from .erasure import erase_account
from .models import Organisation, SiteRole, User, UserStatus
from .names import clean_display_name, ensure_name_is_free

PAGE_SIZE = 30


def list_organisations():
    """Grouped by kind (Landkreise, kreisfreie Städte, …), each group in German alphabetical
    order: "Sömmerda" before "Sonneberg"."""
    return db.session.scalars(
        select(Organisation).order_by(Organisation.sort_order, folded(Organisation.name))).all()


def get_organisation(organisation_id):
    if organisation_id in (None, "", 0):
        return None
    org = db.session.get(Organisation, int(organisation_id))
    if org is None:
        raise ValidationError(_("Bitte wählen Sie eine Organisation aus der Liste."),
                              {"organisation_id": _("Unbekannte Organisation.")})
    return org


def update_profile(actor, target, *, display_name, organisation_id, position, bio, phone,
                   show_email, locale):
    """A member edits their own profile."""
    require(actor, Action.EDIT_PROFILE, target)
    name = clean_display_name(display_name)
    ensure_name_is_free(name, target.id)
    org = get_organisation(organisation_id)
    if locale not in ("de", "en"):
        raise ValidationError(_("Unbekannte Sprache."), {"locale": _("Unbekannte Sprache.")})
    target.display_name = name
    target.organisation_id = org.id if org else None
    target.position = (position or "").strip()[:200]
    target.bio = (bio or "").strip()[:2000]
    target.phone = (phone or "").strip()[:60]
    target.show_email = bool(show_email)
    target.locale = locale
    db.session.commit()
    return target


def get_profile(actor, user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    require(actor, Action.VIEW_PROFILE, user, hide=True)
    return user


def member_directory(actor, *, query="", organisation_id=None, page=1):
    """Active members, filtered by organisation and by the words typed, in German
    alphabetical order (Ö as O), paginated.

    Every word must be part of the name or the Zuständigkeit, in any spelling, as the search
    finds members (search.query.fragments): "Koehler" and "Kohler" find "Köhler". Words are
    cleaned like names and split at spaces only, so "100%" or "a_m" are looked for as typed.
    """
    require(actor, Action.VIEW_MEMBERS)
    stmt = select(User).where(User.status == UserStatus.ACTIVE)
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    fields = (folded(User.display_name), folded(User.position))
    for word in single_line(query, "NFKC")[:100].lower().split():
        stmt = stmt.where(or_(*(field.like(contains_pattern(part), escape="\\")
                                for field in fields for part in fragments(word))))
    stmt = stmt.order_by(folded(User.display_name), User.id)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def delete_own_account(actor, password):
    """A member deletes their own account, confirmed with their current password.

    The last active admin cannot: nobody would be left to manage the platform. The audit
    entry holds no IP address: after the deletion nothing should point to the person.
    """
    require(actor, Action.EDIT_PROFILE, actor)
    if not verify_password(actor.password_hash, password or ""):
        message = _("Das Passwort ist nicht korrekt.")
        raise ValidationError(message, {"current_password": message})
    if actor.is_admin and _is_last_admin(actor):
        raise ValidationError(_("Ihr Konto ist das einzige aktive Administrationskonto. Bitte "
                                "geben Sie zuerst einer anderen Person die Rolle "
                                "„Administration“; danach können Sie Ihr Konto löschen."))
    erase_account(actor)
    record_audit(actor, "account_deleted", actor)
    db.session.commit()


def _is_last_admin(user):
    # The admin rows are locked in one order, so two admins deleting themselves at the same
    # moment cannot both go: the second one waits and then sees the first one gone.
    admins = db.session.scalars(select(User.id).where(
        User.role == SiteRole.ADMIN, User.status == UserStatus.ACTIVE)
        .order_by(User.id).with_for_update()).all()
    return all(admin_id == user.id for admin_id in admins)


# A site moderator's suspension is a cooling-off period; longer ones are the administration's
# decision. Dates past 2999 cannot be shown in local time (they would end the year 9999).
MODERATOR_SUSPENSION_LIMIT = timedelta(days=366)
LATEST_SUSPENSION_END = datetime(2999, 12, 31, 23, 59, 59)


def check_suspension_end(until, *, by_admin):
    """Refuse an end of a suspension (naive UTC) that is past, or too far ahead for who sets it."""
    if until is None:
        return
    now = utcnow()
    if until <= now:
        raise ValidationError(_("Das Ende der Sperre muss in der Zukunft liegen."),
                              {"until": _("Bitte ein Datum in der Zukunft wählen.")})
    if not by_admin and until > now + MODERATOR_SUSPENSION_LIMIT:
        message = _("Die Moderation kann höchstens für ein Jahr sperren; längere Sperren "
                    "verhängt die Administration.")
        raise ValidationError(message, {"until": message})
    if until > LATEST_SUSPENSION_END:
        message = _("Bitte wählen Sie ein Datum bis spätestens 31.12.2999 oder sperren Sie "
                    "unbefristet.")
        raise ValidationError(message, {"until": message})
