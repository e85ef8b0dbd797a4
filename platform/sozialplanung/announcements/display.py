"""How event dates and announcement states read on pages: German, in Europe/Berlin time."""
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from .. import timeutil

DAY = "EEEE, d. MMMM yyyy"
SHORT_DAY = "d. MMMM yyyy"


def event_when(announcement):
    """e.g. "Dienstag, 3. März 2026, 10:00–12:30 Uhr" or "3. März 2026 bis 5. März 2026"."""
    a = announcement
    if a.starts_at is None:
        return ""
    if a.is_all_day:
        if a.last_day and a.last_day != a.first_day:
            return _("%(start)s bis %(end)s (ganztägig)", start=format_date(a.first_day, SHORT_DAY),
                     end=format_date(a.last_day, SHORT_DAY))
        return _("%(day)s (ganztägig)", day=format_date(a.first_day, DAY))
    if not a.has_end:
        return _("%(day)s, %(time)s Uhr", day=format_datetime(a.starts_at, DAY),
                 time=format_datetime(a.starts_at, "HH:mm"))
    if a.first_day == a.last_day:
        return _("%(day)s, %(start)s–%(end)s Uhr", day=format_datetime(a.starts_at, DAY),
                 start=format_datetime(a.starts_at, "HH:mm"),
                 end=format_datetime(a.ends_at, "HH:mm"))
    return _("%(start)s Uhr bis %(end)s Uhr",
             start=format_datetime(a.starts_at, SHORT_DAY + ", HH:mm"),
             end=format_datetime(a.ends_at, SHORT_DAY + ", HH:mm"))


def state_label(announcement):
    """What editors see next to a title: Entwurf, geplant für …, veröffentlicht, zurückgezogen."""
    state = announcement.state(timeutil.utcnow())
    if state == "scheduled":
        return _("geplant für %(when)s",
                 when=format_datetime(announcement.publish_at, "dd.MM.yyyy, HH:mm"))
    return {"draft": _("Entwurf"), "published": _("veröffentlicht"),
            "unpublished": _("zurückgezogen")}[state]


def register(bp):
    bp.add_app_template_global(event_when, "event_when")
    bp.add_app_template_global(state_label, "announcement_state")
