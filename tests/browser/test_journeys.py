"""End-to-end journeys of every role in a real browser, each ending in what the person sees.

Every journey runs twice: by mouse, and by keyboard alone (Tab, Enter, Space, arrow keys and
typing; the driver checks at each stop that the focus is visible). Data the journey is not
about is seeded through the services; the journey itself uses only the pages."""
import re

import pytest

from ..factories import PASSWORD, make_group, make_user
from .helpers import Driver, axe_violations, expect
from .site import mail_link, txt_file

NEW_PASSWORD = "Ein-neues-langes-Passwort-7"


@pytest.fixture(params=["maus", "tastatur"])
def mode(request):
    return request.param


@pytest.fixture
def person(as_user, base_url, mode):
    """person(user=None) -> a Driver on a fresh, signed-out browser of its own."""
    def open_browser(user=None, password=PASSWORD):
        ui = Driver(as_user(None), mode)
        ui.base_url = base_url
        if user is not None:
            sign_in(ui, user, password)
        return ui
    return open_browser


def sign_in(ui, user, password=PASSWORD):
    page = ui.page
    page.goto(ui.base_url + "/anmelden")
    ui.skip_to_content()
    ui.fill(page.get_by_label("E-Mail-Adresse"), user.email)
    ui.fill(page.get_by_label("Passwort", exact=True), password)
    ui.activate(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Guten Tag, {user.display_name}")


def nav(ui, name):
    """Follow a link of the main navigation."""
    ui.activate(ui.page.get_by_role("navigation", name="Hauptnavigation")
                .get_by_role("link", name=name, exact=True))


def flash(page, text):
    expect(page.locator(".flash").filter(has_text=text)).to_be_visible()


def focus_lands_in(ui, selector):
    """After a page answers with an anchor (#beitrag-7), the next Tab stop is inside it."""
    if ui.keyboard:
        ui.page.keyboard.press("Tab")
        assert ui.page.evaluate(f"() => !!document.activeElement.closest({selector!r})"), \
            f"Fokus nicht in {selector}"


@pytest.fixture
def demografie():
    anna = make_user(display_name="Anna Meier")
    bernd = make_user(display_name="Bernd Schulz")
    group = make_group(name="Arbeitskreis Demografie", members=[anna, bernd])
    return anna, bernd, group


# --- discussions ------------------------------------------------------------------------------

def test_start_thread_reply_with_markdown_and_quote(person, demografie, screenshot_dir, mode):
    anna, bernd, group = demografie
    ui = person(anna)
    nav(ui, "Arbeitskreise")
    ui.activate(ui.page.get_by_role("link", name="Arbeitskreis Demografie"))
    ui.activate(ui.page.get_by_role("link", name="Neues Thema"))
    ui.fill(ui.page.get_by_label("Titel des Themas"), "Kita-Bedarfsplanung 2027")
    ui.fill(ui.page.get_by_label("Ihr Beitrag"),
            "Wir brauchen **belastbare Zahlen** für:\n\n- Jena\n- Weimar\n\n"
            "Siehe [Landesamt](https://statistik.example.org/kita).")
    ui.activate(ui.page.get_by_role("button", name="Thema veröffentlichen"))
    page = ui.page
    flash(page, "Ihr Thema ist veröffentlicht.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kita-Bedarfsplanung 2027")
    first = page.locator(".post").first
    focus_lands_in(ui, ".post")
    expect(first.locator("strong")).to_have_text("belastbare Zahlen")
    expect(first.locator(".post-body li")).to_have_text(["Jena", "Weimar"])
    expect(first.get_by_role("link", name="Landesamt")).to_have_attribute(
        "href", "https://statistik.example.org/kita")

    other = person(bernd)
    other.activate(other.page.get_by_role("link", name="Kita-Bedarfsplanung 2027"))
    other.fill(other.page.get_by_label("Ihre Antwort"),
               "Für Weimar gibt es *vorläufige* Werte:\n\n1. U3: 412\n2. Ü3: 1.380")
    other.activate(other.page.get_by_role("button", name="Antwort veröffentlichen"))
    flash(other.page, "Ihre Antwort ist veröffentlicht.")
    reply = other.page.locator(".post").nth(1)
    focus_lands_in(other, ".post:nth-child(2)")
    expect(reply.locator("em")).to_have_text("vorläufige")
    expect(reply.locator("ol li")).to_have_text(["U3: 412", "Ü3: 1.380"])

    page.reload()
    ui.skip_to_content()
    ui.activate(page.get_by_role("link", name="Zitieren (Beitrag von Bernd Schulz)"))
    body = page.get_by_label("Ihre Antwort")
    expect(body).to_have_value(re.compile(r"^@\[Bernd Schulz\] schrieb:\n> .*vorläufige", re.S))
    if ui.keyboard:
        ui.focus(body)
        page.keyboard.press("ControlOrMeta+End")
        page.keyboard.insert_text("\n\nDanke, das hilft!")
    else:
        body.press("ControlOrMeta+End")
        body.type("\n\nDanke, das hilft!")
    ui.activate(page.get_by_role("button", name="Antwort veröffentlichen"))
    flash(page, "Ihre Antwort ist veröffentlicht.")
    quote = page.locator(".post").nth(2)
    expect(quote.locator("blockquote")).to_contain_text("vorläufige")
    expect(quote.locator(".post-body > p").last).to_have_text("Danke, das hilft!")
    page.screenshot(path=str(screenshot_dir / f"reise-thema-{mode}.png"), full_page=True)
    assert axe_violations(page) == []
    page.watch.assert_quiet()


def test_search_finds_a_post(person, demografie, mode):
    from sozialplanung.forum import services as forum

    anna, bernd, group = demografie
    forum.start_thread(bernd, group, "Pflegeplanung im Saale-Holzland-Kreis",
                       "Die Sozialraumanalyse für Eisenberg ist fertig.")
    ui = person(anna)
    page = ui.page
    ui.fill(page.get_by_role("searchbox", name="Suchbegriffe").first, "Sozialraumanalyse")
    page.keyboard.press("Enter") if ui.keyboard else page.get_by_role(
        "search", name="Plattform durchsuchen").get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suche")
    expect(page.get_by_role("status")).to_contain_text("1 Treffer")
    hit = page.locator(".search-results li").first
    expect(hit.locator("mark")).to_contain_text("Sozialraumanalyse")
    ui.activate(hit.get_by_role("link", name="Pflegeplanung im Saale-Holzland-Kreis"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pflegeplanung im Saale-Holzland-Kreis")
    expect(page.locator(".post-body").first).to_contain_text("Die Sozialraumanalyse für Eisenberg")
    page.watch.assert_quiet()


# --- documents --------------------------------------------------------------------------------

def test_upload_a_document_and_download_it(person, demografie, tmp_path, screenshot_dir, mode):
    anna, _bernd, _group = demografie
    content = txt_file("Sozialstrukturatlas Jena – Kennzahlen nach Planungsraum")
    source = tmp_path / "Kennzahlen-Planungsraeume.txt"
    source.write_bytes(content)
    ui = person(anna)
    page = ui.page
    nav(ui, "Dokumente")
    ui.activate(page.get_by_role("link", name="Arbeitskreis Demografie"))
    ui.activate(page.get_by_role("link", name="Dokument hochladen"))
    ui.choose_files(page.get_by_label("Datei", exact=True), str(source))
    ui.fill(page.get_by_label("Titel", exact=True), "Kennzahlen der Planungsräume")
    ui.fill(page.get_by_label("Beschreibung"), "Stand März, vorläufig.")
    ui.select(page.get_by_label("Kategorie"), "Arbeitshilfe")
    ui.fill(page.get_by_label("Schlagwörter"), "Jena, Kennzahlen")
    ui.activate(page.get_by_role("button", name="Hochladen"), navigates=False)  # sent by script
    flash(page, "Das Dokument „Kennzahlen der Planungsräume“ ist hochgeladen.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kennzahlen der Planungsräume")
    if ui.keyboard:  # the upload script shows the answer and puts focus on the content
        expect(page.locator("#inhalt")).to_be_focused()
    expect(page.locator(".meta")).to_contain_text("Kennzahlen-Planungsraeume.txt")
    page.screenshot(path=str(screenshot_dir / f"reise-dokument-{mode}.png"), full_page=True)
    with page.expect_download() as download:
        ui.activate(page.get_by_role("link", name=re.compile(
            r"^Herunterladen ?: Kennzahlen der Planungsräume$")), navigates=False)
    assert download.value.suggested_filename == "Kennzahlen-Planungsraeume.txt"
    assert open(download.value.path(), "rb").read() == content
    page.watch.assert_quiet()


# --- moderation -------------------------------------------------------------------------------

def test_moderator_pins_and_locks_a_thread(person, demografie, screenshot_dir, mode):
    from sozialplanung.forum import services as forum

    anna, bernd, group = demografie
    forum.start_thread(bernd, group, "Termine 2027", "Bitte eintragen.")
    forum.start_thread(bernd, group, "Neuere Frage", "Noch eine.")
    moderator = make_user(role="moderator", display_name="Carla Roth")
    ui = person(moderator)
    page = ui.page
    nav(ui, "Arbeitskreise")
    ui.activate(page.get_by_role("link", name="Arbeitskreis Demografie"))
    ui.activate(page.get_by_role("link", name="Termine 2027"))
    ui.activate(page.get_by_role("link", name="Thema moderieren"))
    ui.activate(page.get_by_role("button", name="Anheften"))
    flash(page, "Das Thema ist angeheftet.")
    ui.fill(page.get_by_label("Grund").first, "Alle Termine sind eingetragen.")
    ui.activate(page.get_by_role("button", name="Schließen"))
    flash(page, "Das Thema ist geschlossen.")
    expect(page.get_by_role("button", name="Wieder öffnen")).to_be_visible()

    member = person(anna)
    nav(member, "Arbeitskreise")
    member.activate(member.page.get_by_role("link", name="Arbeitskreis Demografie"))
    first = member.page.locator(".thread-list li").first
    expect(first).to_contain_text("angeheftet")
    expect(first).to_contain_text("geschlossen")
    member.activate(first.get_by_role("link", name="Termine 2027"))
    expect(member.page.get_by_role("status").filter(has_text="geschlossen")).to_contain_text(
        "Dieses Thema ist geschlossen. Grund: Alle Termine sind eingetragen.")
    expect(member.page.get_by_role("heading", name="Antworten")).to_have_count(0)
    member.page.screenshot(path=str(screenshot_dir / f"reise-moderation-{mode}.png"),
                           full_page=True)
    page.watch.assert_quiet()
    member.page.watch.assert_quiet()


# --- announcements ----------------------------------------------------------------------------

def test_editor_publishes_an_announcement_a_member_sees(person, demografie, screenshot_dir, mode):
    anna, _bernd, _group = demografie
    editor = make_user(role="editor", display_name="Frieda Institut")
    ui = person(editor)
    page = ui.page
    nav(ui, "Neuigkeiten")
    ui.activate(page.get_by_role("link", name="Neue Mitteilung"))
    ui.fill(page.get_by_label("Titel", exact=True), "Sozialstrukturdaten 2026 erschienen")
    ui.fill(page.get_by_label("Anreißer"), "Die **neuen Daten** für alle Landkreise sind da.")
    ui.fill(page.get_by_label("Text (optional)"), "Details im Bericht.\n\n- Bevölkerung\n- Pflege")
    ui.choose_radio(page.get_by_label("Sofort veröffentlichen"))
    ui.activate(page.get_by_role("button", name="Speichern"))
    flash(page, "Die Mitteilung ist veröffentlicht.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sozialstrukturdaten 2026 erschienen")

    member = person(anna)
    news = member.page.get_by_role("region", name="Neuigkeiten des Instituts")
    expect(news).to_contain_text("Sozialstrukturdaten 2026 erschienen")
    member.activate(news.get_by_role("link", name="Sozialstrukturdaten 2026 erschienen",
                                     exact=True))
    expect(member.page.get_by_role("heading", level=1)).to_have_text(
        "Sozialstrukturdaten 2026 erschienen")
    expect(member.page.locator(".announcement-teaser strong")).to_have_text("neuen Daten")
    expect(member.page.locator(".announcement-body li")).to_have_text(["Bevölkerung", "Pflege"])
    expect(member.page.get_by_role("link", name="Bearbeiten")).to_have_count(0)
    member.page.screenshot(path=str(screenshot_dir / f"reise-neuigkeit-{mode}.png"),
                           full_page=True)
    page.watch.assert_quiet()
    member.page.watch.assert_quiet()


# --- accounts ---------------------------------------------------------------------------------

def test_password_reset_through_the_mail_outbox_then_sign_out(person, mode):
    anna = make_user(display_name="Anna Meier", email="anna.meier@example.org")
    ui = person()
    page = ui.page
    page.goto(ui.base_url + "/anmelden")
    ui.skip_to_content()
    ui.activate(page.get_by_role("link", name="Passwort vergessen?"))
    ui.fill(page.get_by_label("E-Mail-Adresse"), "anna.meier@example.org")
    ui.activate(page.get_by_role("button", name="Link anfordern"))
    flash(page, "Falls zu dieser Adresse ein aktives Konto gehört")

    page.goto(ui.base_url + mail_link("/passwort-zuruecksetzen/", to=anna.email))
    ui.skip_to_content()
    ui.fill(page.get_by_label("Neues Passwort", exact=True), NEW_PASSWORD)
    ui.fill(page.get_by_label("Neues Passwort wiederholen"), NEW_PASSWORD)
    ui.activate(page.get_by_role("button", name="Passwort speichern"))
    flash(page, "Ihr Passwort wurde geändert.")

    ui.fill(page.get_by_label("E-Mail-Adresse"), anna.email)
    ui.fill(page.get_by_label("Passwort", exact=True), NEW_PASSWORD)
    ui.activate(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guten Tag, Anna Meier")
    ui.activate(page.get_by_role("button", name="Abmelden"))
    flash(page, "Sie haben sich abgemeldet.")
    expect(page.get_by_role("navigation", name="Anmeldung")).to_be_visible()
    page.watch.assert_quiet()


def test_admin_invites_a_person_who_sets_up_the_account(person, mode):
    admin = make_user(role="admin", display_name="Gustav Verwalter")
    ui = person(admin)
    page = ui.page
    nav(ui, "Verwaltung")
    ui.activate(page.get_by_role("navigation", name="Verwaltung").get_by_role("link",
                                                                              name="Einladen"))
    ui.fill(page.get_by_label("E-Mail-Adresse"), "lena.lang@example.org")
    ui.fill(page.get_by_label("Name", exact=True), "Lena Lang")
    ui.select(page.get_by_label("Organisation"), "Stadt Jena")
    ui.select(page.get_by_label("Rolle"), "Redaktion (Institut)")
    ui.activate(page.get_by_role("button", name="Einladung senden"))
    expect(page.locator(".flash")).to_contain_text("lena.lang@example.org")

    invitee = person()
    invitee.page.goto(invitee.base_url + mail_link("/einladung/", to="lena.lang@example.org"))
    invitee.skip_to_content()
    expect(invitee.page.get_by_label("Ihr Name")).to_have_value("Lena Lang")
    invitee.fill(invitee.page.get_by_label("Neues Passwort", exact=True), NEW_PASSWORD)
    invitee.fill(invitee.page.get_by_label("Neues Passwort wiederholen"), NEW_PASSWORD)
    invitee.activate(invitee.page.get_by_role("button", name="Zugang einrichten"))
    flash(invitee.page, "Willkommen auf der Plattform!")
    expect(invitee.page.get_by_role("heading", level=1)).to_have_text("Ihr Profil")
    expect(invitee.page.get_by_role("navigation", name="Hauptnavigation")).to_contain_text(
        "Neuigkeiten")
    page.watch.assert_quiet()
    invitee.page.watch.assert_quiet()


def test_sign_in_errors_are_announced_and_focus_is_visible(person, mode):
    anna = make_user(display_name="Anna Meier")
    ui = person()
    page = ui.page
    page.goto(ui.base_url + "/anmelden")
    ui.skip_to_content()
    ui.activate(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("alert").first).to_contain_text("Bitte korrigieren Sie")
    email = page.get_by_label("E-Mail-Adresse")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Bitte füllen Sie dieses Feld aus.")
    ui.fill(email, anna.email)
    ui.fill(page.get_by_label("Passwort", exact=True), "falsch-falsch")
    ui.activate(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("alert")).to_contain_text(
        "E-Mail-Adresse oder Passwort ist nicht korrekt")
    page.watch.assert_quiet()
