"""Realistic German demo data for `flask seed-demo` (and the README's run command)."""
import io
from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import select

from .accounts.models import Organisation, SiteRole, User, UserStatus
from .auth.passwords import hash_password
from .extensions import db
from .groups.models import GroupRole, Membership, Visibility, WorkingGroup
from .timeutil import utcnow

DEMO_PASSWORD = "Thueringen-2026"

GROUPS = [
    ("Arbeitskreis Sozialplanung", "sozialplanung", Visibility.OPEN,
     "Austausch der Sozialplanerinnen und Sozialplaner der Thüringer Landkreise und kreisfreien "
     "Städte: Sozialberichterstattung, Indikatoren, Planungsprozesse."),
    ("Arbeitskreis Altenhilfeplanung", "altenhilfeplanung", Visibility.OPEN,
     "Seniorenpolitische Gesamtkonzepte, Pflegestrukturplanung und Quartiersentwicklung."),
    ("Arbeitskreis Jugendhilfeplanung", "jugendhilfeplanung", Visibility.OPEN,
     "Jugendhilfeplanung nach § 80 SGB VIII, Kita-Bedarfsplanung und Jugendarbeit."),
    ("Arbeitskreis Präventionsketten", "praeventionsketten", Visibility.CLOSED,
     "Integrierte kommunale Strategien von der Geburt bis zum Berufseinstieg – "
     "geschlossener Kreis der Landesprogramm-Kommunen."),
    ("Arbeitskreis Integrationsmanagement", "integrationsmanagement", Visibility.OPEN,
     "Kommunales Integrationsmanagement, Migrationsberatung und Teilhabeplanung."),
]

# (name, email, organisation, position, role, groups as (slug, group role))
PEOPLE = [
    ("Dr. Katrin Vogel", "admin@sozialplanung.example", "Institut", "Plattformbetreuung",
     SiteRole.ADMIN, []),
    ("Thomas Berger", "redaktion@sozialplanung.example", "Institut",
     "Wissenschaftlicher Mitarbeiter, Öffentlichkeitsarbeit", SiteRole.EDITOR,
     [("sozialplanung", GroupRole.MEMBER)]),
    ("Sabine Krause", "moderation@sozialplanung.example", "Institut",
     "Koordination der Arbeitskreise", SiteRole.MODERATOR,
     [("sozialplanung", GroupRole.MODERATOR), ("praeventionsketten", GroupRole.MODERATOR)]),
    ("Anja Hoffmann", "a.hoffmann@lra-weimarer-land.example", "Landkreis Weimarer Land",
     "Sozialplanerin, Fachdienst Soziales", SiteRole.MEMBER,
     [("sozialplanung", GroupRole.MEMBER), ("altenhilfeplanung", GroupRole.MODERATOR)]),
    ("Jens Schubert", "j.schubert@erfurt.example", "Stadt Erfurt",
     "Jugendhilfeplaner, Amt für Kinder, Jugend und Familie", SiteRole.MEMBER,
     [("jugendhilfeplanung", GroupRole.MODERATOR), ("praeventionsketten", GroupRole.MEMBER)]),
    ("Maria Lehmann", "m.lehmann@jena.example", "Stadt Jena",
     "Sozialplanung und Sozialberichterstattung", SiteRole.MEMBER,
     [("sozialplanung", GroupRole.MEMBER), ("integrationsmanagement", GroupRole.MEMBER)]),
    ("Frank Richter", "f.richter@kyffhaeuser.example", "Kyffhäuserkreis",
     "Altenhilfe- und Pflegeplanung", SiteRole.MEMBER,
     [("altenhilfeplanung", GroupRole.MEMBER)]),
    ("Claudia Neumann", "c.neumann@gotha.example", "Landkreis Gotha",
     "Integrationsmanagerin", SiteRole.MEMBER,
     [("integrationsmanagement", GroupRole.MODERATOR), ("sozialplanung", GroupRole.MEMBER)]),
    ("Stefan Wolf", "s.wolf@saalfeld-rudolstadt.example", "Landkreis Saalfeld-Rudolstadt",
     "Koordinator Präventionskette", SiteRole.MEMBER,
     [("praeventionsketten", GroupRole.MEMBER), ("jugendhilfeplanung", GroupRole.MEMBER)]),
    ("Heike Zimmermann", "h.zimmermann@gera.example", "Stadt Gera",
     "Sozialplanerin, Dezernat Soziales", SiteRole.MEMBER,
     [("sozialplanung", GroupRole.MEMBER)]),
    ("Martin Köhler", "m.koehler@wartburgkreis.example", "Wartburgkreis",
     "Jugendhilfeplanung", SiteRole.MEMBER, [("jugendhilfeplanung", GroupRole.MEMBER)]),
    ("Susanne Fischer", "s.fischer@tmasgff.example", "Land Thüringen (Ministerium)",
     "Referentin Sozialplanung", SiteRole.MEMBER, [("sozialplanung", GroupRole.MEMBER)]),
]

