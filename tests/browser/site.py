"""A seeded portal and the set of pages that shows every page template in its states
(signed out and in, filled and empty, forms with validation errors, admin pages).

The accessibility test (axe) and the HTML validity test (Nu Html Checker) walk the same set."""
import io
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Callable

from flask import current_app, g
from PIL import Image
from sqlalchemy import select

from sozialplanung.admin import services as admin_services
from sozialplanung.announcements import services as announcement_services
from sozialplanung.announcements.images import ImageStore
from sozialplanung.auth import services as auth_services
from sozialplanung.documents import services as document_services
from sozialplanung.extensions import db
from sozialplanung.forum import services as forum
from sozialplanung.moderation import reports as moderation
from sozialplanung.notifications.models import OutboxMail

from ..factories import PASSWORD, make_group, make_user, organisation

# --- seeding through the services ----------------------------------------------------------


class Upload:
    """What a view hands to the document services: a file name and a stream."""

    def __init__(self, filename, data):
        self.filename = filename
        self.stream = io.BytesIO(data)


def txt_file(text="Sozialstrukturatlas – Notizen zur Sitzung des Arbeitskreises"):
    return (text + "\n").encode()


def png_bytes(size=(64, 40), color=(20, 80, 110)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _fresh_g():
    for name in list(g):
        if name != "request_id":
            g.pop(name)


def add_document(actor, group, filename="Sozialbericht-2025.txt", data=None, **fields):
    with current_app.test_request_context():
        _fresh_g()
        return document_services.upload_document(actor, group, Upload(filename, data or txt_file()),
                                                 **fields)


def image_store():
    return ImageStore(current_app.config["ANNOUNCEMENT_IMAGE_DIR"])


def announce(actor, **fields):
    values = {"title": "Neue Sozialstrukturdaten 2026", "teaser": "Die **Daten** sind da.",
              "body": "Ausführlicher Text mit [Link](https://example.org/bericht).",
              "publication": "now"}
    values.update(fields)
    data = announcement_services.AnnouncementData(**values)
    return announcement_services.create_announcement(actor, data, image_store()).announcement


def event(actor, days_ahead=10, **fields):
    values = {"category": "event", "title": "Fachtag Sozialplanung",
              "teaser": "Austausch der Planerinnen und Planer in Erfurt.",
              "starts_on": date.today() + timedelta(days=days_ahead), "starts_time": time(10, 0),
              "ends_time": time(15, 30), "location": "Erfurt, Landesverwaltungsamt",
              "registration_url": "https://example.org/anmeldung"}
    values.update(fields)
    return announce(actor, **values)


def mail_link(prefix, to=None):
    """The path of the newest outbox link that starts with `prefix`."""
    db.session.expire_all()
    stmt = select(OutboxMail).order_by(OutboxMail.id.desc())
    if to:
        stmt = stmt.where(OutboxMail.to_address == to)
    for mail in db.session.scalars(stmt):
        match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", mail.body_text)
        if match:
            return match.group(1)
    raise AssertionError(f"Keine E-Mail mit einem Link {prefix}")


@dataclass
class World:
    users: dict
    group: object
    closed_group: object
    empty_group: object
    thread: object
    first_post: object
    reply: object
    document: object
    group_document: object
    news: object
    upcoming: object
    past: object
    draft: object
    tokens: dict = field(default_factory=dict)

    def user(self, who):
        return self.users.get(who)


def seed_world():
    """Members of every role, working groups, a discussion with quotes, edits, a report and
    notifications, documents in two libraries, news, events and a draft, and open mail links."""
    jena = organisation("Stadt Jena")
    users = {
        "mitglied": make_user(display_name="Anna Meier", organisation=jena,
                              position="Sozialplanerin, Jugendhilfeplanung",
                              bio="Themen: Demografie, Kita-Bedarfsplanung.", phone="03641 49-0"),
        "kollege": make_user(display_name="Bernd Schulz", position="Sozialplaner"),
        "neu": make_user(display_name="Nora Neumann"),
        "moderation": make_user(role="moderator", display_name="Carla Roth"),
        "redaktion": make_user(role="editor", display_name="Frieda Institut"),
        "verwaltung": make_user(role="admin", display_name="Gustav Verwalter"),
    }
    users["wartend"] = make_user(status="pending", display_name="Paula Wartend")
    member, colleague = users["mitglied"], users["kollege"]
    group = make_group(name="Arbeitskreis Demografie", members=[member, colleague],
                       moderators=[users["moderation"]])
    group.description = "Bevölkerungsprognosen und Altersstruktur in Thüringen."
    closed = make_group(name="Arbeitskreis Jugendhilfeplanung", closed=True, members=[member])
    empty = make_group(name="Arbeitskreis Pflege", members=[member])
    db.session.commit()

    first = forum.start_thread(member, group, "Bevölkerungsprognose 2040",
                               "Wer hat schon **Zahlen** für 2040?\n\n- Jena\n- Weimar")
    thread = first.thread
    reply = forum.reply(colleague, thread, "> Wer hat schon Zahlen?\n\nJa, siehe "
                                           "[Bericht](https://example.org/bericht). @[Anna Meier]")
    forum.edit_post(member, first, "Wer hat schon **Zahlen** für 2040? (ergänzt)")
    forum.start_thread(member, closed, "Kita-Bedarf", "Planung für 2027.")
    moderation.report_post(member, reply.id, "Bitte prüfen: Link führt nach außen.")

    document = add_document(users["redaktion"], None, title="Sozialbericht Thüringen 2025",
                            description="Der Bericht des Instituts.", category="bericht",
                            tags="Demografie, Pflege")
    group_document = add_document(member, group, filename="Protokoll-Maerz.txt",
                                  title="Protokoll März", tags="Protokoll")

    editor = users["redaktion"]
    news = announce(editor, image=io.BytesIO(png_bytes()), image_alt="Diagramm der Altersstruktur",
                    document_ids=[str(document.id)])
    upcoming = event(editor)
    past = event(editor, days_ahead=-30, title="Frühjahrstagung")
    draft = announce(editor, title="Entwurf: Newsletter", publication="draft")
    announcement_services.update_announcement(
        editor, news, announcement_services.AnnouncementData(
            title=news.title, teaser="Die **Daten** sind jetzt da.", body=news.body,
            publication="now", image_alt=news.image_alt, document_ids=[str(document.id)],
            version=news.version), image_store())

    world = World(users=users, group=group, closed_group=closed, empty_group=empty, thread=thread,
                  first_post=first, reply=reply, document=document, group_document=group_document,
                  news=news, upcoming=upcoming, past=past, draft=draft)
    world.tokens = _open_links(users)
    return world


def _open_links(users):
    """Mail links a visitor opens: password reset, invitation, registration, email change."""
    auth_services.request_password_reset(users["mitglied"].email)
    tokens = {"reset": mail_link("/passwort-zuruecksetzen/")}
    admin_services.invite_user(users["verwaltung"], email="neu.eingeladen@example.org",
                               display_name="Ines Eingeladen", organisation_id=None, role="member")
    tokens["invitation"] = mail_link("/einladung/")
    auth_services.register("registrierung@example.org", "Rita Registriert", None,
                           "Planerin", "Ein-langes-Passwort-9")
    tokens["registration"] = mail_link("/registrieren/bestaetigen/")
    auth_services.request_email_change(users["kollege"], "bernd.neu@example.org", PASSWORD)
    tokens["email"] = mail_link("/email-bestaetigen/")
    return tokens


# --- the page set ---------------------------------------------------------------------------

# Who looks at which pages; the accessibility test runs one area at a time.
AREAS = {
    "besucher": {"gast"},
    "mitglieder": {"mitglied", "neu"},
    "redaktion-moderation": {"redaktion", "moderation"},
    "verwaltung": {"verwaltung"},
}


class PageSources:
    """The HTML the server sent for each visit, kept for the HTML validity test."""

    def __init__(self):
        self.html, self.areas = {}, set()

    def complete(self):
        return self.areas == set(AREAS)

@dataclass
class Visit:
    name: str                      # unique; names screenshots and validator reports
    who: str                       # a key of World.users, or "gast"
    path: str | Callable           # or world -> path
    act: Callable | None = None    # page -> None: what the visitor does there (submit a form)


def submit(button, exact=True):
    """Press a form's button and wait for the answer page (forms with errors come back)."""
    def act(page):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=exact).first.click()
    return act


