"""Small SQL helpers shared by the query code of several domains."""


def contains_pattern(text):
    """A LIKE pattern (use with escape="\\\\") that finds `text` anywhere; % and _ are literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
