"""One rule for display names on every path: cleaned the same way, unique however they are
written, and still found by @[Name] mentions."""
import pytest

from sozialplanung.accounts.names import clean_display_name, name_holder
from sozialplanung.admin.services import create_admin_account
from sozialplanung.errors import ValidationError
from sozialplanung.forum.services import render_post
from sozialplanung.text import name_key, single_line, without_invisible

from ..auth.support import NEW_PASSWORD
from ..factories import make_user

TAKEN = "Dieser Name wird bereits von einem anderen Mitglied verwendet."


@pytest.mark.parametrize("character", [
    "\u00ad",              # soft hyphen
    "\u061c",              # Arabic letter mark
    "\u180e",              # Mongolian vowel separator
    "\U000e0001",          # language tag
    "\U000e0041",          # tag latin capital letter A
    "\U000e007f",          # cancel tag
    "\u034f",              # combining grapheme joiner
    "\ufe0f",              # variation selector
    "\u3164",              # Hangul filler
    "\u2800",              # braille blank
    "\u200b", "\u202e", "\u2066", "\ufeff",
])
def test_invisible_characters_are_removed_from_names_titles_and_file_names(character):
    assert without_invisible(f"Anja{character} Hoff{character}mann") == "Anja Hoffmann"


def test_visible_text_is_kept():
    text = "Jürgen Öztürk-Müller, Straße 5 · سلام · Σοφία"
    assert without_invisible(text) == text


def test_single_line_collapses_spaces_and_composes():
    assert single_line("  Ju\u0308rgen\t\n Mu\u0308ller\x00 ") == "Jürgen Müller"
    assert single_line("Ａｎｊａ ﬁne", "NFKC") == "Anja fine"


def test_name_key_ignores_case_spacing_and_compatibility_forms():
    assert name_key("Ａｎｊａ  HOFFMANN\u00ad") == name_key("anja hoffmann")
    assert name_key("Anja Hoffmann") != name_key("Anja Hofmann")


@pytest.mark.parametrize("typed, stored", [
    ("  Anja \u200b Hoffmann ", "Anja Hoffmann"),
    ("Ａｎｊａ Hoffmann", "Anja Hoffmann"),
    ("Dr.\u00a0Katrin\u2003Vogel", "Dr. Katrin Vogel"),
    ("Ju\u0308rgen", "Jürgen"),
])
def test_names_are_stored_as_they_are_seen(typed, stored):
    assert clean_display_name(typed) == stored


@pytest.mark.parametrize("typed", ["", "\u200b\u2800", "---", "1234", "Ehemaliges Mitglied 1",
                                   "EHEMALIGES\u00a0MITGLIED", "x" * 121])
def test_unusable_names_are_refused_on_the_name_field(typed):
    with pytest.raises(ValidationError) as refused:
        clean_display_name(typed)
    assert "display_name" in refused.value.errors


def test_only_active_and_suspended_accounts_hold_their_name(app):
    active = make_user(display_name="Anja Hoffmann")
    for status in ("pending", "invited", "deleted"):
        make_user(display_name="Bernd Brandt", status=status)
    suspended = make_user(display_name="Carla Conrad", status="suspended")
    assert name_holder("anja  HOFFMANN\u200b") == active.id
    assert name_holder("Ａｎｊａ Hoffmann") == active.id
    assert name_holder("Anja Hoffmann", active.id) is None  # an account may keep its own name
    assert name_holder("Bernd Brandt") is None
    assert name_holder("carla conrad") == suspended.id


def test_command_line_admin_follows_the_name_rules(app):
    make_user(display_name="Anja Hoffmann")
    with pytest.raises(ValidationError) as refused:
        create_admin_account("admin@example.org", "anja hoffmann\u200b", NEW_PASSWORD)
    assert TAKEN in refused.value.message
    user, created = create_admin_account("admin@example.org", " Ada\u00ad  Admin ", NEW_PASSWORD)
    assert created and user.display_name == "Ada Admin"


def test_mentions_find_a_member_whose_name_was_cleaned(app):
    """@[Name] mentions look names up as written; a cleaned name is the one people see."""
    member = make_user(display_name=clean_display_name(" Jürgen\u00ad  Mu\u0308ller "))
    for written in ("@[Jürgen Müller]", "@[jürgen müller]"):
        html, mentioned = render_post(f"Hallo {written}, bitte schauen Sie hier.")
        assert mentioned == [member]
        assert f'href="/mitglieder/{member.id}"' in html
