"""The start page: a welcome for visitors, the dashboard for members."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.session import public
from ..notifications.services import describe
from .services import dashboard_data

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def dashboard():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/dashboard.html", describe_notification=describe,
                           **dashboard_data(current_user))
