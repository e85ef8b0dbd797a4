"""Atom (RFC 4287) and iCalendar (RFC 5545) output of announcements and events. Only formats
what it is given: which entries a member may see is decided by queries/policy."""
import html
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from ..markup import plain_text
from ..timeutil import LOCAL_TZ, local_time
from .display import event_when



def site_url():
    return current_app.config["SITE_URL"].rstrip("/")


def absolute_url(endpoint, **values):
    return site_url() + url_for(endpoint, **values)


def rfc3339(value):
    return value.replace(microsecond=0).isoformat() + "Z"


def entry_updated(announcement):
    """A scheduled announcement counts as new when it appears, not when it was written."""
    return max(announcement.updated_at, announcement.publish_at)


def entry_html(announcement):
    """The entry's content: teaser, the event's date and place, and the text (sanitized HTML)."""
    parts = [announcement.teaser_html]
    if announcement.is_event:
        where = f" · {announcement.location}" if announcement.location else ""
        parts.append(f"<p>{html.escape(event_when(announcement) + where)}</p>")
    parts.append(announcement.body_html)
    return "".join(parts)


def atom_response(entries, title):
    updated = max((entry_updated(a) for a in entries), default=None)
    body = render_template("announcements/feed.atom.xml", entries=entries, title=title,
                           updated=rfc3339(updated) if updated else "1970-01-01T00:00:00Z",
                           rfc3339=rfc3339, absolute_url=absolute_url, entry_html=entry_html,
                           entry_updated=entry_updated,
                           home=absolute_url("announcements.list_announcements"))
    return _private(Response(body, mimetype="application/atom+xml"))


def calendar_response(events, name, filename):
    calendar = Calendar()
    calendar.add("prodid", "-//Sozialplanungsplattform//Termine//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", LOCAL_TZ.key)
    calendar.add_component(_berlin_timezone())
    for announcement in events:
        calendar.add_component(_event(announcement))
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _private(response):
    # Personal content: never kept by shared caches; feed readers poll again anyway.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _berlin_timezone():
    """Europe/Berlin with the EU rules in force since 1996 (last Sunday of March/October)."""
    zone = Timezone()
    zone.add("tzid", LOCAL_TZ.key)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1970, 3, 29, 2))
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1970, 10, 25, 3))
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _event(announcement):
    a = announcement
    event = Event()
    event.add("uid", f"announcement-{a.id}@{urlsplit(site_url()).hostname or 'localhost'}")
    event.add("dtstamp", a.updated_at.replace(tzinfo=timezone.utc))
    event.add("created", a.created_at.replace(tzinfo=timezone.utc))
    event.add("last-modified", a.updated_at.replace(tzinfo=timezone.utc))
    event.add("sequence", a.version)
    event.add("summary", a.title)
    if a.is_all_day:
        event.add("dtstart", a.first_day)
        event.add("dtend", a.last_day + timedelta(days=1))
    else:
        event.add("dtstart", local_time(a.starts_at))
        if a.has_end:
            event.add("dtend", local_time(a.ends_at))
    location = a.location or (a.online_url and _("Online: %(url)s", url=a.online_url))
    if location:
        event.add("location", location)
    link = absolute_url("announcements.show_announcement", announcement_id=a.id)
    event.add("url", link)
    event.add("description", _description(a, link))
    event.add("categories", [str(a.category_label)])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _description(a, link):
    parts = [plain_text(a.teaser_html)]
    if a.online_url:
        parts.append(_("Online: %(url)s", url=a.online_url))
    if a.registration_url:
        parts.append(pgettext("event registration", "Anmeldung: %(url)s",
                              url=a.registration_url))
    parts.append(link)
    return "\n\n".join(part for part in parts if part)
