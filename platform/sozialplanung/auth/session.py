"""How a login cookie becomes current_user, and what anonymous visitors see instead."""
import hmac
from datetime import timedelta

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from sqlalchemy import select

from ..accounts.models import User, UserStatus
from ..extensions import db
from ..groups.models import Membership
from ..policy import remember_memberships
from ..sql import parse_id
from ..timeutil import utcnow

LAST_SEEN_RESOLUTION = timedelta(minutes=15)


def load_user(session_id):
    """The cookie holds "<id>:<session token>"; a rotated token or inactive account signs out."""
    user_id, _sep, token = (session_id or "").partition(":")
    user_id = parse_id(user_id)
    if user_id is None or not token:
        return None
    # The member and their memberships in one round trip: every page's navigation asks policy
    # about them (the moderation link), most pages again for their content.
    rows = db.session.execute(select(User, Membership.group_id, Membership.role)
                              .outerjoin(Membership, Membership.user_id == User.id)
                              .where(User.id == user_id)).all()
    user = rows[0][0] if rows else None
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    remember_memberships(user, {group_id: role for _user, group_id, role in rows if group_id})
    _touch_last_seen(user)
    return user


def _touch_last_seen(user):
    # At most one write per quarter hour per member, not one per page view.
    now = utcnow()
    if user.last_seen_at is None or now - user.last_seen_at > LAST_SEEN_RESOLUTION:
        db.session.query(User).filter(User.id == user.id).update(
            {User.last_seen_at: now}, synchronize_session=False)
        db.session.commit()
        user.last_seen_at = now


def renew_login(user):
    """Sign this browser in again after the session token rotated (own password change).

    A browser that chose "Angemeldet bleiben" gets a new remember cookie too; the old one
    holds the rotated token and would sign it out at the next browser start.
    """
    remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    login_user(user, remember=remembered)


def unauthorized():
    flash(_("Bitte melden Sie sich an, um diese Seite zu sehen."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET"
                            else None))


def public(view):
    """Mark a view as reachable without signing in; every other view requires a member."""
    view.is_public = True
    return view


def register_login_required(app):
    @app.before_request
    def _require_login():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return unauthorized()
