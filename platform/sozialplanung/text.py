"""Cleaning what people type: characters that cannot be seen but change how text reads."""
import re

# Bidirectional embeddings, overrides and isolates: "\u202egnp.exe" displays as "exe.png",
# a title or a post can be made to read differently from what it says.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# For names, titles and file names, also zero-width spaces, joiners and marks, and the BOM.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def without_invisible(value):
    """A single-line name or title without invisible characters."""
    return INVISIBLE.sub("", value or "")


def without_bidi_controls(value):
    """Running text without direction overrides (zero-width joiners stay: emoji need them)."""
    return BIDI_CONTROLS.sub("", value or "")
