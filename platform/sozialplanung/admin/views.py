"""Admin area: members, invitations, approvals, roles, suspensions, audit log, outbox, legal pages."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.erasure import ANONYMOUS_NAME
from ..accounts.models import ROLE_LABELS, STATUS_LABELS, UserStatus
from ..accounts.services import list_organisations
from ..errors import Conflict, ValidationError
from ..pages.services import get_page
from ..timeutil import day_end_utc
from ..policy import Action, require
from ..web import apply_errors, client_ip, page_arg
from . import services
from .audit import action_label, target_label
from .forms import (DeleteUserForm, InviteForm, RejectRegistrationForm, RoleForm, SitePageForm,
                    SuspendForm)

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


@bp.before_request
def _admins_only():
    require(current_user, Action.MANAGE_USERS)


@bp.route("/")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/mitglieder")
def users():
    query = request.args.get("q", "")[:100]
    status = request.args.get("status", "")
    role = request.args.get("role", "")
    result = services.search_users(current_user, query=query, status=status, role=role,
                                   page=page_arg())
    return render_template("admin/users.html", users=result, q=query, status=status, role=role,
                           status_labels=STATUS_LABELS, role_labels=ROLE_LABELS,
                           pending=services.count_pending(current_user))


@bp.route("/mitglieder/einladen", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    form.organisation_id.choices = [(0, _("Keine Angabe"))] + [
        (o.id, o.name) for o in list_organisations()]
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                current_user, email=form.email.data, display_name=form.display_name.data,
                organisation_id=form.organisation_id.data, role=form.role.data,
                ip_address=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die Einladung an %(email)s ist verschickt.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/mitglieder/<int:user_id>")
def user_detail(user_id):
    user = services.get_user(current_user, user_id)
    return _detail_page(user, SuspendForm())


def _detail_page(user, suspend_form):
    return render_template("admin/user_detail.html", user=user, role_form=RoleForm(role=user.role),
                           suspend_form=suspend_form,
                           name_holder=services.registration_name_holder(current_user, user))


@bp.route("/mitglieder/<int:user_id>/freischalten", methods=["POST"])
def approve(user_id):
    try:
        user = services.approve_user(current_user, user_id, client_ip())
    except ValidationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s ist freigeschaltet.", name=user.display_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/mitglieder/<int:user_id>/ablehnen", methods=["GET", "POST"])
def reject(user_id):
    user = services.get_user(current_user, user_id)
    invited = user.status == UserStatus.INVITED
    form = RejectRegistrationForm()
    if form.validate_on_submit():
        try:
            services.reject_registration(current_user, user_id, form.notify.data,
                                         form.reason.data, client_ip())
        except Conflict as exc:  # a second click, or decided meanwhile
            flash(str(exc), "info")
            return redirect(url_for("admin.user_detail", user_id=user_id))
        flash(_("Die Einladung ist zurückgezogen; die Angaben der Person wurden gelöscht.")
              if invited else
              _("Die Registrierung ist abgelehnt; die Angaben der Person wurden gelöscht."),
              "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/reject_registration.html", user=user, form=form,
                           invited=invited)


@bp.route("/mitglieder/<int:user_id>/einladung-erneut", methods=["POST"])
def resend_invitation(user_id):
    services.resend_invitation(current_user, user_id, client_ip())
    flash(_("Die Einladung wurde erneut verschickt."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/mitglieder/<int:user_id>/rolle", methods=["POST"])
def change_role(user_id):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_role(current_user, user_id, form.role.data, client_ip())
    except ValidationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Die Rolle wurde geändert."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/mitglieder/<int:user_id>/sperren", methods=["POST"])
def suspend(user_id):
    user = services.get_user(current_user, user_id)
    form = SuspendForm()
    if form.validate_on_submit():
        until = day_end_utc(form.until.data) if form.until.data else None  # German day
        try:
            services.suspend_user(current_user, user_id, form.reason.data, until, client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Das Konto ist gesperrt; alle Sitzungen wurden beendet."), "success")
            return redirect(url_for("admin.user_detail", user_id=user_id))
    return _detail_page(user, form), 400


@bp.route("/mitglieder/<int:user_id>/reaktivieren", methods=["POST"])
def reactivate(user_id):
    services.reactivate_user(current_user, user_id, client_ip())
    flash(_("Das Konto ist wieder aktiv."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/mitglieder/<int:user_id>/loeschen", methods=["GET", "POST"])
def delete_user(user_id):
    user = services.get_user(current_user, user_id)
    form = DeleteUserForm()
    if form.validate_on_submit():
        try:
            services.delete_user(current_user, user_id, client_ip())
        except Conflict as exc:  # a second click: the first one already deleted it
            flash(str(exc), "info")
        else:
            flash(_("Das Konto ist gelöscht; die persönlichen Daten wurden entfernt."), "success")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return render_template("admin/delete_user.html", user=user, form=form,
                           anonymous_name=ANONYMOUS_NAME)


@bp.route("/protokoll")
def audit_log():
    action = request.args.get("aktion", "")[:64]
    entries = services.audit_entries(current_user, action=action, page=page_arg())
    return render_template("admin/audit_log.html", entries=entries, action=action,
                           actions=services.audit_actions(current_user), label=action_label,
                           target_label=target_label)


@bp.route("/postausgang")
def outbox():
    state = request.args.get("status", "")
    mails = services.outbox_mails(current_user, state=state, page=page_arg())
    return render_template("admin/outbox.html", mails=mails, state=state)


@bp.route("/postausgang/<int:mail_id>/erneut", methods=["POST"])
def requeue_mail(mail_id):
    services.requeue_mail(current_user, mail_id, client_ip())
    flash(_("Die E-Mail wird erneut zugestellt."), "success")
    return redirect(url_for("admin.outbox", status="queued"))


@bp.route("/seiten/<slug>", methods=["GET", "POST"])
def edit_page(slug):
    page = get_page(slug)
    form = SitePageForm(title=page.title, body=page.body_source)
    if form.validate_on_submit():
        try:
            services.update_site_page(current_user, slug, title=form.title.data,
                                      body=form.body.data, ip_address=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die Seite wurde gespeichert."), "success")
            return redirect(url_for("pages.show", slug=slug))
    return render_template("admin/edit_page.html", form=form, page=page)
