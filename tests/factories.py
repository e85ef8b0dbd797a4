"""Plain functions that create test data and commit it."""
import itertools

from sqlalchemy import select

from sozialplanung.accounts.models import Organisation, User
from sozialplanung.auth.passwords import hash_password
from sozialplanung.extensions import db
from sozialplanung.groups.models import Membership, WorkingGroup
from sozialplanung.timeutil import utcnow

PASSWORD = "Geheimes-Passwort-1"
_counter = itertools.count(1)


def make_user(role="member", status="active", email=None, display_name=None, password=PASSWORD,
              organisation=None, **fields):
    n = next(_counter)
    fields.setdefault("email_confirmed_at", utcnow() if status != "pending" else None)
    user = User(email=email or f"person{n}@example.org",
                display_name=display_name or f"Person {n}",
                role=role, status=status,
                password_hash=hash_password(password) if password else None,
                organisation=organisation, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def organisation(name="Stadt Jena"):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def make_group(name=None, closed=False, members=(), moderators=()):
    n = next(_counter)
    group = WorkingGroup(name=name or f"Arbeitskreis {n}", slug=f"ak-{n}",
                         visibility="closed" if closed else "open")
    db.session.add(group)
    db.session.flush()
    for user in members:
        db.session.add(Membership(user_id=user.id, group_id=group.id, role="member"))
    for user in moderators:
        db.session.add(Membership(user_id=user.id, group_id=group.id, role="moderator"))
    db.session.commit()
    return group