LOGINS = [
    ("Administration", "admin@sozialplanung.example"),
    ("Redaktion", "redaktion@sozialplanung.example"),
    ("Moderation", "moderation@sozialplanung.example"),
    ("Mitglied", "a.hoffmann@lra-weimarer-land.example"),
    ("Mitglied", "j.schubert@erfurt.example"),
]


def seed_demo_data(progress=print):
    """Create demo groups and members; returns (role, email, password) for the README output."""
    orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
    progress("Arbeitskreise anlegen …")
    groups = {}
    for name, slug, visibility, description in GROUPS:
        group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
        if group is None:
            group = WorkingGroup(name=name, slug=slug, visibility=visibility,
                                 description=description)
            db.session.add(group)
        groups[slug] = group
    db.session.flush()
    progress(f"Mitglieder anlegen ({len(PEOPLE)}) …")
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    for name, email, org_name, position, role, memberships in PEOPLE:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        user = User(email=email, display_name=name, organisation=orgs.get(org_name),
                    position=position, role=role, status=UserStatus.ACTIVE,
                    password_hash=password_hash, email_confirmed_at=now,
                    bio=f"{position}. Ansprechpartner/in für Fragen rund um die Planung im "
                        f"Bereich {org_name}.")
        db.session.add(user)
        db.session.flush()
        for slug, group_role in memberships:
            db.session.add(Membership(user_id=user.id, group_id=groups[slug].id, role=group_role))
    _seed_waiting_accounts(orgs, password_hash, now)
    db.session.commit()
    progress("Diskussionen, Dokumente und Neuigkeiten anlegen …")
    with current_app.test_request_context("/"):
        _seed_content(groups)
    progress("Demodaten angelegt.")
    return demo_logins()


def demo_logins():
    """(role, email, password) of the demo accounts that still exist and are active."""
    active = set(db.session.scalars(select(User.email).where(
        User.email.in_([email for _, email in LOGINS]), User.status == UserStatus.ACTIVE)))
    return [(role, email, DEMO_PASSWORD) for role, email in LOGINS if email in active]


def _seed_waiting_accounts(orgs, password_hash, now):
    """One registration waiting for approval and one open invitation, for the admin area."""
    waiting = [
        ("Peter Schulze", "p.schulze@sonneberg.example", "Landkreis Sonneberg",
         UserStatus.PENDING, now),
        ("Ines Wagner", "i.wagner@suhl.example", "Stadt Suhl", UserStatus.INVITED, None),
    ]
    for name, email, org_name, status, confirmed in waiting:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            db.session.add(User(
                email=email, display_name=name, organisation=orgs.get(org_name),
                position="Sozialplanung", status=status, email_confirmed_at=confirmed,
                password_hash=password_hash if status == UserStatus.PENDING else None))


