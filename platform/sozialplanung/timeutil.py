"""Time helpers: the database stores naive UTC; `utcnow()` is the one clock (tests may patch it).
People read and type dates in the portal's one local time zone, Europe/Berlin."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Berlin")


def utcnow():
    """Naive UTC now; both SQLite and PostgreSQL columns hold naive UTC datetimes."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_time(value):
    """Stored naive UTC -> aware Europe/Berlin time."""
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def to_utc(local):
    """Naive Europe/Berlin wall time (form input) -> naive UTC for storage."""
    return local.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def day_start_utc(day: date):
    """Midnight at the start of a German calendar day, as naive UTC."""
    return to_utc(datetime(day.year, day.month, day.day))


def day_end_utc(day: date):
    """The last second of a German calendar day, as naive UTC."""
    return to_utc(datetime.combine(day, time(23, 59, 59)))


def exists_locally(local):
    """False for a wall time skipped when clocks go forward (e.g. 02:30 on the last Sunday of
    March): converting it would silently move it by an hour."""
    return local_time(to_utc(local)).replace(tzinfo=None) == local
