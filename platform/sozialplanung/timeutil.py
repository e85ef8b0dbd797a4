"""Time helpers: the database stores naive UTC; `utcnow()` is the one clock (tests may patch it)."""
from datetime import datetime, timezone


def utcnow():
    """Naive UTC now; both SQLite and PostgreSQL columns hold naive UTC datetimes."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
