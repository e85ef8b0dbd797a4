"""Small SQL helpers shared by the query code of several domains."""
import time

from sqlalchemy import event, exc, func

from .extensions import db

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


# A pooled connection unused for this long is tested before a request gets it.
IDLE_BEFORE_PING = 10.0


def ping_idle_connections(engine):
    """Test a pooled connection before use only when it sat idle (the server may have been
    restarted meanwhile); a bad one is replaced, and the request never sees it.

    SQLAlchemy's pool_pre_ping tests on every checkout, and Flask-SQLAlchemy checks a
    connection out for every request: one extra round trip to the database per page view.
    Connections in steady use are known to be alive; after a restart during use, the failed
    request is answered with the error page and the pool renews its connections."""
    @event.listens_for(engine, "checkin")
    def _remember_checkin(dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_BEFORE_PING:
            return  # just connected, or in steady use
        try:
            _ping(dbapi_connection)
        except Exception as error:  # any failure: the pool connects anew (up to 3 times)
            raise exc.DisconnectionError(str(error)) from error


def _ping(dbapi_connection):
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    dbapi_connection.rollback()


def begin_write_transaction():
    """SQLite: make the open transaction a writing one (BEGIN IMMEDIATE), so what it reads
    next no other writer can change before it commits. Waits for a writer that holds the lock
    (up to the connection's busy timeout, see _configure_database). A transaction pysqlite
    has already begun holds the lock: it begins one only at a write. PostgreSQL: nothing."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
