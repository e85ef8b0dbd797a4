"""Leaving a closed (or archived) group is confirmed on a page of its own, because getting back
in takes a request and a decision; open groups are left with one click."""
from sozialplanung.extensions import db
from sozialplanung.groups.models import Membership

from ..factories import make_group
from ..forum.support import location, raw, signed_in, text


def is_member(user, group):
    db.session.expire_all()
    return db.session.get(Membership, (user.id, group.id)) is not None


def test_closed_group_page_links_to_a_confirmation(app, world):
    browser = signed_in(app, world.member)
    page = raw(browser.get(f"/arbeitskreise/{world.slug}"))
    assert f'<a class="button button-small" href="/arbeitskreise/{world.slug}/austreten">' in page
    assert f'action="/arbeitskreise/{world.slug}/austreten"' not in page
    confirm = browser.get(f"/arbeitskreise/{world.slug}/austreten")
    assert confirm.status_code == 200
    body = text(confirm)
    assert "Arbeitskreis Vertraulich verlassen?" in body
    assert "können Sie seine Themen, Beiträge und Dokumente nicht mehr lesen" in body
    assert "müssen Sie die Aufnahme erneut anfragen" in body
    assert 'name="bestaetigt" value="1"' in raw(confirm)
    assert is_member(world.member, world.group)


def test_closed_group_is_left_only_after_confirming(app, world):
    browser = signed_in(app, world.member)
    unconfirmed = browser.post(f"/arbeitskreise/{world.slug}/austreten")
    assert unconfirmed.status_code == 200 and "verlassen?" in text(unconfirmed)
    assert is_member(world.member, world.group)
    response = browser.post(f"/arbeitskreise/{world.slug}/austreten", data={"bestaetigt": "1"})
    assert response.status_code == 302 and location(response).endswith("/arbeitskreise/")
    assert "Sie haben den Arbeitskreis Vertraulich verlassen." in text(
        browser.get(location(response)))
    assert not is_member(world.member, world.group)
    # Afterwards the group is out of sight, its leave page too.
    assert browser.get(f"/arbeitskreise/{world.slug}/austreten").status_code == 404


def test_archived_open_group_warns_there_is_no_way_back(app, world):
    group = make_group(name="Arbeitskreis Ruhend", members=[world.member])
    group.is_archived = True
    db.session.commit()
    browser = signed_in(app, world.member)
    assert f'href="/arbeitskreise/{group.slug}/austreten"' in raw(
        browser.get(f"/arbeitskreise/{group.slug}"))
    assert browser.post(f"/arbeitskreise/{group.slug}/austreten").status_code == 200
    assert is_member(world.member, group)
    assert "Danach können Sie ihm nicht wieder beitreten." in text(
        browser.get(f"/arbeitskreise/{group.slug}/austreten"))


def test_open_group_is_left_with_one_click(app, world):
    group = make_group(name="Arbeitskreis Offen", members=[world.member])
    browser = signed_in(app, world.member)
    page = raw(browser.get(f"/arbeitskreise/{group.slug}"))
    assert f'action="/arbeitskreise/{group.slug}/austreten"' in page
    assert browser.post(f"/arbeitskreise/{group.slug}/austreten").status_code == 302
    assert not is_member(world.member, group)


def test_non_members_get_no_confirmation_page(app, world):
    group = make_group(name="Arbeitskreis Offen")
    browser = signed_in(app, world.outsider)
    response = browser.get(f"/arbeitskreise/{group.slug}/austreten")
    assert response.status_code == 302
    assert "Sie sind kein Mitglied im Arbeitskreis Offen." in text(
        browser.get(location(response)))
