"""Profile and account-settings forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..auth.forms import REQUIRED, email_field, new_password_fields


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)],
                               render_kw={"autocomplete": "name"})
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[Optional()])
    position = StringField(_l("Funktion / Zuständigkeit"), validators=[Length(max=200)],
                           render_kw={"autocomplete": "organization-title"})
    phone = StringField(_l("Telefon (dienstlich)"), validators=[Length(max=60)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    bio = TextAreaField(_l("Kurzvorstellung"), validators=[Length(max=2000)],
                        description=_l("Höchstens 2.000 Zeichen. Zum Beispiel Ihre Themen und "
                                       "Projekte."))
    show_email = BooleanField(_l("E-Mail-Adresse im Mitgliederverzeichnis zeigen"))
    locale = SelectField(_l("Sprache der Oberfläche"),
                         choices=[("de", "Deutsch"), ("en", "English")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Aktuelles Passwort"),
                                     validators=[DataRequired(REQUIRED), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("Neue E-Mail-Adresse"))
    current_password = PasswordField(_l("Ihr Passwort zur Bestätigung"),
                                     validators=[DataRequired(REQUIRED), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name oder Zuständigkeit"), validators=[Optional(), Length(max=100)])
    organisation = SelectField(_l("Organisation"), coerce=int, validators=[Optional()])
