"""Public legal pages, linked from every page's footer."""
from flask import Blueprint, render_template

from ..auth.session import public
from .services import get_page

bp = Blueprint("pages", __name__)


@bp.route("/<any(impressum, datenschutz, barrierefreiheit):slug>")
@public
def show(slug):
    return render_template("pages/show.html", page=get_page(slug))