def fill_and_submit(values, button):
    def act(page):
        for label, value in values.items():
            page.get_by_label(label, exact=True).fill(value)
        submit(button)(page)
    return act


def _upload_too_large(page):
    # The request is larger than MAX_CONTENT_LENGTH (lowered by the test); the upload script
    # sends it in the background and shows the server's answer.
    config = current_app.config
    saved, config["MAX_CONTENT_LENGTH"] = config["MAX_CONTENT_LENGTH"], 2048
    try:
        page.get_by_label("Datei", exact=True).set_input_files(
            {"name": "gross.txt", "mimeType": "text/plain", "buffer": b"x" * 4096})
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Hochladen").click()
        assert answer.value.status == 413
        page.get_by_role("heading", name="Datei zu groß").wait_for()
    finally:
        config["MAX_CONTENT_LENGTH"] = saved


def _registration_closed(page):
    config = current_app.config
    saved, config["REGISTRATION_ENABLED"] = config["REGISTRATION_ENABLED"], False
    try:
        page.reload()
    finally:
        config["REGISTRATION_ENABLED"] = saved


def _register(page):
    page.get_by_label("Dienstliche E-Mail-Adresse").fill("lena.lang@example.org")
    page.get_by_label("Vor- und Nachname").fill("Lena Lang")
    page.get_by_label("Organisation").select_option(label="Stadt Jena")
    page.get_by_label("Passwort", exact=True).fill("Ein-langes-Passwort-9")
    page.get_by_label("Passwort wiederholen").fill("Ein-langes-Passwort-9")
    page.get_by_label("Ich habe die Datenschutzerklärung gelesen.").check()
    submit("Registrieren")(page)


