"""Display names: how a typed name is cleaned, and which names are taken.

Every way a name gets set (profile, invitation, registration, approval, command line) goes
through here, so no path lets a second "Anja Hoffmann" in: two members with one name could be
mistaken for each other, and an @[Name] mention would not know whom it means.
"""
from confusable_homoglyphs import confusables
from confusable_homoglyphs.categories import unique_aliases
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..text import name_key, single_line
from .erasure import ANONYMOUS_NAME
from .models import User, UserStatus

MAX_LENGTH = 120
# Accounts whose name is in use: a pending registration or an open invitation holds none yet.
NAME_HOLDERS = (UserStatus.ACTIVE, UserStatus.SUSPENDED)
# Scripts with letters that look like Latin ones (Cyrillic "а", Greek "Ο"): a name mixing two of
# them could pass for another member's ("Аnja Hoffmann" with a Cyrillic А). A name in one of
# them alone, or Latin beside Chinese, Arabic or other scripts, is fine (Unicode TR 39's
# "moderately restrictive" idea).
LOOK_ALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})


def clean_display_name(value):
    """The name as everyone will see it, or ValidationError.

    Invisible characters go, spaces are collapsed, full-width letters and ligatures become
    plain letters (NFKC). A name needs a letter, may not mix look-alike scripts, and may not
    pass for a deleted account's.
    """
    name = single_line(value, "NFKC")
    if not name or len(name) > MAX_LENGTH:
        _refuse(_("Bitte geben Sie einen Namen mit höchstens 120 Zeichen an."))
    if not any(ch.isalpha() for ch in name):
        _refuse(_("Der Name muss mindestens einen Buchstaben enthalten."))
    if len(unique_aliases(name) & LOOK_ALIKE_SCRIPTS) > 1:
        _refuse(_("Bitte schreiben Sie den Namen in einer Schrift: lateinische Buchstaben nicht "
                  "gemischt mit kyrillischen oder griechischen."))
    if name_key(name).startswith(name_key(ANONYMOUS_NAME)):
        _refuse(_("Dieser Name ist für gelöschte Konten vorgesehen. Bitte geben Sie einen "
                  "anderen Namen an."))
    return name


def ensure_name_is_free(name, user_id=None):
    """Refuse a name another active or suspended account has, however it is written."""
    if name_holder(name, user_id) is not None:
        _refuse(_("Dieser Name wird bereits von einem anderen Mitglied verwendet. Bitte "
                  "ergänzen Sie ihn, zum Beispiel um einen zweiten Vornamen oder die Kommune."))


def name_holder(name, user_id=None):
    """The id of another account that holds this name (case, spacing, invisible characters,
    compatibility forms and look-alike letters of other scripts don't count), or None."""
    # Compared in Python: NFKC and casefold go beyond SQL lower(). Names are set rarely, and
    # reading the members' names once is cheap.
    key = name_key(as_latin(name))
    holders = db.session.execute(select(User.id, User.display_name).where(
        User.status.in_(NAME_HOLDERS), User.id != (user_id or 0)))
    return next((holder_id for holder_id, other in holders
                 if name_key(as_latin(other)) == key), None)


def as_latin(name):
    """The name with letters of other scripts that look like Latin ones written as those
    (Unicode's confusables data): "Оѕѕі Расе" in Cyrillic reads as "Ossi Pace"."""
    if name.isascii():
        return name
    found = confusables.is_confusable(name, greedy=True, preferred_aliases=["latin"]) or []
    latin = {}
    for item in found:
        look_alike = next((h["c"] for h in item["homoglyphs"] if h["n"].startswith("LATIN ")),
                          None)
        if look_alike:
            latin[item["character"]] = look_alike
    return "".join(latin.get(ch, ch) for ch in name)


def _refuse(message):
    raise ValidationError(message, {"display_name": message})
