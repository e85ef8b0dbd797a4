"""The search results page (the search box sits in every page's header)."""
from datetime import datetime, time

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..web import int_arg, page_arg
from . import services

bp = Blueprint("search", __name__)


def _date(name, end_of_day=False):
    try:
        day = datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end_of_day else time.min)


@bp.route("/suche")
def results():
    text = request.args.get("q", "")[:services.MAX_QUERY_INPUT]
    filters = services.Filters(
        kind=request.args.get("art", ""),
        group_id=int_arg("arbeitskreis"),
        author_id=int_arg("autor"),
        date_from=_date("von"), date_to=_date("bis", end_of_day=True),
        sort="datum" if request.args.get("sortierung") == "datum" else "relevanz")
    parsed, results = services.search(current_user, text, filters,
                                      page_arg("seite"))
    return render_template("search/results.html", q=text, parsed=parsed, results=results,
                           filters=filters, sources=services.SOURCES,
                           groups=services.filter_groups(current_user),
                           authors=services.filter_authors(current_user, filters.author_id))
