"""The audit log: every admin action exactly once, in German, filterable."""
import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import sozialplanung
from sozialplanung.accounts.models import User
from sozialplanung.admin.audit import ACTION_LABELS, TARGET_LABELS, record_audit
from sozialplanung.admin.models import AuditLog
from sozialplanung.announcements.models import Announcement
from sozialplanung.documents.models import Document
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post
from sozialplanung.groups.models import WorkingGroup
from sozialplanung.notifications.models import OutboxMail
from sozialplanung.pages.models import SitePage
from sozialplanung.timeutil import utcnow

from ..factories import make_user
from .conftest import make_pending

LABELS = {
    "user_invited": "Person eingeladen",
    "invitation_resent": "Einladung erneut verschickt",
    "user_approved": "Zugang freigeschaltet",
    "role_changed": "Rolle geändert",
    "user_suspended": "Konto gesperrt",
    "user_reactivated": "Konto reaktiviert",
    "site_page_updated": "Rechtstext geändert",
    "mail_requeued": "E-Mail erneut in den Postausgang gestellt",
}


def rows(response):
    """The table rows of the audit log page as lists of cell texts."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def do_every_admin_action(client):
    member = make_user(display_name="Heike Zimmermann")
    pending = make_pending()
    failed = OutboxMail(to_address="x@example.org", subject="S", body_text="T\n", attempts=8,
                        failed_at=utcnow())
    db.session.add(failed)
    db.session.commit()
    client.post("/verwaltung/mitglieder/einladen",
                data={"email": "neu@example.org", "organisation_id": "0", "role": "member"})
    invited = db.session.scalar(select(User.id).where(User.email == "neu@example.org"))
    for url, data in [
        (f"/verwaltung/mitglieder/{invited}/einladung-erneut", {}),
        (f"/verwaltung/mitglieder/{pending.id}/freischalten", {}),
        (f"/verwaltung/mitglieder/{member.id}/rolle", {"role": "editor"}),
        (f"/verwaltung/mitglieder/{member.id}/sperren", {"reason": "Spam", "until": ""}),
        (f"/verwaltung/mitglieder/{member.id}/reaktivieren", {}),
        ("/verwaltung/seiten/datenschutz", {"title": "Datenschutzerklärung", "body": "Neu"}),
        (f"/verwaltung/postausgang/{failed.id}/erneut", {}),
    ]:
        assert client.post(url, data=data).status_code == 302, url
    return member


def test_each_action_listed_exactly_once_in_german(admin_client):
    member = do_every_admin_action(admin_client)
    table = rows(admin_client.get("/verwaltung/protokoll"))
    events = [row[2] for row in table if row[2] != "Anmeldung"]
    assert sorted(events) == sorted(LABELS.values())
    # Newest first, each with who did it and what it concerned.
    assert table[0][2] == "E-Mail erneut in den Postausgang gestellt"
    suspended = next(row for row in table if row[2] == "Konto gesperrt")
    assert suspended[1] == "Dr. Katrin Vogel"
    assert suspended[3] == f"Konto #{member.id}"
    assert suspended[4] == "Spam"
    assert suspended[5] == "127.0.0.1"
    role = next(row for row in table if row[2] == "Rolle geändert")
    assert role[4] == "Mitglied → Redaktion (Institut)"
    invited = next(row for row in table if row[2] == "Person eingeladen")
    assert invited[4] == "neu@example.org (Mitglied)"
    page = next(row for row in table if row[2] == "Rechtstext geändert")
    assert page[3].startswith("Rechtstext #") and page[4] == "datenschutz"
    mail = next(row for row in table if row[2] == "E-Mail erneut in den Postausgang gestellt")
    assert mail[3].startswith("E-Mail #")
    html = admin_client.get("/verwaltung/protokoll").get_data(as_text=True)
    assert "user_suspended" not in re.sub(r'value="[a-z_]+"', "", html)


def test_filter_by_action(admin_client):
    do_every_admin_action(admin_client)
    page = admin_client.get("/verwaltung/protokoll")
    html = page.get_data(as_text=True)
    assert '<option value="user_suspended" >Konto gesperrt</option>' in html
    for code, label in LABELS.items():
        table = rows(admin_client.get(f"/verwaltung/protokoll?aktion={code}"))
        assert [row[2] for row in table] == [label], code
    selected = admin_client.get("/verwaltung/protokoll?aktion=role_changed").get_data(as_text=True)
    assert '<option value="role_changed" selected>' in selected


def test_unknown_filter_shows_no_entries(admin_client):
    response = admin_client.get("/verwaltung/protokoll?aktion=gibt_es_nicht")
    assert rows(response) == []
    assert "Keine Einträge." in response.get_data(as_text=True)


def test_sign_ins_and_system_events_are_logged(app, admin_client, admin):
    make_user(email="vergessen@example.org")
    app.test_client().post("/anmelden",
                           data={"email": "vergessen@example.org", "password": "falsch"})
    table = rows(admin_client.get("/verwaltung/protokoll"))
    assert [row[2] for row in table] == ["Fehlgeschlagene Anmeldung", "Anmeldung"]
    assert table[1][1] == admin.display_name


# What the services pass to record_audit as its target, by the name they give it.
AUDITED_TARGETS = {"user": User, "actor": User, "page": SitePage, "mail": OutboxMail,
                   "group": WorkingGroup, "announcement": Announcement, "document": Document,
                   "post": Post}


def audit_calls():
    """(file, action codes, target expression) of every record_audit call in the package."""
    root = Path(sozialplanung.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_audit":
                args = node.args + [k.value for k in node.keywords if k.arg == "target"]
                codes = {n.value for n in ast.walk(args[1]) if isinstance(n, ast.Constant)}
                yield path.relative_to(root), codes, ast.unparse(args[2])


def test_every_audited_target_type_has_a_german_label():
    calls = list(audit_calls())
    assert len(calls) > 30  # the walk found the services
    unknown = {(str(path), target) for path, _action, target in calls
               if target not in AUDITED_TARGETS}
    assert not unknown, "new audit target: add its model to AUDITED_TARGETS and TARGET_LABELS"
    for model in set(AUDITED_TARGETS.values()):
        assert model.__name__ in TARGET_LABELS, model.__name__


def test_every_audited_action_has_a_german_label():
    actions = set().union(*(codes for _path, codes, _target in audit_calls()))
    assert actions and actions <= ACTION_LABELS.keys(), actions - ACTION_LABELS.keys()


@pytest.mark.parametrize("model, label", [(Announcement, "Mitteilung"), (Document, "Dokument"),
                                          (Post, "Beitrag"), (WorkingGroup, "Arbeitskreis")])
def test_targets_are_named_in_german_in_the_log(admin_client, admin, model, label):
    target = model(id=11)  # never stored: the entry needs only its type and number
    record_audit(admin, "announcement_deleted", target)
    db.session.commit()
    table = rows(admin_client.get("/verwaltung/protokoll"))
    assert [row[3] for row in table if row[2] != "Anmeldung"] == [f"{label} #11"]


def test_old_entries_about_an_account_are_named_in_german(admin_client, admin):
    db.session.add(AuditLog(actor_id=admin.id, action="login", target_type="LocalProxy",
                            target_id=admin.id))
    db.session.commit()
    table = rows(admin_client.get("/verwaltung/protokoll"))
    assert {row[3] for row in table} == {f"Konto #{admin.id}"}
