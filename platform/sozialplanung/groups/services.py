"""Working groups: create and edit (admins), join and leave, requests and invitations."""
import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..accounts.models import User, UserStatus
from ..accounts.names import name_holder
from ..admin.audit import record_audit
from ..auth.services import find_user_by_email
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..forum.models import Subscription, Thread
from ..notifications.services import notify_users
from ..policy import Action, can, forget_memberships, group_role, require
from ..text import name_key, single_line, without_bidi_controls
from .models import GroupRole, Membership, MembershipRequest, Visibility, WorkingGroup


def get_group(actor, slug):
    """The group for a slug, or NotFound if it doesn't exist or the actor may not see it."""
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
    if group is None:
        raise NotFound()
    require(actor, Action.VIEW_GROUP, group, hide=True)
    return group


def get_listed_group(actor, slug):
    """A group as listed in the overview (also closed ones), for asking to join or answering
    an invitation; its content is still loaded only through get_group()."""
    require(actor, Action.VIEW_MEMBERS)
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
    if group is None:
        raise NotFound()
    return group


# Paths under /arbeitskreise/ that are pages of their own, not groups.
RESERVED_SLUGS = frozenset({"neu"})


def require_manage_groups(actor):
    require(actor, Action.MANAGE_GROUPS)


def slugify(name):
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"^arbeitskreis[\s-]+", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-") or "arbeitskreis"


def _free_slug(name):
    """A slug no other group (archived ones included) and no page under /arbeitskreise/ has."""
    slug = base = slugify(name)
    counter = 2
    while slug in RESERVED_SLUGS or db.session.scalar(
            select(WorkingGroup.id).where(WorkingGroup.slug == slug)):
        slug = f"{base[:75].rstrip('-')}-{counter}"
        counter += 1
    return slug


def _name_taken(name, group_id=None):
    # Compared in Python: casefold and NFKC go beyond SQL lower(), and there are few groups.
    key = name_key(name)
    return any(name_key(other) == key for other_id, other in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.name)) if other_id != group_id)


def _clean_description(description):
    """Running text: direction overrides go (they make text read backwards), line breaks stay."""
    return without_bidi_controls(description).replace("\r\n", "\n").strip()


def _validate_group_fields(name, description, visibility, group_id=None):
    """Names are unique however they are written (case, spaces, invisible characters), among
    archived groups too, so a link or a mention always means one group."""
    # Cleaned as member names and thread titles are: no invisible characters, one space.
    name, description = single_line(name), _clean_description(description)
    errors = {}
    if not name or len(name) > 160:
        errors["name"] = _("Bitte geben Sie einen Namen mit höchstens 160 Zeichen an.")
    elif not any(ch.isalnum() for ch in name):
        errors["name"] = _("Der Name muss mindestens einen Buchstaben oder eine Ziffer "
                           "enthalten.")
    elif _name_taken(name, group_id):
        errors["name"] = _("Es gibt bereits einen Arbeitskreis mit diesem Namen.")
    if len(description) > 5000:
        errors["description"] = _("Die Beschreibung darf höchstens 5.000 Zeichen lang sein.")
    if visibility not in (Visibility.OPEN, Visibility.CLOSED):
        errors["visibility"] = _("Bitte wählen Sie, ob der Arbeitskreis offen oder geschlossen ist.")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return name, description


def create_group(actor, *, name, description, visibility, ip_address=""):
    require(actor, Action.MANAGE_GROUPS)
    name, description = _validate_group_fields(name, description, visibility)
    group = WorkingGroup(name=name, slug=_free_slug(name), description=description,
                         visibility=visibility)
    db.session.add(group)
    db.session.flush()
    record_audit(actor, "group_created", group, ip_address=ip_address, summary=name)
    db.session.commit()
    return group


def update_group(actor, group, *, name, description, visibility, ip_address=""):
    require(actor, Action.MANAGE_GROUPS)
    # The slug stays: links to the group keep working after a rename.
    group.name, group.description = _validate_group_fields(name, description, visibility,
                                                           group.id)
    group.visibility = visibility
    record_audit(actor, "group_updated", group, ip_address=ip_address, summary=group.name)
    db.session.commit()
    return group


def set_archived(actor, group, archived, ip_address=""):
    """Archived groups stay readable but take no new threads, posts or members."""
    require(actor, Action.MANAGE_GROUPS)
    if group.is_archived == archived:
        raise Conflict(_("Der Arbeitskreis ist bereits archiviert.") if archived
                       else _("Der Arbeitskreis ist nicht archiviert."))
    group.is_archived = archived
    record_audit(actor, "group_archived" if archived else "group_unarchived", group,
                 ip_address=ip_address, summary=group.name)
    db.session.commit()


def join_group(actor, group):
    """Join an open group (closed ones only by invitation or an accepted request). Returns
    False if the actor already is a member (a second click changes nothing)."""
    if group_role(actor, group) is not None:
        return False
    require(actor, Action.JOIN_GROUP, group)
    _add_member(actor, group, GroupRole.MEMBER)
    db.session.commit()
    return True


def leave_group(actor, group):
    """Returns False if the actor was not a member (a second click changes nothing)."""
    if group_role(actor, group) is None:
        return False
    require(actor, Action.LEAVE_GROUP, group)
    db.session.execute(delete(Membership).where(
        Membership.group_id == group.id, Membership.user_id == actor.id))
    if group.is_closed:
        _drop_subscriptions(actor.id, group)
    forget_memberships(actor)
    db.session.commit()
    return True


