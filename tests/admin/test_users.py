"""The member list of the admin area: search by name or email, filters, paging."""
import re

from ..factories import make_user, organisation
from .conftest import make_pending


def names(response):
    """Display names in the result table, in page order."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/verwaltung/mitglieder/\d+">([^<]+)</a>', body)


def test_lists_every_account_with_german_status_and_role(admin_client, admin):
    make_user(display_name="Anja Hoffmann", email="a.hoffmann@lra-weimarer-land.de",
              organisation=organisation("Landkreis Weimarer Land"))
    make_user(display_name="Jens Schubert", role="moderator", status="suspended")
    make_user(display_name="Ines Wagner", status="invited", password=None)
    response = admin_client.get("/verwaltung/mitglieder")
    html = response.get_data(as_text=True)
    assert sorted(names(response)) == ["Anja Hoffmann", "Dr. Katrin Vogel", "Ines Wagner",
                                       "Jens Schubert"]
    assert "4 Konten" in html
    assert "a.hoffmann@lra-weimarer-land.de" in html and "Landkreis Weimarer Land" in html
    for label in ("gesperrt", "eingeladen", "aktiv", "Moderation", "Administration"):
        assert label in html


def test_search_by_part_of_name_ignores_case(admin_client):
    make_user(display_name="Maria Lehmann")
    make_user(display_name="Frank Richter")
    assert names(admin_client.get("/verwaltung/mitglieder?q=LEHM")) == ["Maria Lehmann"]
    assert names(admin_client.get("/verwaltung/mitglieder?q=  richter ")) == ["Frank Richter"]


def test_search_finds_names_with_umlauts_as_typed(admin_client):
    make_user(display_name="Ömer Özdemir")
    make_user(display_name="Martin Köhler")
    assert names(admin_client.get("/verwaltung/mitglieder?q=Özdemir")) == ["Ömer Özdemir"]
    assert names(admin_client.get("/verwaltung/mitglieder?q=köhler")) == ["Martin Köhler"]


def test_list_is_in_german_alphabetical_order(admin_client):
    """Pending registrations first, then by name with Ö as O (DIN 5007)."""
    for name in ("Zora Zander", "Ömer Özdemir", "Otto Olm", "oskar Ott"):
        make_user(display_name=name)
    assert names(admin_client.get("/verwaltung/mitglieder")) == [
        "Dr. Katrin Vogel", "Ömer Özdemir", "oskar Ott", "Otto Olm", "Zora Zander"]


def test_search_by_email(admin_client):
    make_user(display_name="Claudia Neumann", email="c.neumann@gotha.example")
    make_user(display_name="Stefan Wolf", email="s.wolf@saalfeld.example")
    assert names(admin_client.get("/verwaltung/mitglieder?q=Gotha.Example")) == ["Claudia Neumann"]


def test_like_wildcards_are_searched_literally(admin_client):
    make_user(display_name="100% Planung")
    make_user(display_name="Heike Zimmermann", email="h_zimmermann@gera.example")
    make_user(display_name="Backslash \\ Test")
    make_user(display_name="Martin Köhler", email="mk@wartburgkreis.example")
    assert names(admin_client.get("/verwaltung/mitglieder?q=%25")) == ["100% Planung"]
    assert names(admin_client.get("/verwaltung/mitglieder?q=_")) == ["Heike Zimmermann"]
    assert names(admin_client.get("/verwaltung/mitglieder?q=%5C")) == ["Backslash \\ Test"]
    response = admin_client.get("/verwaltung/mitglieder?q=x%25y")
    assert names(response) == []
    assert "Keine Konten gefunden." in response.get_data(as_text=True)


def test_filter_by_status(admin_client):
    make_user(display_name="Gesperrte Person", status="suspended")
    make_pending(display_name="Wartende Person")
    assert names(admin_client.get("/verwaltung/mitglieder?status=suspended")) == \
        ["Gesperrte Person"]
    assert names(admin_client.get("/verwaltung/mitglieder?status=pending")) == ["Wartende Person"]


def test_filter_by_role_and_combined_with_search(admin_client):
    make_user(display_name="Thomas Berger", role="editor")
    make_user(display_name="Thomas Müller", role="member")
    make_user(display_name="Sabine Krause", role="editor")
    assert names(admin_client.get("/verwaltung/mitglieder?role=editor")) == \
        ["Sabine Krause", "Thomas Berger"]
    assert names(admin_client.get("/verwaltung/mitglieder?role=editor&q=thomas")) == \
        ["Thomas Berger"]


def test_unknown_filter_values_are_ignored(admin_client):
    make_user(display_name="Anja Hoffmann")
    response = admin_client.get("/verwaltung/mitglieder?status=geheim&role=gott&page=abc")
    assert len(names(response)) == 2


def test_pending_registrations_first_and_announced(admin_client):
    make_user(display_name="Aaron Aktiv")
    make_pending(display_name="Zora Wartend")
    make_pending(display_name="Unbestätigt", confirmed=False)
    response = admin_client.get("/verwaltung/mitglieder")
    html = response.get_data(as_text=True)
    assert names(response)[:2] == ["Unbestätigt", "Zora Wartend"]
    # Only confirmed addresses count as waiting for the admin.
    assert "1 Registrierung wartet auf Freischaltung." in html
    assert "E-Mail unbestätigt" in html


def test_list_is_paginated(admin_client):
    for n in range(55):
        make_user(display_name=f"Mitglied {n:02d}", password=None)
    first = names(admin_client.get("/verwaltung/mitglieder"))
    second_response = admin_client.get("/verwaltung/mitglieder?page=2")
    second = names(second_response)
    assert len(first) == 50 and len(second) == 6
    assert not set(first) & set(second)
    assert "56 Konten" in second_response.get_data(as_text=True)
    assert "Vorherige Seite" in second_response.get_data(as_text=True)


def test_user_detail_shows_account(admin_client):
    user = make_user(display_name="Anja Hoffmann", position="Sozialplanerin",
                     organisation=organisation("Landkreis Weimarer Land"))
    html = admin_client.get(f"/verwaltung/mitglieder/{user.id}").get_data(as_text=True)
    assert "Anja Hoffmann" in html and "Sozialplanerin" in html
    assert "Landkreis Weimarer Land" in html and user.email in html
    assert "Konto sperren" in html


def test_unknown_user_is_german_404(admin_client):
    response = admin_client.get("/verwaltung/mitglieder/999999")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)
