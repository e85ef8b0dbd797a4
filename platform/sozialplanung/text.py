"""Cleaning what people type: characters that cannot be seen but change how text reads."""
import re
import unicodedata

# Bidirectional embeddings, overrides and isolates: "\u202egnp.exe" displays as "exe.png",
# a title or a post can be made to read differently from what it says.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# For names, titles and file names: every character Unicode calls default-ignorable, as it
# draws nothing ("Anja Hoff\u00admann" looks like "Anja Hoffmann"): zero-width spaces and
# joiners, soft hyphens, direction marks, the Mongolian vowel separator, variation selectors,
# fillers, the BOM and the tag characters. And the braille blank, which looks like a space.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")


def without_invisible(value):
    """A single-line name or title without invisible characters."""
    return INVISIBLE.sub("", value or "")


def without_bidi_controls(value):
    """Running text without direction overrides (zero-width joiners stay: emoji need them)."""
    return BIDI_CONTROLS.sub("", value or "")


def single_line(value, form="NFC"):
    """A name as lists, links and mentions show it: without invisible, control and format
    characters, one space between words, in the Unicode normal form `form`. NFC makes "ü"
    typed as u + ¨ one letter; NFKC also turns full-width letters and ligatures into plain
    ones."""
    value = "".join(ch for ch in without_invisible(value)
                    if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(unicodedata.normalize(form, value).split())


def name_key(name):
    """What makes two names the same to a reader: case, spacing, invisible characters and
    compatibility forms (full-width letters, ligatures) don't count."""
    return unicodedata.normalize("NFKC", single_line(name, "NFKC").casefold())
