"""The member directory: only active members, filters, pagination, literal search text, every
spelling of a name, German alphabetical order."""
import re

import pytest

from sozialplanung.accounts.services import PAGE_SIZE
from sozialplanung.admin.services import approve_user, create_admin_account, invite_user
from sozialplanung.auth import services as auth_services
from sozialplanung.auth.models import TokenPurpose
from sozialplanung.auth.services import issue_token

from ..auth.support import NEW_PASSWORD, admin_request, new_client, page
from ..conftest import login
from ..factories import make_user, organisation


@pytest.fixture
def viewer(client):
    user = make_user(display_name="Vera Viewer")
    login(client, user)
    client.get("/")  # shows the welcome message
    return user


def names(response):
    """Display names of the listed members, in order."""
    return re.findall(r'<h2 class="card-title"><a href="/mitglieder/\d+">([^<]+)</a>',
                      response.get_data(as_text=True))


def directory(client, **params):
    response = client.get("/mitglieder", query_string=params)
    assert response.status_code == 200
    return response


def test_anonymous_visitors_are_sent_to_login(app):
    response = new_client(app).get("/mitglieder")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")


def test_only_active_members_are_listed(client, viewer):
    make_user(display_name="Aktive Anna")
    for status in ("invited", "pending", "suspended", "deleted"):
        make_user(status=status, display_name=f"Inaktiv {status}")
    response = directory(client)
    assert names(response) == ["Aktive Anna", "Vera Viewer"]
    assert "2 Mitglieder gefunden" in page(response)


def test_filter_by_organisation(client, viewer):
    jena, erfurt = organisation("Stadt Jena"), organisation("Stadt Erfurt")
    make_user(display_name="Jana Jena", organisation=jena)
    make_user(display_name="Erik Erfurt", organisation=erfurt)
    make_user(display_name="Gesperrt Jena", organisation=jena, status="suspended")
    response = directory(client, organisation=jena.id)
    assert names(response) == ["Jana Jena"]
    assert "1 Mitglied gefunden" in page(response)
    assert names(directory(client, organisation=0)) == ["Erik Erfurt", "Jana Jena",
                                                        "Vera Viewer"]


def test_unknown_organisation_filter_is_ignored(client, viewer):
    make_user(display_name="Jana Jena", organisation=organisation("Stadt Jena"))
    assert names(directory(client, organisation=999999)) == ["Jana Jena", "Vera Viewer"]
    assert names(directory(client, organisation="abc")) == ["Jana Jena", "Vera Viewer"]


def test_filter_by_text_in_name_or_position(client, viewer):
    make_user(display_name="Jana Jugend", position="Jugendhilfeplanung")
    make_user(display_name="Paul Pflege", position="Altenhilfe")
    make_user(display_name="Herbert Jung", position="Statistik")
    assert names(directory(client, q="JUGEND")) == ["Jana Jugend"]
    assert names(directory(client, q="hilfe")) == ["Jana Jugend", "Paul Pflege"]
    assert names(directory(client, q="ju")) == ["Herbert Jung", "Jana Jugend"]
    response = directory(client, q="niemand")
    assert names(response) == []
    assert "Keine Mitglieder passen zu diesem Filter." in page(response)


def test_text_and_organisation_filters_combine(client, viewer):
    jena = organisation("Stadt Jena")
    make_user(display_name="Jana Jugend", position="Jugendhilfe", organisation=jena)
    make_user(display_name="Erik Jugend", position="Jugendhilfe",
              organisation=organisation("Stadt Erfurt"))
    assert names(directory(client, q="jugend", organisation=jena.id)) == ["Jana Jugend"]


@pytest.mark.parametrize("query, expected", [
    ("%", ["Quote 100% Planung"]),
    ("100%", ["Quote 100% Planung"]),
    ("_", ["Erika_Muster"]),
    ("a_m", ["Erika_Muster"]),
    ("\\", ["Back\\Slash"]),
])
def test_like_wildcards_are_taken_literally(client, viewer, query, expected):
    for name in ("Quote 100% Planung", "Quote 1000 Planung", "Erika_Muster", "Erika Muster",
                 "Back\\Slash", "BackSlash"):
        make_user(display_name=name)
    assert names(directory(client, q=query)) == expected


def test_umlauts_are_found_case_insensitively(client, viewer):
    make_user(display_name="Jürgen Öztürk", position="Übergangsmanagement")
    assert names(directory(client, q="jürgen")) == ["Jürgen Öztürk"]
    assert names(directory(client, q="übergang")) == ["Jürgen Öztürk"]
    assert names(directory(client, q="ÖZTÜRK")) == ["Jürgen Öztürk"]


