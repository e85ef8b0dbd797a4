"""Working-group names are cleaned like thread titles and member names, and unique however they
are written, so two groups never look alike; slugs never collide."""
import pytest
from sqlalchemy import select

from sozialplanung.errors import ValidationError
from sozialplanung.extensions import db
from sozialplanung.groups import services
from sozialplanung.groups.models import MembershipRequest, WorkingGroup

from ..factories import make_group
from ..forum.support import count_rows, location, reload, signed_in, text

TAKEN = "Es gibt bereits einen Arbeitskreis mit diesem Namen."
NO_LETTER = "Der Name muss mindestens einen Buchstaben oder eine Ziffer enthalten."
EMPTY = "Bitte geben Sie einen Namen mit höchstens 160 Zeichen an."


def create(world, name, description="", visibility="open"):
    return services.create_group(world.admin, name=name, description=description,
                                 visibility=visibility)


@pytest.mark.parametrize("name", [
    "arbeitskreis vertraulich",
    "ARBEITSKREIS VERTRAULICH",
    "Arbeitskreis Vertraulich\u200b",
    "Arbeitskreis  Vertraulich",
    " Arbeitskreis\tVertraulich ",
    "Arbeitskreis Ver\u00adtraulich",        # soft hyphen
    "Arbeitskreis \u202eVertraulich",
    "Arbeitskreis Vertrau\u2060lich",
    "Ａｒｂｅｉｔｓｋｒｅｉｓ Vertraulich",      # full-width letters
])
def test_a_name_written_differently_is_still_taken(app, world, name):
    admin = signed_in(app, world.admin)
    response = admin.post("/arbeitskreise/neu", data={"name": name, "visibility": "open"})
    assert response.status_code == 200
    assert TAKEN in text(response)
    assert count_rows(WorkingGroup) == 1


def test_archived_groups_keep_their_name(world):
    archived = make_group(name="Arbeitskreis Alt")
    archived.is_archived = True
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        create(world, "arbeitskreis alt")
    assert "name" in refused.value.errors


@pytest.mark.parametrize("name, message", [
    ("---", NO_LETTER), ("  –  ", NO_LETTER), ("…!?", NO_LETTER), ("\u0301\u0308", NO_LETTER),
    ("\u200b\u202e", EMPTY),
])
def test_a_name_needs_a_letter_or_digit(app, world, name, message):
    admin = signed_in(app, world.admin)
    response = admin.post("/arbeitskreise/neu", data={"name": name, "visibility": "open"})
    assert response.status_code == 200
    assert message in text(response)
    assert count_rows(WorkingGroup) == 1


def test_names_are_stored_cleaned(world):
    group = create(world, "  Arbeitskreis\u200b  Sozial\u00adplanung \u202eTest\u202c ")
    assert group.name == "Arbeitskreis Sozialplanung Test"
    decomposed = create(world, "Arbeitskreis Gru\u0308n")
    assert decomposed.name == "Arbeitskreis Grün" and decomposed.slug == "gruen"
    with pytest.raises(ValidationError):
        create(world, "Arbeitskreis Grün")


def test_other_scripts_are_kept(world):
    group = create(world, "سلام \u202e Test")
    assert group.name == "سلام Test"


def test_renaming_follows_the_same_rules(app, world):
    other = make_group(name="Arbeitskreis Jugendhilfe")
    admin = signed_in(app, world.admin)
    response = admin.post(f"/arbeitskreise/{other.slug}/bearbeiten",
                          data={"name": "arbeitskreis  vertraulich", "visibility": "open"})
    assert response.status_code == 200
    assert TAKEN in text(response)
    assert reload(WorkingGroup, other.id).name == "Arbeitskreis Jugendhilfe"
    response = admin.post(f"/arbeitskreise/{other.slug}/bearbeiten",
                          data={"name": "---", "visibility": "open"})
    assert NO_LETTER in text(response)
    # A group may change how its own name is written.
    response = admin.post(f"/arbeitskreise/{world.slug}/bearbeiten",
                          data={"name": "ARBEITSKREIS  Vertraulich\u200b", "visibility": "closed"})
    assert response.status_code == 302
    group = reload(WorkingGroup, world.group.id)
    assert (group.name, group.slug) == ("ARBEITSKREIS Vertraulich", world.slug)


def test_description_loses_direction_overrides_but_keeps_lines(world):
    group = create(world, "Arbeitskreis Text", "Zeile \u202eeins\r\nZeile zwei\u200d👩‍💻\n")
    assert group.description == "Zeile eins\nZeile zwei\u200d👩‍💻"


def test_membership_request_message_loses_direction_overrides(app, world):
    outsider = signed_in(app, world.outsider)
    outsider.post(f"/arbeitskreise/{world.slug}/anfragen",
                  data={"message": " Bitte \u202eaufnehmen "})
    assert db.session.scalar(select(MembershipRequest.message)) == "Bitte aufnehmen"


def test_flash_shows_the_cleaned_name(app, world):
    admin = signed_in(app, world.admin)
    response = admin.post("/arbeitskreise/neu",
                          data={"name": "Arbeitskreis  Neu\u200b", "visibility": "open"})
    assert response.status_code == 302
    assert "Der Arbeitskreis Neu ist angelegt." in text(admin.get(location(response)))


# --- slugs ----------------------------------------------------------------------------------

def test_slugs_never_collide(world):
    slugs = {world.slug}
    for name in ["Arbeitskreis Jugend", "Jugend", "Jugend!", "Arbeitskreis Jugend-", "Neu",
                 "Arbeitskreis Neu", "Σοσιαλ", "Ψ", "Arbeitskreis"]:
        slugs.add(create(world, name).slug)
    assert len(slugs) == 10
    assert {"jugend", "jugend-2", "jugend-3", "jugend-4"} <= slugs
    assert "neu" not in slugs


def test_long_names_give_slugs_without_trailing_hyphens(world):
    base = "Arbeitskreis " + "x" * 79 + " y"
    first, second = create(world, base), create(world, base + " z")
    assert first.slug == "x" * 79
    assert second.slug == "x" * 75 + "-2"
    assert not first.slug.endswith("-") and len(second.slug) <= 80


def test_a_renamed_groups_old_name_gives_a_new_slug(world):
    group = create(world, "Arbeitskreis Pflege")
    services.update_group(world.admin, group, name="Arbeitskreis Altenhilfe", description="",
                          visibility="open")
    again = create(world, "Arbeitskreis Pflege")
    assert (reload(WorkingGroup, group.id).slug, again.slug) == ("pflege", "pflege-2")
