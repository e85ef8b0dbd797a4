"""Moderation forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..announcements.forms import date_field
from ..auth.forms import REQUIRED, choice_id
from ..sql import MAX_ID


class ThreadActionForm(FlaskForm):
    """Every thread action carries the group the moderator saw, to detect stale forms."""
    expected_group_id = HiddenField()
    reason = StringField(_l("Grund (optional)"), validators=[Optional(), Length(max=500)])


class RenameForm(ThreadActionForm):
    title = StringField(_l("Neuer Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])


class MoveForm(ThreadActionForm):
    # Choices are the groups the moderator moderates; the service checks the submitted one.
    target_group_id = SelectField(_l("Ziel-Arbeitskreis"), coerce=choice_id, validate_choice=False)


class SplitForm(ThreadActionForm):
    title = StringField(_l("Titel des neuen Themas"),
                        validators=[DataRequired(REQUIRED), Length(max=200)])


class MergeForm(ThreadActionForm):
    target_thread_id = IntegerField(
        _l("Nummer des Ziel-Themas"),
        validators=[DataRequired(REQUIRED),
                    NumberRange(1, MAX_ID, _l("Bitte geben Sie die Nummer eines Themas an."))],
        description=_l("Die Nummer steht in der Adresse des Themas: /themen/<Nummer>. "
                       "Alle Beiträge dieses Themas werden dorthin übernommen."))


class HidePostForm(FlaskForm):
    reason = StringField(_l("Grund"), validators=[DataRequired(REQUIRED), Length(max=500)],
                         description=_l("Die Verfasserin oder der Verfasser sieht diesen Grund."))


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("Was ist an diesem Beitrag problematisch?"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)],
                           render_kw={"rows": 4})


class HandleReportForm(FlaskForm):
    note = StringField(_l("Notiz zur Entscheidung (optional)"),
                       validators=[Optional(), Length(max=500)])


class SuspendForm(FlaskForm):
    reason = TextAreaField(_l("Grund der Sperre"), validators=[DataRequired(REQUIRED),
                                                              Length(max=500)])
    until = date_field(_l("Gesperrt bis"),
                       description=_l("Für die Moderation Pflicht; nur die Administration kann "
                                      "unbefristet sperren."))
