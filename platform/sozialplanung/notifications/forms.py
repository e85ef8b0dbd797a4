"""Notification settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from .services import NOTIFY_MODES


class NotificationSettingsForm(FlaskForm):
    notify_mode = RadioField(_l("E-Mails zu Benachrichtigungen"),
                             choices=list(NOTIFY_MODES.items()))
    auto_watch = BooleanField(_l("Themen automatisch beobachten, in denen ich schreibe"))