def _drop_subscriptions(user_id, group):
    """Whoever can no longer read a group stops watching it and its threads."""
    thread_ids = select(Thread.id).where(Thread.group_id == group.id)
    db.session.execute(delete(Subscription).where(
        Subscription.user_id == user_id,
        (Subscription.group_id == group.id) | Subscription.thread_id.in_(thread_ids)))


def _add_member(user, group, role):
    exists = db.session.get(Membership, (user.id, group.id))
    if exists is not None:
        raise Conflict(_("%(name)s ist bereits Mitglied dieses Arbeitskreises.",
                         name=user.display_name))
    db.session.add(Membership(user_id=user.id, group_id=group.id, role=role))
    db.session.execute(delete(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.user_id == user.id))
    forget_memberships(user)
    db.session.flush()


def request_membership(actor, group, message=""):
    """Ask to join a closed group; its moderators are notified."""
    require(actor, Action.REQUEST_MEMBERSHIP, group)
    pending = db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.user_id == actor.id))
    if pending is not None:
        if pending.kind == "invitation":
            raise Conflict(_("Sie sind bereits eingeladen. Bitte nehmen Sie die Einladung an."))
        raise Conflict(_("Ihre Anfrage liegt bereits vor."))
    db.session.add(MembershipRequest(group_id=group.id, user_id=actor.id, kind="request",
                                     message=without_bidi_controls(message).strip()[:1000],
                                     created_by_id=actor.id))
    notify_users(_group_moderator_ids(group), "membership_request", actor=actor, group=group)
    db.session.commit()


def find_invitee(name_or_email):
    """The account a moderator means by a directory name or an e-mail address; 0 if none.
    Names are unique however they are written (accounts.names), so a name is as good a key."""
    value = (name_or_email or "").strip()
    if "@" in value:
        user = find_user_by_email(value)
        return user.id if user is not None else 0
    return name_holder(value) or 0


def invite_member(actor, group, user_id):
    """A group moderator invites a member into a closed group (open ones they join directly)."""
    _require_manage_memberships(actor, group)
    user = db.session.get(User, user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        message = _("Diese Person gibt es nicht oder ihr Konto ist nicht aktiv.")
        raise ValidationError(message, {"member": message})
    if db.session.get(Membership, (user.id, group.id)) is not None:
        raise Conflict(_("%(name)s ist bereits Mitglied dieses Arbeitskreises.",
                         name=user.display_name))
    pending = db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.user_id == user.id))
    if pending is not None and pending.kind == "request":
        # They already asked: an invitation is the same as accepting.
        _add_member(user, group, GroupRole.MEMBER)
        notify_users([user.id], "membership_accepted", actor=actor, group=group)
    elif pending is None:
        db.session.add(MembershipRequest(group_id=group.id, user_id=user.id, kind="invitation",
                                         created_by_id=actor.id))
        notify_users([user.id], "group_invitation", actor=actor, group=group)
    db.session.commit()
    return user


def answer_invitation(actor, group, accept):
    invitation = db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.user_id == actor.id,
        MembershipRequest.kind == "invitation"))
    if invitation is None:
        raise NotFound()
    if accept:
        if group.is_archived:
            raise Conflict(_("Der Arbeitskreis ist archiviert."))
        _add_member(actor, group, GroupRole.MEMBER)
    else:
        db.session.delete(invitation)
    db.session.commit()


def decide_request(actor, group, request_id, accept):
    _require_manage_memberships(actor, group)
    req = db.session.get(MembershipRequest, request_id)
    if req is None or req.group_id != group.id or req.kind != "request":
        raise Conflict(_("Diese Anfrage wurde bereits bearbeitet."))
    user = req.user
    if accept:
        _add_member(user, group, GroupRole.MEMBER)
        notify_users([user.id], "membership_accepted", actor=actor, group=group)
    else:
        db.session.delete(req)
        notify_users([user.id], "membership_declined", actor=actor, group=group)
    db.session.commit()
    return user


def set_member_role(actor, group, user_id, role, ip_address=""):
    """Admins and site moderators appoint or remove group moderators."""
    require(actor, Action.MANAGE_GROUPS)
    if role not in (GroupRole.MEMBER, GroupRole.MODERATOR):
        raise ValidationError(_("Unbekannte Rolle."))
    membership = db.session.get(Membership, (user_id, group.id))
    if membership is None:
        raise NotFound()
    membership.role = role
    record_audit(actor, "group_role_changed", group, ip_address=ip_address,
                 summary=f"user {user_id} → {role}")
    db.session.commit()


def remove_member(actor, group, user_id, ip_address=""):
    _require_manage_memberships(actor, group)
    membership = db.session.get(Membership, (user_id, group.id))
    if membership is None:
        raise Conflict(_("Diese Person ist kein Mitglied (mehr)."))
    if membership.role == GroupRole.MODERATOR and not can(actor, Action.MANAGE_GROUPS):
        raise ValidationError(_("Moderatorinnen und Moderatoren kann nur die Administration "
                                "entfernen."))
    db.session.delete(membership)
    if group.is_closed:
        _drop_subscriptions(user_id, group)
    record_audit(actor, "group_member_removed", group, ip_address=ip_address,
                 summary=f"user {user_id}")
    db.session.commit()


def _require_manage_memberships(actor, group):
    """Those who can't see the group get 404; members who may not manage it get 403."""
    require(actor, Action.VIEW_GROUP, group, hide=True)
    require(actor, Action.MANAGE_MEMBERSHIPS, group)


def _group_moderator_ids(group):
    return db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group.id, Membership.role == GroupRole.MODERATOR)).all()
