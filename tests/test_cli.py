"""Flask commands: create-admin and seed-demo (the outbox commands are tested with the outbox)."""
import pytest
from sqlalchemy import func, select

from sozialplanung.accounts.models import User
from sozialplanung.admin.models import AuditLog
from sozialplanung.demo import DEMO_PASSWORD, GROUPS, PEOPLE
from sozialplanung.extensions import db
from sozialplanung.groups.models import Membership, WorkingGroup

from .conftest import login
from .factories import make_user

NEW_PASSWORD = "Ein-sehr-langes-Passwort"


def invoke(app, *args, **kwargs):
    result = app.test_cli_runner().invoke(args=list(args), **kwargs)
    db.session.expire_all()
    return result


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_creates_active_admin_who_can_sign_in(app, client):
    result = invoke(app, "create-admin", "--email", "Admin@Institut.Example", "--name",
                    "Dr. Katrin Vogel", "--password", NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Administrationskonto admin@institut.example ist angelegt." in result.output
    admin = user("admin@institut.example")
    assert (admin.role, admin.status, admin.display_name) == ("admin", "active", "Dr. Katrin Vogel")
    assert admin.email_confirmed_at is not None
    login(client, admin, password=NEW_PASSWORD)
    assert client.get("/verwaltung/mitglieder").status_code == 200
    assert db.session.scalars(select(AuditLog.action).where(AuditLog.action != "login")).all() \
        == ["admin_created_cli"]


def test_create_admin_prompts_for_missing_values(app):
    result = invoke(app, "create-admin",
                    input=f"admin@institut.example\nKatrin Vogel\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "E-Mail-Adresse:" in result.output and "Passwort:" in result.output
    assert NEW_PASSWORD not in result.output
    assert user("admin@institut.example").role == "admin"


def test_create_admin_promotes_existing_member(app):
    member = make_user(email="s.fischer@tmasgff.example", display_name="Susanne Fischer",
                       status="suspended")
    other_session = app.test_client()
    result = invoke(app, "create-admin", "--email", "s.fischer@tmasgff.example", "--name", "egal",
                    "--password", NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "hat jetzt Administrationsrechte" in result.output
    promoted = user("s.fischer@tmasgff.example")
    assert promoted.id == member.id
    assert (promoted.role, promoted.status, promoted.display_name) == \
        ("admin", "active", "Susanne Fischer")
    assert count(User) == 1
    login(other_session, promoted, password=NEW_PASSWORD)


@pytest.mark.parametrize("password, message", [
    ("kurz", "Das Passwort muss mindestens 10 Zeichen lang sein."),
    ("admin@institut.example", "Das Passwort darf nicht Ihre E-Mail-Adresse sein."),
])
def test_create_admin_refuses_weak_password(app, password, message):
    result = invoke(app, "create-admin", "--email", "admin@institut.example", "--name", "Admin",
                    "--password", password)
    assert result.exit_code != 0
    assert message in result.output
    assert count(User) == 0 and count(AuditLog) == 0


def test_create_admin_refuses_invalid_email(app):
    result = invoke(app, "create-admin", "--email", "admin", "--name", "Admin",
                    "--password", NEW_PASSWORD)
    assert result.exit_code != 0
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in result.output
    assert count(User) == 0


def test_create_admin_does_not_demote_or_keep_old_password(app, client):
    existing = make_user(role="admin", email="admin@institut.example")
    invoke(app, "create-admin", "--email", "admin@institut.example", "--name", "Admin",
           "--password", NEW_PASSWORD)
    with pytest.raises(AssertionError):
        login(client, existing)  # the old password no longer works
    login(client, existing, password=NEW_PASSWORD)


def test_seed_demo_creates_groups_and_members(app, client):
    result = invoke(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "Arbeitskreise anlegen" in result.output and "Demodaten angelegt." in result.output
    names = set(db.session.scalars(select(WorkingGroup.name)))
    assert names == {name for name, *_ in GROUPS}
    assert count(WorkingGroup, WorkingGroup.visibility == "closed") == 1
    assert count(User, User.status == "active") == len(PEOPLE)
    assert count(User, User.status == "pending") == 1
    assert count(User, User.status == "invited") == 1
    assert count(Membership) == sum(len(p[-1]) for p in PEOPLE)
    jena = user("m.lehmann@jena.example")
    assert jena.organisation.name == "Stadt Jena"
    # The printed demo logins work.
    assert "Demo-Zugänge:" in result.output
    assert "admin@sozialplanung.example" in result.output and DEMO_PASSWORD in result.output
    login(client, user("admin@sozialplanung.example"), password=DEMO_PASSWORD)
    assert client.get("/verwaltung/mitglieder").status_code == 200


def test_seed_demo_if_empty_runs_once(app):
    first = invoke(app, "seed-demo", "--if-empty")
    assert first.exit_code == 0 and "Demodaten angelegt." in first.output
    users, groups = count(User), count(WorkingGroup)

    second = invoke(app, "seed-demo", "--if-empty")
    assert second.exit_code == 0, second.output
    assert "Datenbank enthält bereits Mitglieder – keine Demodaten angelegt." in second.output
    assert "Arbeitskreise anlegen" not in second.output
    assert (count(User), count(WorkingGroup)) == (users, groups)
    for role, email in [("Administration", "admin@sozialplanung.example"),
                        ("Redaktion", "redaktion@sozialplanung.example"),
                        ("Moderation", "moderation@sozialplanung.example"),
                        ("Mitglied", "a.hoffmann@lra-weimarer-land.example")]:
        line = next(line for line in second.output.splitlines() if email in line)
        assert role in line and DEMO_PASSWORD in line


def test_seed_demo_if_empty_leaves_a_real_database_alone(app):
    make_user(email="echte.person@example.org")
    result = invoke(app, "seed-demo", "--if-empty")
    assert "keine Demodaten angelegt" in result.output
    assert "Demo-Zugänge" not in result.output
    assert count(User) == 1 and count(WorkingGroup) == 0


def test_seed_demo_twice_creates_no_duplicates(app):
    invoke(app, "seed-demo")
    users, groups, memberships = count(User), count(WorkingGroup), count(Membership)
    assert invoke(app, "seed-demo").exit_code == 0
    assert (count(User), count(WorkingGroup), count(Membership)) == (users, groups, memberships)
