"""Small SQL helpers shared by the query code of several domains."""
from sqlalchemy import func

# The largest value of an INTEGER column (PostgreSQL's int4). A larger number names no row;
# handed to the database it would raise an error instead of finding nothing.
MAX_ID = 2**31 - 1


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
