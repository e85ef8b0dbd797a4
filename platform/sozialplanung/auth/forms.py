"""Sign-in forms: input shape only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..sql import MAX_ID

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL_INVALID = _l("Bitte geben Sie eine gültige E-Mail-Adresse an.")
TOO_LONG = _l("Bitte geben Sie höchstens %(max)d Zeichen ein.")


def max_length(n):
    """Length check with the portal's own wording (WTForms' German text is not formal)."""
    return Length(max=n, message=TOO_LONG)


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


def choice_id(value):
    """Coerce a submitted <select> id; anything unreadable or out of range becomes -1, which no
    row has, so the service answers in words ("Unbekannte Organisation.") instead of a
    technical message or a database error."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number <= MAX_ID else -1


def organisation_field(label, validators):
    # Choices are only for display: whether the id exists is the service's rule.
    return SelectField(label, coerce=choice_id, validate_choice=False, validators=validators)


def email_field(label=_l("E-Mail-Adresse")):
    # Pasted addresses often carry a space at either end; browsers trim them, clients may not.
    return EmailField(label, validators=[DataRequired(REQUIRED), max_length(254),
                                         Email(EMAIL_INVALID, check_deliverability=False)],
                      filters=[strip_whitespace], render_kw={"autocomplete": "email"})


def new_password_fields(label=_l("Neues Passwort"), repeat=_l("Neues Passwort wiederholen")):
    password = PasswordField(
        label,
        validators=[DataRequired(REQUIRED), max_length(200)],
        description=_l("Mindestens 10 Zeichen. Ein langer Satz ist sicherer als ein kurzes, "
                       "kompliziertes Wort."),
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        repeat,
        validators=[DataRequired(REQUIRED),
                    EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Passwort"), validators=[DataRequired(REQUIRED), max_length(200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class AcceptInvitationForm(FlaskForm):
    display_name = StringField(_l("Ihr Name"), validators=[DataRequired(REQUIRED), max_length(120)],
                               render_kw={"autocomplete": "name"})
    password, confirm = new_password_fields()


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Vor- und Nachname"),
                               validators=[DataRequired(REQUIRED), max_length(120)],
                               render_kw={"autocomplete": "name"})
    email = email_field(_l("Dienstliche E-Mail-Adresse"))
    organisation_id = organisation_field(
        _l("Organisation"), [DataRequired(_l("Bitte wählen Sie Ihre Organisation."))])
    position = StringField(_l("Funktion / Zuständigkeit"),
                           validators=[Optional(), max_length(200)],
                           render_kw={"autocomplete": "organization-title"})
    # The first password: "Neues Passwort" would suggest there was an old one.
    password, confirm = new_password_fields(_l("Passwort"), _l("Passwort wiederholen"))
    accept_privacy = BooleanField(
        _l("Ich habe die Datenschutzerklärung gelesen."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie die Datenschutzerklärung "
                                    "gelesen haben."))])
