"""The notification inbox and notification settings."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ValidationError
from ..web import apply_errors, page_arg
from . import services
from .forms import NotificationSettingsForm

bp = Blueprint("notifications", __name__)


@bp.route("/benachrichtigungen")
def inbox():
    return render_template("notifications/inbox.html",
                           notes=services.inbox(current_user, page_arg()),
                           describe=services.describe)


@bp.route("/benachrichtigungen/<int:notification_id>")
def open_notification(notification_id):
    return redirect(services.open_notification(current_user, notification_id))


@bp.route("/benachrichtigungen/alle-gelesen", methods=["POST"])
def mark_all_read():
    services.mark_all_read(current_user)
    flash(_("Alle Benachrichtigungen sind als gelesen markiert."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/profil/benachrichtigungen", methods=["GET", "POST"])
def settings():
    form = NotificationSettingsForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_preferences(current_user, form.notify_mode.data, form.auto_watch.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Ihre Einstellungen sind gespeichert."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)
