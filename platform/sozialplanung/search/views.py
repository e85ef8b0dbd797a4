"""The search results page (the search box sits in every page's header)."""
from datetime import datetime

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..web import int_arg, page_arg
from . import services
from .sources import SOURCES

bp = Blueprint("search", __name__)


# What a date field sends (YYYY-MM-DD), and what people type where a browser shows no date
# picker, or in a link they write themselves (15.03.2026).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def _day(value):
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _dates():
    """{field: day} from the date fields (years 1900 to 2999), and the fields that were filled
    but hold no such day (31.02.2026 included)."""
    days, unreadable = {}, []
    for name in ("von", "bis"):
        value = request.args.get(name, "").strip()[:20]
        if not value:
            continue
        day = _day(value)
        if day is None or not 1900 <= day.year <= 2999:
            unreadable.append(name)
        else:
            days[name] = day
    return days, tuple(unreadable)


@bp.route("/suche")
def results():
    days, unreadable = _dates()
    asked = services.SearchRequest(
        text=request.args.get("q", "")[:services.MAX_QUERY_INPUT],
        kind=request.args.get("art", ""), group_id=int_arg("arbeitskreis"),
        author=request.args.get("autor", "")[:services.MAX_AUTHOR_INPUT],
        date_from=days.get("von"), date_to=days.get("bis"), unreadable_dates=unreadable,
        sort="datum" if request.args.get("sortierung") == "datum" else "relevanz",
        page=page_arg("seite"))
    outcome = services.search(current_user, asked)
    return render_template("search/results.html", asked=asked, outcome=outcome,
                           results=outcome.results, sources=SOURCES,
                           count_cap=services.COUNT_CAP,
                           groups=services.filter_groups(current_user))
