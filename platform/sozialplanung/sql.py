"""Small SQL helpers shared by the query code of several domains."""
from sqlalchemy import func

# The largest value of an INTEGER column (PostgreSQL's int4). A larger number names no row;
# handed to the database it would raise an error instead of finding nothing.
MAX_ID = 2**31 - 1


def parse_id(value):
    """A row id sent in a form or URL, as an int; None unless `value` is a number from 1 to
    MAX_ID in ASCII digits. `str.isdigit()` alone is not enough: it is true for "²" (int() then
    raises) and for numbers no INTEGER column holds (the database then raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    # More than 10 digits is beyond MAX_ID (and thousands of them make int() raise).
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() \
            or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def contains_pattern(text):
    """A LIKE pattern (use with escape="\\\\") that finds `text` anywhere; % and _ are literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def folded(column):
    """SQL: lower case without umlauts and ß (as search.query.fold), on both databases, so
    "Kohler" and "Koehler" can be compared with "Köhler"."""
    expression = func.lower(column)
    for letter, plain in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss")):
        expression = func.replace(expression, letter, plain)
    return expression
