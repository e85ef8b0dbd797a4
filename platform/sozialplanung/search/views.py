"""The search results page (the search box sits in every page's header)."""
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..web import int_arg, page_arg
from . import services
from .sources import SOURCES

bp = Blueprint("search", __name__)


def _date(name):
    """A day from a date field (YYYY-MM-DD); anything else counts as not given."""
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


@bp.route("/suche")
def results():
    asked = services.Request(
        text=request.args.get("q", "")[:services.MAX_QUERY_INPUT],
        kind=request.args.get("art", ""), group_id=int_arg("arbeitskreis"),
        author=request.args.get("autor", "")[:services.MAX_AUTHOR_INPUT],
        date_from=_date("von"), date_to=_date("bis"),
        sort="datum" if request.args.get("sortierung") == "datum" else "relevanz",
        page=page_arg("seite"))
    outcome = services.search(current_user, asked)
    return render_template("search/results.html", asked=asked, outcome=outcome,
                           results=outcome.results, sources=SOURCES,
                           groups=services.filter_groups(current_user))