def visits(w):
    """Every page template (and its states) once; `w` is the seeded World."""
    t, p, r = w.thread.id, w.first_post.id, w.reply.id
    d, gd = w.document.id, w.group_document.id
    n, e, dr = w.news.id, w.upcoming.id, w.draft.id
    slug, admin_id = w.group.slug, w.users["verwaltung"].id
    return [
        # signed out
        Visit("willkommen", "gast", "/"),
        Visit("anmelden", "gast", "/anmelden"),
        Visit("anmelden-leer", "gast", "/anmelden", submit("Anmelden")),
        Visit("anmelden-falsch", "gast", "/anmelden", fill_and_submit(
            {"E-Mail-Adresse": "anna@example.org", "Passwort": "falsch-falsch"}, "Anmelden")),
        Visit("registrieren", "gast", "/registrieren"),
        Visit("registrieren-fehler", "gast", "/registrieren", submit("Registrieren")),
        Visit("registrieren-gesendet", "gast", "/registrieren", _register),
        Visit("registrierung-geschlossen", "gast", "/registrieren", _registration_closed),
        Visit("passwort-vergessen", "gast", "/passwort-vergessen"),
        Visit("passwort-vergessen-fehler", "gast", "/passwort-vergessen", fill_and_submit(
            {"E-Mail-Adresse": "keine-adresse"}, "Link anfordern")),
        Visit("passwort-neu", "gast", w.tokens["reset"]),
        Visit("passwort-neu-fehler", "gast", w.tokens["reset"], fill_and_submit(
            {"Neues Passwort": "kurz", "Neues Passwort wiederholen": "anders"},
            "Passwort speichern")),
        Visit("link-ungueltig", "gast", "/passwort-zuruecksetzen/abgelaufen"),
        Visit("einladung", "gast", w.tokens["invitation"]),
        Visit("einladung-fehler", "gast", w.tokens["invitation"], submit("Zugang einrichten")),
        Visit("registrierung-bestaetigen", "gast", w.tokens["registration"]),
        Visit("email-bestaetigen", "gast", w.tokens["email"]),
        Visit("impressum", "gast", "/impressum"),
        Visit("barrierefreiheit", "gast", "/barrierefreiheit"),
        Visit("nicht-gefunden", "gast", "/gibt-es-nicht"),
        # member
        Visit("uebersicht", "mitglied", "/"),
        Visit("uebersicht-leer", "neu", "/"),
        Visit("arbeitskreise", "mitglied", "/arbeitskreise/"),
        Visit("arbeitskreis", "mitglied", f"/arbeitskreise/{slug}"),
        Visit("arbeitskreis-beitreten", "neu", f"/arbeitskreise/{slug}"),
        Visit("arbeitskreis-leer", "mitglied", f"/arbeitskreise/{w.empty_group.slug}"),
        Visit("arbeitskreis-mitglieder", "mitglied", f"/arbeitskreise/{slug}/mitglieder"),
        Visit("arbeitskreis-mitglieder-einladen-fehler", "moderation",
              f"/arbeitskreise/{slug}/mitglieder",
              fill_and_submit({"Name oder E-Mail-Adresse des Mitglieds": "Niemand Bekanntes"},
                              "Einladen")),
        Visit("thema", "mitglied", f"/themen/{t}"),
        Visit("thema-neu", "mitglied", f"/arbeitskreise/{slug}/neues-thema"),
        Visit("thema-neu-fehler", "mitglied", f"/arbeitskreise/{slug}/neues-thema",
              submit("Thema veröffentlichen")),
        Visit("antworten-zitat", "mitglied", f"/themen/{t}/antworten?zitat={r}"),
        Visit("antworten-vorschau", "mitglied", f"/themen/{t}/antworten?zitat={r}",
              submit("Vorschau")),
        Visit("beitrag-bearbeiten", "mitglied", f"/beitraege/{p}/bearbeiten"),
        Visit("beitrag-loeschen", "mitglied", f"/beitraege/{p}/loeschen"),
        Visit("beitrag-versionen", "mitglied", f"/beitraege/{p}/versionen"),
        Visit("beitrag-anhaenge", "mitglied", f"/beitraege/{p}/anhaenge"),
        Visit("beitrag-melden", "neu", f"/moderation/beitraege/{r}/melden"),
        Visit("beitrag-melden-fehler", "neu", f"/moderation/beitraege/{r}/melden",
              submit("Meldung absenden")),
        Visit("beitrag-bereits-gemeldet", "mitglied", f"/moderation/beitraege/{r}/melden"),
        Visit("benachrichtigungen", "mitglied", "/benachrichtigungen"),
        Visit("benachrichtigungen-leer", "neu", "/benachrichtigungen"),
        Visit("benachrichtigungen-einstellungen", "mitglied", "/profil/benachrichtigungen"),
        Visit("profil", "mitglied", "/profil"),
        Visit("profil-fehler", "mitglied", "/profil", fill_and_submit({"Name": ""},
                                                                     "Profil speichern")),
        Visit("profil-oeffentlich", "mitglied", f"/mitglieder/{w.users['kollege'].id}"),
        Visit("mitgliederverzeichnis", "mitglied", "/mitglieder"),
        Visit("mitgliederverzeichnis-leer", "mitglied", "/mitglieder?q=Niemand"),
        Visit("passwort-aendern", "mitglied", "/profil/passwort"),
        Visit("passwort-aendern-fehler", "mitglied", "/profil/passwort",
              submit("Passwort ändern")),
        Visit("email-aendern", "mitglied", "/profil/email"),
        Visit("email-aendern-fehler", "mitglied", "/profil/email",
              submit("Bestätigungslink senden")),
        Visit("meine-daten", "mitglied", "/profil/daten"),
        Visit("konto-loeschen", "mitglied", "/profil/konto-loeschen"),
        Visit("konto-loeschen-fehler", "mitglied", "/profil/konto-loeschen",
              submit("Konto endgültig löschen")),
        Visit("suche-ohne-begriff", "mitglied", "/suche"),
        Visit("suche-filter", "mitglied", "/suche?q=Zahlen&sortierung=datum&von=2020-01-01"),
        Visit("suche-nur-art", "mitglied", "/suche?art=dokument"),
        Visit("suche-datum-ungueltig", "mitglied", "/suche?q=Zahlen&von=0001-01-01"),
        Visit("suche-treffer", "mitglied", "/suche?q=Zahlen"),
        Visit("suche-ohne-treffer", "mitglied", "/suche?q=Raumfahrt"),
        Visit("dokumente", "mitglied", "/dokumente/"),
        Visit("dokumente-arbeitskreis", "mitglied", f"/arbeitskreise/{slug}/dokumente"),
        Visit("dokumente-leer", "mitglied", f"/arbeitskreise/{w.empty_group.slug}/dokumente"),
        Visit("dokument", "mitglied", f"/dokumente/{gd}"),
        Visit("dokument-institut", "mitglied", f"/dokumente/{d}"),
        Visit("dokument-hochladen", "mitglied", f"/arbeitskreise/{slug}/dokumente/hochladen"),
        Visit("dokument-hochladen-fehler", "mitglied",
              f"/arbeitskreise/{slug}/dokumente/hochladen", submit("Hochladen")),
        Visit("dokument-zu-gross", "mitglied", f"/arbeitskreise/{slug}/dokumente/hochladen",
              _upload_too_large),
        Visit("dokument-bearbeiten", "mitglied", f"/dokumente/{gd}/bearbeiten"),
        Visit("dokument-bearbeiten-fehler", "mitglied", f"/dokumente/{gd}/bearbeiten",
              fill_and_submit({"Titel": ""}, "Speichern")),
        Visit("dokument-neue-version", "mitglied", f"/dokumente/{gd}/neue-version"),
        Visit("dokument-neue-version-fehler", "mitglied", f"/dokumente/{gd}/neue-version",
              submit("Version hochladen")),
        Visit("dokument-loeschen", "mitglied", f"/dokumente/{gd}/loeschen"),
        Visit("neuigkeiten", "mitglied", "/neuigkeiten"),
        Visit("neuigkeit", "mitglied", f"/neuigkeiten/{n}"),
        Visit("termin", "mitglied", f"/neuigkeiten/{e}"),
        Visit("termine", "mitglied", "/termine"),
        Visit("termine-vergangen", "mitglied", "/termine/vergangene"),
        Visit("termine-leer", "neu", "/termine/vergangene?page=9"),
        Visit("feeds", "mitglied", "/neuigkeiten/abonnieren"),
        Visit("keine-berechtigung", "mitglied", "/verwaltung/mitglieder"),
        # editors
        Visit("redaktion", "redaktion", "/neuigkeiten/redaktion"),
        Visit("neuigkeit-entwurf", "redaktion", f"/neuigkeiten/{dr}"),
        Visit("mitteilung-neu", "redaktion", "/neuigkeiten/neu"),
        Visit("mitteilung-neu-fehler", "redaktion", "/neuigkeiten/neu", submit("Speichern")),
        Visit("mitteilung-bearbeiten", "redaktion", f"/neuigkeiten/{n}/bearbeiten"),
        Visit("mitteilung-versionen", "redaktion", f"/neuigkeiten/{n}/versionen"),
        Visit("mitteilung-loeschen", "redaktion", f"/neuigkeiten/{dr}/loeschen"),
        # moderators
        Visit("moderation-meldungen", "moderation", "/moderation/"),
        Visit("moderation-protokoll", "moderation", "/moderation/protokoll"),
        Visit("moderation-thema", "moderation", f"/moderation/themen/{t}"),
        Visit("moderation-thema-fehler", "moderation", f"/moderation/themen/{t}",
              fill_and_submit({"Neuer Titel": ""}, "Umbenennen")),
        Visit("moderation-beitrag", "moderation", f"/moderation/beitraege/{r}"),
        Visit("moderation-sperren", "moderation",
              f"/moderation/mitglieder/{w.users['kollege'].id}/sperren"),
        Visit("moderation-sperren-fehler", "moderation",
              f"/moderation/mitglieder/{w.users['kollege'].id}/sperren", submit("Konto sperren")),
        # admins
        Visit("verwaltung-uebersicht", "verwaltung", "/"),
        Visit("verwaltung-mitglieder", "verwaltung", "/verwaltung/mitglieder"),
        Visit("verwaltung-mitglied", "verwaltung", f"/verwaltung/mitglieder/{admin_id}"),
        Visit("verwaltung-mitglied-wartend", "verwaltung",
              f"/verwaltung/mitglieder/{w.users['wartend'].id}"),
        Visit("verwaltung-mitglied-loeschen", "verwaltung",
              f"/verwaltung/mitglieder/{w.users['kollege'].id}/loeschen"),
        Visit("verwaltung-einladen", "verwaltung", "/verwaltung/mitglieder/einladen"),
        Visit("verwaltung-einladen-fehler", "verwaltung", "/verwaltung/mitglieder/einladen",
              submit("Einladung senden")),
        Visit("verwaltung-protokoll", "verwaltung", "/verwaltung/protokoll"),
        Visit("verwaltung-postausgang", "verwaltung", "/verwaltung/postausgang"),
        Visit("verwaltung-rechtstexte", "verwaltung", "/verwaltung/seiten/impressum"),
        Visit("arbeitskreis-anlegen", "verwaltung", "/arbeitskreise/neu"),
        Visit("arbeitskreis-anlegen-fehler", "verwaltung", "/arbeitskreise/neu",
              submit("Speichern")),
        Visit("arbeitskreis-bearbeiten", "verwaltung", f"/arbeitskreise/{slug}/bearbeiten"),
    ]


@dataclass
class Seen:
    visit: Visit
    page: object
    status: int
    html: str


def walk(as_user, base_url, world, only=None):
    """Open every visit (signed in as its persona, one browser context per persona) and yield
    what the visitor sees: the page and the HTML the server sent."""
    pages = {}
    for visit in visits(world):
        if only and not only(visit):
            continue
        if visit.who not in pages:
            pages[visit.who] = _recording_page(as_user(world.user(visit.who)))
        page = pages[visit.who]
        page.documents.clear()
        path = visit.path(world) if callable(visit.path) else visit.path
        page.goto(base_url + path)
        if visit.act:
            visit.act(page)
        response = page.documents[-1]
        yield Seen(visit, page, response.status, response.text())


def _recording_page(page):
    """Remember the responses that became the page (documents, and the upload script's XHR)."""
    page.documents = []

    def record(response):
        kind = response.request.resource_type
        if 300 <= response.status < 400:
            return
        if kind == "document" or (
                kind == "xhr" and "text/html" in response.headers.get("content-type", "")):
            page.documents.append(response)
    page.on("response", record)
    return page