def test_pagination(client, viewer):
    for n in range(PAGE_SIZE + 5):
        make_user(display_name=f"Mitglied {n:02d}", password=None)
    first = directory(client)
    html = page(first)
    assert len(names(first)) == PAGE_SIZE
    assert f"{PAGE_SIZE + 6} Mitglieder gefunden" in html
    assert "Nächste Seite" in html
    second = directory(client, page=2)
    assert len(names(second)) == 6
    assert "Vorherige Seite" in page(second)
    assert not set(names(first)) & set(names(second))
    assert names(second)[-1] == "Vera Viewer"
    # Beyond the last page and nonsense page numbers do not fail.
    assert names(directory(client, page=99)) == []
    assert names(directory(client, page="abc")) == names(first)
    assert names(directory(client, page=-3)) == names(first)


def test_pagination_keeps_the_filters(client, viewer):
    jena = organisation("Stadt Jena")
    for n in range(PAGE_SIZE + 1):
        make_user(display_name=f"Planer {n:02d}", organisation=jena, password=None)
    make_user(display_name="Planer Erfurt", organisation=organisation("Stadt Erfurt"))
    html = directory(client, q="planer", organisation=jena.id).get_data(as_text=True)
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "q=planer" in next_link and f"organisation={jena.id}" in next_link
    assert names(client.get(next_link)) == [f"Planer {PAGE_SIZE:02d}"]


def test_email_shown_only_where_the_member_allows_it(client, viewer):
    make_user(display_name="Offen", email="offen@example.org", show_email=True)
    make_user(display_name="Privat", email="privat@example.org", show_email=False)
    html = page(directory(client))
    assert "offen@example.org" in html and "privat@example.org" not in html


def test_overlong_search_text_does_not_fail(client, viewer):
    make_user(display_name="Jana Jugend")
    assert directory(client, q="j" * 500).status_code == 200


@pytest.mark.parametrize("query", ["Köhler", "koehler", "Kohler", "KOEHLER", "martin koehler",
                                   "Kohler Martin", "Köh\u00adler", "Ｋöhler"])
def test_every_spelling_finds_a_name(client, viewer, query):
    """As the search finds members: ae/oe/ue and the plain vowel stand for the umlaut."""
    make_user(display_name="Martin Köhler", position="Jugendhilfeplanung")
    make_user(display_name="Karl Kohlmann")
    assert names(directory(client, q=query)) == ["Martin Köhler"]


def test_spellings_and_word_forms_count_in_the_position_too(client, viewer):
    make_user(display_name="Jürgen Öztürk", position="Übergänge und Straßensozialarbeit")
    make_user(display_name="Paul Planer", position="Sozialplanung")
    assert names(directory(client, q="uebergaenge strassen")) == ["Jürgen Öztürk"]
    assert names(directory(client, q="Planungen")) == ["Paul Planer"]
    assert names(directory(client, q="oeztuerk juergen")) == ["Jürgen Öztürk"]


def test_members_are_listed_in_german_alphabetical_order(client, viewer):
    """DIN 5007: Ö sorts as O, ß as ss, case does not count."""
    for name in ("Zora Zander", "Öykü Özdemir", "Otto Olm", "ole Ober", "Änne Arndt",
                 "Anton Abel", "Uwe Ust", "Uwe Ußmann"):
        make_user(display_name=name)
    assert names(directory(client)) == [
        "Änne Arndt", "Anton Abel", "ole Ober", "Otto Olm", "Öykü Özdemir", "Uwe Ußmann",
        "Uwe Ust", "Vera Viewer", "Zora Zander"]


def test_organisations_are_offered_in_german_alphabetical_order(client, viewer):
    html = page(directory(client))
    options = re.findall(r'<option [^>]*>([^<]+)</option>', html)
    landkreise = [o for o in options if o.startswith("Landkreis ")]
    assert landkreise.index("Landkreis Sömmerda") < landkreise.index("Landkreis Sonneberg")
    assert landkreise == sorted(landkreise, key=lambda n: n.lower().replace("ö", "o"))
    # The kinds keep their order: Landkreise, then kreisfreie Städte, then the others.
    assert options.index("Landkreis Sonneberg") < options.index("Stadt Erfurt") \
        < options.index("Sonstige")


def test_accounts_created_by_every_path_keep_their_address_private(app, client, viewer):
    """Privacy by default (DSGVO Art. 25): the address shows only once a member opts in."""
    admin = make_user(role="admin")
    with admin_request():
        invited = invite_user(admin, email="eingeladen@example.org", display_name="Ina Eingeladen",
                              organisation_id=None, role="member")
        auth_services.accept_invitation(issue_token(invited, TokenPurpose.INVITATION),
                                        "Ina Eingeladen", NEW_PASSWORD)
        registered = auth_services.register("registriert@example.org", "Rita Registriert",
                                             organisation("Stadt Jena").id, "", NEW_PASSWORD)
        registered.email_confirmed_at = registered.created_at
        approve_user(admin, registered.id)
    created, _new = create_admin_account("kommandozeile@example.org", "Klara Kommando",
                                         NEW_PASSWORD)
    html = page(directory(client))
    for user in (invited, registered, created):
        assert user.show_email is False
        assert user.display_name in html and user.email not in html
