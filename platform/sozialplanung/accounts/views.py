"""Member directory, profiles and the member's own account settings, data export and deletion."""
import json

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..auth import services as auth_services
from ..auth.session import public, renew_login
from ..errors import ValidationError
from ..extensions import limiter
from ..timeutil import local_time, utcnow
from ..web import apply_errors, client_ip, page_arg
from . import export, services
from .erasure import ANONYMOUS_NAME
from .forms import (ChangeEmailForm, ChangePasswordForm, DeleteAccountForm, DirectoryFilterForm,
                    ProfileForm)

bp = Blueprint("accounts", __name__)


def _organisation_choices(empty_label):
    return [(0, empty_label)] + [(o.id, o.name) for o in services.list_organisations()]


@bp.route("/mitglieder")
def directory():
    form = DirectoryFilterForm(request.args)
    form.organisation.choices = _organisation_choices(_("Alle Organisationen"))
    form.validate()
    members = services.member_directory(
        current_user, query=form.q.data or "",
        organisation_id=form.organisation.data if not form.organisation.errors else None,
        page=page_arg())
    return render_template("accounts/directory.html", form=form, members=members)


@bp.route("/mitglieder/<int:user_id>")
def profile(user_id):
    user = services.get_profile(current_user, user_id)
    return render_template("accounts/profile.html", user=user)


@bp.route("/profil", methods=["GET", "POST"])
def edit_profile():
    form = ProfileForm(obj=current_user)
    form.organisation_id.choices = _organisation_choices(_("Keine Angabe"))
    if request.method == "GET":
        form.organisation_id.data = current_user.organisation_id or 0
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, current_user, **{
                name: getattr(form, name).data for name in (
                    "display_name", "organisation_id", "position", "bio", "phone",
                    "show_email", "locale")})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Ihr Profil wurde gespeichert."), "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("accounts/edit_profile.html", form=form)


@bp.route("/profil/passwort", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth_services.change_password(current_user, form.current_password.data,
                                          form.password.data, client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # The session token rotated: renew this session's cookie, all others are void.
            renew_login(current_user._get_current_object())
            flash(_("Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet."),
                  "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/profil/email", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_FORM_LIMIT_PER_IP"], methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            auth_services.request_email_change(current_user, form.email.data,
                                               form.current_password.data, client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Wir haben einen Bestätigungslink an die neue Adresse geschickt. "
                    "Die Änderung gilt, sobald Sie ihn aufrufen."), "info")
            return redirect(url_for("accounts.edit_profile"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/profil/daten")
def my_data():
    return render_template("accounts/my_data.html")


@bp.route("/profil/daten/herunterladen", methods=["POST"])
def export_data():
    data = export.export_member_data(current_user, client_ip())
    day = local_time(utcnow()).date().isoformat()
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="meine-daten-{day}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profil/konto-loeschen", methods=["GET", "POST"])
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_own_account(current_user, form.current_password.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            session["account_deleted"] = True
            return redirect(url_for("accounts.account_deleted"))
    return render_template("accounts/delete_account.html", form=form,
                           anonymous_name=ANONYMOUS_NAME)


@bp.route("/konto-geloescht")
@public
def account_deleted():
    # Only the browser that just deleted its account sees the confirmation.
    if current_user.is_authenticated or not session.pop("account_deleted", False):
        return redirect(url_for("auth.login"))
    return render_template("accounts/account_deleted.html")
