"""Profile and account-settings forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..auth.forms import (
    REQUIRED, choice_id, email_field, max_length, new_password_fields, organisation_field,
)


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), max_length(120)],
                               render_kw={"autocomplete": "name"})
    organisation_id = organisation_field(_l("Organisation"), [Optional()])
    position = StringField(_l("Funktion / Zuständigkeit"), validators=[max_length(200)],
                           render_kw={"autocomplete": "organization-title"})
    phone = StringField(_l("Telefon (dienstlich)"), validators=[max_length(60)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    bio = TextAreaField(_l("Kurzvorstellung"), validators=[max_length(2000)],
                        description=_l("Höchstens 2.000 Zeichen. Zum Beispiel Ihre Themen und "
                                       "Projekte."))
    show_email = BooleanField(_l("E-Mail-Adresse im Mitgliederverzeichnis zeigen"))
    # The service refuses unknown languages with its own message.
    locale = SelectField(_l("Sprache der Oberfläche"),
                         choices=[("de", "Deutsch"), ("en", "English")], validate_choice=False)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Aktuelles Passwort"),
                                     validators=[DataRequired(REQUIRED), max_length(200)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("Neue E-Mail-Adresse"))
    current_password = PasswordField(_l("Ihr Passwort zur Bestätigung"),
                                     validators=[DataRequired(REQUIRED), max_length(200)],
                                     render_kw={"autocomplete": "current-password"})


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField(_l("Ihr Passwort zur Bestätigung"),
                                     validators=[DataRequired(REQUIRED), max_length(200)],
                                     render_kw={"autocomplete": "current-password"})


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name oder Zuständigkeit"), validators=[Optional(), max_length(100)])
    organisation = SelectField(_l("Organisation"), coerce=choice_id, validators=[Optional()])