THREADS = [
    ("sozialplanung", "Sozialbericht 2026: Welche Indikatoren nutzen Sie?",
     "a.hoffmann@lra-weimarer-land.example",
     "Liebe Kolleginnen und Kollegen,\n\nwir bereiten gerade den **Sozialbericht 2026** vor. "
     "Welche Indikatoren zur Kinder- und Altersarmut nutzen Sie auf Gemeindeebene?\n\n"
     "- SGB-II-Quote unter 15 Jahren\n- Grundsicherung im Alter\n- Wohngeldempfänger\n\n"
     "Über Hinweise freue ich mich.",
     [("m.lehmann@jena.example",
       "Wir arbeiten in Jena zusätzlich mit der *Kinderarmutsquote nach Planungsräumen*. "
       "Die Daten kommen kleinräumig aus der Kommunalstatistik."),
      ("h.zimmermann@gera.example",
       "@[Anja Hoffmann] In Gera haben wir gute Erfahrungen mit einem Kernindikatorenset "
       "gemacht, das jährlich fortgeschrieben wird. Ich lade die Übersicht gern hoch."),
      ("s.fischer@tmasgff.example",
       "Das Land stellt ab dem Frühjahr eine abgestimmte Indikatorenliste bereit. "
       "Wir informieren im Arbeitskreis, sobald sie freigegeben ist.")]),
    ("sozialplanung", "Termin für das nächste Treffen im Februar",
     "moderation@sozialplanung.example",
     "Das nächste Treffen des Arbeitskreises findet **online** statt. "
     "Bitte tragen Sie Themenwünsche hier ein.",
     [("c.neumann@gotha.example", "Ich würde gern über die Verknüpfung mit dem "
                                  "Integrationsmanagement sprechen.")]),
    ("altenhilfeplanung", "Pflegestrukturplanung: Erfahrungen mit Quartiersansätzen",
     "f.richter@kyffhaeuser.example",
     "Wer hat bereits Quartiersansätze in die Pflegestrukturplanung aufgenommen? "
     "Uns interessieren vor allem Ansätze im ländlichen Raum.",
     [("a.hoffmann@lra-weimarer-land.example",
       "Im Weimarer Land testen wir zwei Modellquartiere. Ein Zwischenbericht folgt.")]),
    ("jugendhilfeplanung", "Kita-Bedarfsplanung nach der Geburtenentwicklung",
     "j.schubert@erfurt.example",
     "Die Geburtenzahlen gehen zurück. Wie passen Sie die Kita-Bedarfsplanung an?\n\n"
     "| Jahr | Geburten |\n|---|---|\n| 2023 | 1.812 |\n| 2025 | 1.640 |",
     [("m.koehler@wartburgkreis.example", "Wir planen mit Korridoren statt Punktprognosen "
                                           "und prüfen jährlich nach.")]),
    ("praeventionsketten", "Vernetzung Frühe Hilfen und Schule",
     "s.wolf@saalfeld-rudolstadt.example",
     "Interner Austausch zu den Übergängen Kita–Grundschule in der Präventionskette.",
     [("j.schubert@erfurt.example", "In Erfurt koordinieren wir das über die "
                                    "Stadtteilkonferenzen.")]),
]


def _seed_content(groups):
    """Discussions, a document and announcements, written through the services."""
    from .announcements.services import AnnouncementData, create_announcement
    from .announcements.views import image_store
    from .documents.services import upload_document
    from .forum.models import Thread
    from .forum.services import reply, start_thread

    if db.session.scalar(select(Thread.id).limit(1)) is not None:
        return
    people = {u.email: u for u in db.session.scalars(select(User))}
    for slug, title, author, body, replies in THREADS:
        first = start_thread(people[author], groups[slug], title, body)
        thread = db.session.get(Thread, first.thread_id)
        for who, text in replies:
            reply(people[who], thread, text)
    upload_document(people["h.zimmermann@gera.example"], groups["sozialplanung"],
                    _DemoUpload("Kernindikatoren-Sozialbericht.csv",
                                "Indikator;Quelle;Ebene\nSGB-II-Quote unter 15 Jahren;BA-Statistik;"
                                "Gemeinde\nGrundsicherung im Alter;Kommunalstatistik;Gemeinde\n"),
                    description="Übersicht der Kernindikatoren, die wir in Gera jährlich "
                                "fortschreiben.", category="arbeitshilfe", tags="Indikatoren")
    editor = people["redaktion@sozialplanung.example"]
    create_announcement(editor, AnnouncementData(
        title="Neue Arbeitshilfe zur integrierten Sozialplanung",
        teaser="Das Institut hat eine Arbeitshilfe mit Praxisbeispielen aus Thüringer "
               "Landkreisen veröffentlicht.",
        body="Die Arbeitshilfe beschreibt Schritte von der Bestandsaufnahme bis zum "
             "Maßnahmenplan.", category="publication", publication="now", is_pinned=True),
        image_store())
    event_day = date.today() + timedelta(days=40)
    while event_day.weekday() != 2:  # a Wednesday
        event_day += timedelta(days=1)
    create_announcement(editor, AnnouncementData(
        title="Fachtag Sozialplanung in Erfurt",
        teaser="Austausch zu kleinräumigen Daten und Beteiligung in der Sozialplanung.",
        body="Programm und Anmeldung folgen.", category="event", publication="now",
        starts_on=event_day, starts_time=time(9, 30), ends_on=event_day, ends_time=time(16, 0),
        location="Erfurt, Kaisersaal"), image_store())


class _DemoUpload:
    """A file as a view would hand it to the documents service."""

    def __init__(self, filename, text):
        self.filename = filename
        self.stream = io.BytesIO(text.encode("utf-8"))
