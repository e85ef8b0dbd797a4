"""Admin forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.models import ROLE_LABELS
from ..announcements.forms import date_field
from ..auth.forms import REQUIRED, email_field, max_length, organisation_field


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class InviteForm(FlaskForm):
    email = email_field()
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    organisation_id = organisation_field(_l("Organisation"), [Optional()])
    role = SelectField(_l("Rolle"), choices=role_choices)


class RoleForm(FlaskForm):
    role = SelectField(_l("Rolle"), choices=role_choices)


class SuspendForm(FlaskForm):
    reason = TextAreaField(_l("Grund der Sperre"), validators=[DataRequired(REQUIRED), Length(max=500)])
    until = date_field(_l("Gesperrt bis (optional)"),
                       description=_l("Leer lassen für eine Sperre ohne Enddatum."))


class DeleteUserForm(FlaskForm):
    confirm = BooleanField(_l("Ich möchte dieses Konto endgültig löschen."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie, dass das Konto "
                                                       "gelöscht werden soll."))])


class RejectRegistrationForm(FlaskForm):
    notify = BooleanField(_l("Die Person per E-Mail informieren"), default=True)
    reason = TextAreaField(_l("Hinweis an die Person (optional)"), validators=[max_length(500)],
                           description=_l("Steht in der E-Mail, wird aber nicht gespeichert. "
                                          "Zum Beispiel: Bitte registrieren Sie sich mit Ihrem "
                                          "zweiten Vornamen neu."))


class SitePageForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=50000)],
                         render_kw={"rows": 20})
