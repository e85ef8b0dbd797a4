"""Search filters as members use them (author by name, filters without words, German calendar
days), results of every kind on one page, and German word forms alike on SQLite and
PostgreSQL."""
import re
from datetime import date, datetime

import pytest

from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.forum.services import reply, start_thread
from sozialplanung.search import services
from sozialplanung.search.query import highlight, parse, word_forms

from ..conftest import login
from ..factories import make_group, make_user


def page_of(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def status_line(response):
    match = re.search(r'<p role="status">([^<]*)</p>', page_of(response))
    return match.group(1) if match else None


HIT = re.compile(r'<h2 class="hit-title"><span class="flag">([^<]*)</span>'
                 r'(?: <span class="flag flag-warning">[^<]*</span>)? <a href="([^"]*)">(.*?)</a>')


def results(response):
    """(flag, title) of every result, in page order (marks of matches removed)."""
    return [(flag, re.sub(r"</?mark>", "", title)) for flag, _link, title in
            HIT.findall(page_of(response))]


def links(response):
    return [link for _flag, link, _title in HIT.findall(page_of(response))]


def search(client, q="", **params):
    return client.get("/suche", query_string={"q": q, **params})


def set_created(post, when):
    post.created_at = when
    db.session.commit()


@pytest.fixture
def people():
    anja = make_user(display_name="Anja Hoffmann", position="Jugendhilfeplanung")
    bernd = make_user(display_name="Bernd Hoffmann", position="Statistik")
    clara = make_user(display_name="Clara Schulz", position="Quartiersmanagerin")
    outsider = make_user(display_name="Otto Außen")
    group = make_group(name="Arbeitskreis Sozialplanung", members=[anja, bernd, clara])
    closed = make_group(name="Arbeitskreis Haushalt", closed=True, members=[anja])
    return {"anja": anja, "bernd": bernd, "clara": clara, "outsider": outsider,
            "group": group, "closed": closed}


def test_author_by_full_name_part_of_a_name_or_unknown(client, people):
    first = start_thread(people["anja"], people["group"], "Haushaltsplanung 2027",
                         "Der Haushalt für die Jugendhilfe steht.", "a1")
    reply(people["bernd"], db.session.get(Thread, first.thread_id),
          "Im Haushalt fehlen Mittel.", "b1")
    login(client, people["clara"])
    assert status_line(search(client, "Haushalt", art="beitrag",
                              autor="anja hoffmann")) == "1 Treffer"
    both = search(client, "Haushalt", art="beitrag", autor="Hoffmann")
    assert status_line(both) == "2 Treffer"
    assert "Verfasst von einem dieser Mitglieder:" in page_of(both)
    assert ">Anja Hoffmann</a>, <a" in page_of(both)
    unknown = search(client, "Haushalt", autor="Hofman")
    assert "Kein Mitglied heißt „Hofman“" in page_of(unknown)
    assert results(unknown) == []


def test_filters_without_words_list_everything_by_a_member_newest_first(client, people):
    first = start_thread(people["anja"], people["group"], "Sozialbericht", "Erster Entwurf.", "a1")
    thread = db.session.get(Thread, first.thread_id)
    set_created(first, datetime(2026, 1, 5, 9))
    later = reply(people["anja"], thread, "Zweiter Entwurf.", "a2")
    set_created(later, datetime(2026, 2, 5, 9))
    reply(people["bernd"], thread, "Danke!", "b1")
    start_thread(people["anja"], people["closed"], "Vertraulich", "Interna.", "a3")
    login(client, people["outsider"])
    listing = search(client, autor="Anja Hoffmann")
    assert status_line(listing) == "3 Treffer"  # the thread and her two posts
    titles = results(listing)
    assert ("Beitrag", "Sozialbericht") in titles and ("Thema", "Sozialbericht") in titles
    assert "Vertraulich" not in page_of(listing) and "Interna" not in page_of(listing)
    assert len(results(search(client, art="beitrag", autor="Anja Hoffmann"))) == 2
    snippets = re.findall(r'<p class="snippet">([^<]*)</p>',
                          page_of(search(client, art="beitrag", autor="Anja Hoffmann")))
    assert snippets == ["Zweiter Entwurf.", "Erster Entwurf."]
    client.post("/abmelden")
    login(client, people["anja"])
    assert status_line(search(client, autor="Anja Hoffmann")) == "5 Treffer"


def test_no_words_and_no_filters_asks_for_words(client, people):
    login(client, people["anja"])
    page = page_of(search(client, "   "))
    assert "Bitte geben Sie einen Suchbegriff ein oder wählen Sie einen Filter." in page
    assert "Ihre Eingabe enthält keine Wörter" in page_of(search(client, "-Haushalt ***"))


def test_profile_links_to_the_members_contributions(client, people):
    start_thread(people["anja"], people["group"], "Kitabedarf", "Zahlen folgen.", "a1")
    login(client, people["clara"])
    profile = page_of(client.get(f"/mitglieder/{people['anja'].id}"))
    link = re.search(r'<a href="(/suche\?[^"]+)">Beiträge, Themen und Dokumente von '
                     r'Anja Hoffmann</a>', profile)
    assert link, profile
    listing = client.get(link.group(1).replace("&amp;", "&"))
    assert ("Thema", "Kitabedarf") in results(listing)


def test_dates_are_german_calendar_days(client, people):
    post = start_thread(people["anja"], people["group"], "Osterplanung", "Quartiersfest.", "a1")
    set_created(post, datetime(2026, 3, 31, 22, 30))  # 1 April, 00:30 in Berlin (CEST)
    login(client, people["clara"])
    assert status_line(search(client, "Quartiersfest", von="2026-04-01",
                              bis="2026-04-01")) == "1 Treffer"
    assert status_line(search(client, "Quartiersfest", bis="2026-03-31")) == "0 Treffer"
    reversed_range = page_of(search(client, "Quartiersfest", von="2026-04-02",
                                    bis="2026-04-01"))
    assert "Das Datum „bis“ liegt vor dem Datum „von“" in reversed_range
    # Typed the German way (no date picker in the browser, or a hand-written link).
    assert status_line(search(client, "Quartiersfest", von="01.04.2026",
                              bis="1.4.2026")) == "1 Treffer"
    for von, bis in (("gestern", ""), ("", "2026-13-45"), ("0001-01-01", ""), ("", "9999-12-31"),
                     ("31.02.2026", ""), ("", "1" * 5000)):
        page = page_of(search(client, "Quartiersfest", von=von, bis=bis))
        assert "Bitte geben Sie Tage an, die es gibt, als TT.MM.JJJJ" in page
        field = "„von“" if von else "„bis“"
        assert f"Die Angabe {field} ist kein gültiger Tag." in page
        assert results(search(client, "Quartiersfest", von=von, bis=bis)) == []


def test_every_kind_reaches_the_first_page_with_its_own_label(client, people):
    thread = db.session.get(Thread, start_thread(
        people["anja"], people["group"], "Quartiersarbeit im Landkreis",
        "Auftakt zur Quartiersarbeit.", "a1").thread_id)
    for n in range(25):
        reply(people["bernd"], thread, f"Quartiersarbeit Punkt {n}.", f"b{n}")
    make_user(display_name="Quentin Quartiersarbeit")
    login(client, people["clara"])
    found = results(search(client, "Quartiersarbeit"))
    assert len(found) == services.PER_PAGE
    assert found[0] == ("Thema", "Quartiersarbeit im Landkreis")
    flags = {flag for flag, _title in found}
    assert flags == {"Thema", "Beitrag", "Mitglied"}
    assert status_line(search(client, "Quartiersarbeit")) == "28 Treffer"
    first_page = links(search(client, "Quartiersarbeit"))
    second_page = links(search(client, "Quartiersarbeit", seite=2))
    assert len(second_page) == 8 and set(first_page).isdisjoint(second_page)


def test_members_matched_by_name_before_those_matched_by_their_work(client, people):
    make_user(display_name="Petra Statistik")
    login(client, people["anja"])
    found = results(search(client, "Statistik", art="mitglied"))
    assert found == [("Mitglied", "Petra Statistik"), ("Mitglied", "Bernd Hoffmann")]


def tabs(response):
    """(label, link, current) of the tabs that show the results by kind."""
    nav = re.search(r'<nav class="tabs" aria-label="Treffer nach Art">(.*?)</nav>',
                    page_of(response), re.S).group(1)
    return [(label, link.replace("&amp;", "&"), bool(current)) for link, current, label in
            re.findall(r'<a href="([^"]*)"( aria-current="page")?>([^<]*)</a>', nav)]


def test_tabs_count_each_kind_and_keep_the_filters(client, people):
    start_thread(people["anja"], people["group"], "Kita", "Kita und Schule.", "a1")
    login(client, people["clara"])
    found = tabs(search(client, "Kita", autor="Anja Hoffmann"))
    assert [(label, current) for label, _link, current in found] == [
        ("Alles (2)", True), ("Themen (1)", False), ("Beiträge (1)", False),
        ("Dokumente (0)", False), ("Neuigkeiten und Termine (0)", False),
        ("Mitglieder (0)", False)]
    posts_tab = found[2][1]
    assert "q=Kita" in posts_tab and "art=beitrag" in posts_tab and "autor=Anja" in posts_tab
    in_posts = client.get(posts_tab)
    assert results(in_posts) == [("Beitrag", "Kita")]
    assert [current for _label, _link, current in tabs(in_posts)][2] is True
    assert 'name="art" value="beitrag"' in page_of(in_posts)  # a new query stays in the tab


def test_filters_fold_away_until_used(client, people):
    login(client, people["clara"])
    assert "<details class=\"search-filters\">" in page_of(search(client, "Kita"))
    opened = page_of(search(client, "Kita", sortierung="datum"))
    assert '<details class="search-filters" open>' in opened
    assert '<option value="datum" selected>' in opened


def test_listing_without_words_says_it_is_sorted_by_date(client, people):
    start_thread(people["anja"], people["group"], "Kita", "Kita und Schule.", "a1")
    login(client, people["clara"])
    page = page_of(search(client, autor="anja"))
    assert '<option value="datum" selected>' in page
    assert "Verfasst von: <a" in page  # the one member the partial name stands for


@pytest.mark.parametrize("typed, found", [
    ("Übergang", 2), ("Uebergang", 2), ("Ubergang", 1), ("übergänge", 1), ("Uebergaenge", 1),
])
def test_umlauts_both_ways(client, people, typed, found):
    """Umlauts match their plain vowel and the ae/oe/ue spelling; a text written with ae/oe/ue
    is found by its own spelling or the umlaut word as typed, not by other forms of it."""
    start_thread(people["anja"], people["group"], "Schule", "Übergänge in die Ausbildung.", "a1")
    start_thread(people["anja"], people["group"], "Beruf", "Der Uebergang in den Beruf.", "a2")
    login(client, people["clara"])
    assert status_line(search(client, typed, art="beitrag")) == f"{found} Treffer"


@pytest.mark.parametrize("typed, text", [
    ("Kind", "Angebote für Kindern"), ("Kinder", "Das Kind"), ("Planungen", "Die Planung"),
    ("Massnahmenplan", "Der Maßnahmenplan"), ("Maßnahmenpläne", "Die Massnahmenplaene"),
    ("Häuser", "Im Haus"),
])
def test_word_forms_found_on_both_databases(client, people, typed, text):
    start_thread(people["anja"], people["group"], "Titel", text + ".", "a1")
    login(client, people["clara"])
    assert status_line(search(client, typed, art="beitrag")) == "1 Treffer"


def test_compounds_are_other_words(client, people):
    """As on PostgreSQL, a compound is its own word: "Pflege" does not find "Pflegeplanung"."""
    start_thread(people["anja"], people["group"], "Titel", "Die Pflegeplanung.", "a1")
    login(client, people["clara"])
    assert status_line(search(client, "Pflege", art="beitrag")) == "0 Treffer"
    assert status_line(search(client, "Pflegeplanungen", art="beitrag")) == "1 Treffer"


def test_hidden_posts_only_for_moderators(client, app, people):
    post = start_thread(people["anja"], people["group"], "Titel", "Vertraulicher Hinweis.", "a1")
    reply(people["anja"], db.session.get(Thread, post.thread_id), "Sichtbarer Hinweis.", "a2")
    db.session.get(Post, post.id).is_hidden = True
    db.session.commit()
    login(client, people["clara"])
    assert status_line(search(client, "Hinweis", art="beitrag")) == "1 Treffer"
    moderator = app.test_client()
    login(moderator, make_user(role="moderator"))
    assert status_line(search(moderator, "Hinweis", art="beitrag")) == "2 Treffer"


def test_more_matches_than_counted_say_so(client, people, monkeypatch):
    monkeypatch.setattr(services, "COUNT_CAP", 1)
    start_thread(people["anja"], people["group"], "Kita", "Kita.", "a1")
    start_thread(people["anja"], people["group"], "Kita", "Kita.", "a2")
    login(client, people["clara"])
    response = search(client, "Kita", art="beitrag")
    assert status_line(response) == "Mehr als 1 Treffer"
    assert "Beiträge (1+)" in [label for label, _link, _current in tabs(response)]


def test_numbers_in_german_format(app):
    from flask import render_template_string
    from flask_babel import force_locale
    with app.test_request_context("/"):
        assert render_template_string("{{ 1543|number }}") == "1.543"
        with force_locale("en"):
            assert render_template_string("{{ 1543|number }}") == "1,543"


def test_word_forms_unit():
    assert "kindern" in word_forms("kind") and "kind" in word_forms("kindern")
    assert "maßnahmenplan" in word_forms("massnahmenplan")
    assert "uebergang" in word_forms("übergang") and "ubergange" in word_forms("übergang")
    assert all(re.fullmatch(r"\w+", form) for form in word_forms("straße"))


def test_highlight_marks_the_words_the_search_matched():
    parsed = parse("Planung Kinder Massnahmenplan")
    snippet = highlight("Die Planungen für Kindern, die Pflegeplanung und den Maßnahmenplan.",
                        parsed)
    assert snippet == ("Die <mark>Planungen</mark> für <mark>Kindern</mark>, die Pflegeplanung "
                       "und den <mark>Maßnahmenplan</mark>.")


def test_request_dates_and_filters():
    assert not services.SearchRequest(text="x").has_filters
    assert services.SearchRequest(author=" Anja ").has_filters
    assert services.SearchRequest(date_to=date(2026, 1, 1)).has_filters


def test_document_words_may_sit_in_title_and_text(client, people):
    from .test_search_documents_announcements import add_document
    add_document(people["group"], "Kernindikatoren Sozialbericht", description="Stadt Gera",
                 text="Grundsicherung nach Quelle Kommunalstatistik")
    login(client, people["clara"])
    for q, found in (("Kernindikatoren Grundsicherung", 1), ("Gera Kommunalstatistik", 1),
                     ('"nach Quelle" Sozialbericht', 1), ("Sozialbericht -Kommunalstatistik", 0),
                     ("Grundsicherung -Gera", 0), ("Kernindikatoren Okapi", 0)):
        assert status_line(search(client, q, art="dokument")) == f"{found} Treffer", q
    titles = results(search(client, "Kernindikatoren Grundsicherung", art="dokument"))
    assert titles == [("Dokument", "Kernindikatoren Sozialbericht")]


def test_members_found_by_parts_and_spellings(client, people):
    make_user(display_name="Martin Köhler", position="Jugendhilfeplanung")
    login(client, people["anja"])
    for q in ("Köhler", "Koehler", "Kohler", "köh", "Jugendhilfeplanungen"):
        assert ("Mitglied", "Martin Köhler") in results(search(client, q, art="mitglied")), q
    assert results(search(client, "Köhler -Jugendhilfe", art="mitglied")) == []
    marked = page_of(search(client, "Koehler", art="mitglied"))
    assert "Martin <mark>Köhler</mark>" in marked


def test_author_filter_accepts_other_spellings(client, people):
    koehler = make_user(display_name="Martin Köhler")
    group = make_group(members=[koehler])
    start_thread(koehler, group, "Bedarfsplanung", "Ein Beitrag.", "k1")
    login(client, people["anja"])
    assert ("Thema", "Bedarfsplanung") in results(search(client, autor="Koehler"))
    assert "Kein Mitglied heißt" in page_of(search(client, autor="---"))


def test_a_kind_or_date_order_alone_lists_everything(client, people):
    start_thread(people["anja"], people["group"], "Erstes Thema", "Text eins.", "a1")
    login(client, people["clara"])
    assert ("Thema", "Erstes Thema") in results(search(client, art="thema"))
    assert len(results(search(client, sortierung="datum"))) == 2  # thread and post
    members = results(search(client, art="mitglied"))
    assert ("Mitglied", "Anja Hoffmann") in members and len(members) >= 4
    assert status_line(search(client, art="dokument")) == "0 Treffer"
    assert "Zu diesen Filtern gibt es nichts" in page_of(search(client, art="dokument"))


def test_too_long_queries_say_what_was_searched(client, people):
    login(client, people["clara"])
    page = page_of(search(client, " ".join(f"wort{n}" for n in range(20))))
    assert "Ihre Eingabe war zu lang: Gesucht wurde nur nach „wort0 wort1" in page
    assert "wort10 wort11“." in page
    long_page = page_of(search(client, "Okapi " * 50))
    assert "Ihre Eingabe war zu lang: Gesucht wurde nur nach „okapi“." in long_page


def test_moderators_see_which_results_are_hidden(client, app, people):
    post = start_thread(people["anja"], people["group"], "Haushalt", "Vertraulicher Hinweis.", "a1")
    db.session.get(Post, post.id).is_hidden = True
    db.session.commit()
    moderator = app.test_client()
    login(moderator, make_user(role="moderator"))
    page = page_of(search(moderator, "Hinweis", art="beitrag"))
    assert '<span class="flag flag-warning">ausgeblendet</span>' in page


def test_thread_titles_are_marked_and_events_name_their_date(client, people):
    from .test_search_documents_announcements import add_announcement
    start_thread(people["anja"], people["group"], "Fachtag Quartiersarbeit", "Programm folgt.", "a1")
    add_announcement("Fachtag Sozialplanung", "Anmeldung offen", category="event",
                     starts_at=datetime(2027, 3, 2, 9), ends_at=datetime(2027, 3, 2, 15))
    login(client, people["clara"])
    page = page_of(search(client, "Fachtag"))
    assert '<a href="/themen/' in page and "<mark>Fachtag</mark> Quartiersarbeit</a>" in page
    assert "Veranstaltung · Dienstag, 2. März 2027, 10:00–16:00 Uhr" in page
