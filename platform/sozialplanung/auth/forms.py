"""Sign-in forms: input shape only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL_INVALID = _l("Bitte geben Sie eine gültige E-Mail-Adresse an.")


def email_field(label=_l("E-Mail-Adresse")):
    return EmailField(label, validators=[DataRequired(REQUIRED), Length(max=254),
                                         Email(EMAIL_INVALID, check_deliverability=False)],
                      render_kw={"autocomplete": "email"})


def new_password_fields():
    password = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("Mindestens 10 Zeichen. Ein langer Satz ist sicherer als ein kurzes, "
                       "kompliziertes Wort."),
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[DataRequired(REQUIRED),
                    EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Passwort"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class AcceptInvitationForm(FlaskForm):
    display_name = StringField(_l("Ihr Name"), validators=[DataRequired(REQUIRED), Length(max=120)],
                               render_kw={"autocomplete": "name"})
    password, confirm = new_password_fields()


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Vor- und Nachname"),
                               validators=[DataRequired(REQUIRED), Length(max=120)],
                               render_kw={"autocomplete": "name"})
    email = email_field(_l("Dienstliche E-Mail-Adresse"))
    organisation_id = SelectField(_l("Organisation"), coerce=int,
                                  validators=[DataRequired(_l("Bitte wählen Sie Ihre Organisation."))])
    position = StringField(_l("Funktion / Zuständigkeit"), validators=[Optional(), Length(max=200)],
                           render_kw={"autocomplete": "organization-title"})
    password, confirm = new_password_fields()
    accept_privacy = BooleanField(
        _l("Ich habe die Datenschutzerklärung gelesen."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie die Datenschutzerklärung "
                                    "gelesen haben."))])
