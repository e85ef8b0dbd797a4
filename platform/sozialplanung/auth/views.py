"""Sign-in pages: login, logout, password reset, registration, invitations, email confirmation."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from ..accounts.services import list_organisations
from ..errors import ValidationError
from ..extensions import limiter
from ..web import apply_errors, client_ip, safe_next
from . import services
from .forms import AcceptInvitationForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from .models import TokenPurpose
from .session import public

bp = Blueprint("auth", __name__)

RESET_SENT = _l("Falls zu dieser Adresse ein aktives Konto gehört, haben wir einen Link zum "
                "Zurücksetzen des Passworts geschickt. Bitte prüfen Sie Ihr Postfach.")


def _login_account_key():
    return "login:" + services.normalize_email(request.form.get("email", ""))[:254]


def _limit(name):
    return lambda: current_app.config[name]


def _login_failed(response):
    # Only failed attempts count: colleagues behind one office address, or one person on
    # several devices, are never locked out by signing in successfully.
    return response.status_code != 302


@bp.route("/anmelden", methods=["GET", "POST"])
@public
@limiter.limit(_limit("LOGIN_LIMIT_PER_IP"), methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT"), methods=["POST"], key_func=_login_account_key,
               deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, client_ip())
        except ValidationError as exc:
            flash(exc.message, "error")
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Willkommen, %(name)s!", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
    return render_template("auth/login.html", form=form)


@bp.route("/abmelden", methods=["POST"])
@public
def logout():
    logout_user()
    flash(_("Sie haben sich abgemeldet."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@public
@limiter.limit(_limit("MAIL_FORM_LIMIT_PER_IP"), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, client_ip())
        flash(str(RESET_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/passwort-zuruecksetzen/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    if services.peek_token(token, TokenPurpose.PASSWORD_RESET) is None:
        return _invalid_link("password_reset", token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            flash(_("Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    invitation = services.peek_token(token, TokenPurpose.INVITATION)
    if invitation is None:
        return _invalid_link("invitation", token)
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.display_name.data = invitation.user.display_name
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.display_name.data, form.password.data,
                                              client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            login_user(user)
            flash(_("Willkommen auf der Plattform! Ihr Zugang ist eingerichtet."), "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/registrieren", methods=["GET", "POST"])
@public
@limiter.limit(_limit("MAIL_FORM_LIMIT_PER_IP"), methods=["POST"])
def register():
    if not current_app.config["REGISTRATION_ENABLED"]:
        return render_template("auth/registration_closed.html"), 404
    form = RegisterForm()
    form.organisation_id.choices = [(0, _("Bitte wählen …"))] + [
        (o.id, o.name) for o in list_organisations()]
    if form.validate_on_submit():
        try:
            services.register(form.email.data, form.display_name.data, form.organisation_id.data,
                              form.position.data, form.password.data, client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render_template("auth/registration_sent.html", email=form.email.data)
    return render_template("auth/register.html", form=form)


@bp.route("/registrieren/bestaetigen/<token>", methods=["GET", "POST"])
@public
def confirm_registration(token):
    """GET shows a button; only the POST confirms, so mail scanners opening links change nothing."""
    if services.peek_token(token, TokenPurpose.REGISTRATION) is None:
        return _invalid_link("registration", token)
    if request.method == "POST":
        try:
            user = services.confirm_registration(token, client_ip())
        except ValidationError as exc:
            flash(exc.message, "error")
            return redirect(url_for("auth.login"))
        if user.is_active:
            flash(_("Ihre E-Mail-Adresse ist bestätigt und Ihr Zugang freigeschaltet. "
                    "Sie können sich jetzt anmelden."), "success")
        else:
            flash(_("Ihre E-Mail-Adresse ist bestätigt. Die Administration prüft Ihre "
                    "Registrierung; Sie erhalten eine E-Mail, sobald Ihr Zugang "
                    "freigeschaltet ist."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm.html", title=_("E-Mail-Adresse bestätigen"),
                           button=_("E-Mail-Adresse bestätigen"))


@bp.route("/email-bestaetigen/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token):
    pending = services.peek_token(token, TokenPurpose.EMAIL_CHANGE)
    if pending is None:
        return _invalid_link("email_change", token)
    if request.method == "POST":
        try:
            services.confirm_email_change(token, client_ip())
        except ValidationError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Ihre neue E-Mail-Adresse ist bestätigt und gilt ab sofort für die "
                    "Anmeldung."), "success")
        return redirect(url_for("main.dashboard") if current_user.is_authenticated
                        else url_for("auth.login"))
    return render_template("auth/confirm.html", title=_("Neue E-Mail-Adresse bestätigen"),
                           button=_("Neue E-Mail-Adresse %(email)s bestätigen",
                                    email=pending.new_email))


def _invalid_link(kind, token):
    """Which link it was decides the way forward the page offers; an older link replaced by a
    newer one points to the newest mail."""
    superseded = services.is_superseded(token, TokenPurpose(kind))
    return render_template("auth/invalid_link.html", kind=kind, superseded=superseded), 404
