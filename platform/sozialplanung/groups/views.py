"""Working-group pages: overview, group page, membership, and group administration."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ValidationError
from ..forum import queries as forum_queries
from ..forum import services as forum_services
from ..policy import Action, can
from ..web import apply_errors, client_ip, page_arg
from . import queries, services
from .forms import GroupForm, InviteMemberForm, MembershipRequestForm

bp = Blueprint("groups", __name__, url_prefix="/arbeitskreise")


@bp.route("/")
def index():
    return render_template("groups/index.html",
                           rows=forum_queries.groups_overview(current_user),
                           pending=queries.pending_by_group(current_user))


@bp.route("/<slug>")
def show_group(slug):
    group = services.get_group(current_user, slug)
    threads = forum_queries.group_threads(current_user, group, page_arg())
    return render_template("groups/show.html", group=group, threads=threads,
                           watching=forum_services.is_watching(current_user, group=group),
                           invitation=queries.pending_for(current_user, group))


@bp.route("/<slug>/beitreten", methods=["POST"])
def join(slug):
    group = services.get_group(current_user, slug)
    if services.join_group(current_user, group):
        flash(_("Sie sind dem %(name)s beigetreten.", name=group.name), "success")
    else:
        flash(_("Sie sind bereits Mitglied im %(name)s.", name=group.name), "info")
    return redirect(url_for("groups.show_group", slug=slug))


@bp.route("/<slug>/austreten", methods=["GET", "POST"])
def leave(slug):
    group = services.get_group(current_user, slug)  # a closed group's outsiders: 404
    if not can(current_user, Action.LEAVE_GROUP, group):  # e.g. a second click
        flash(_("Sie sind kein Mitglied im %(name)s.", name=group.name), "info")
        return redirect(url_for("groups.index"))
    # Getting back into a closed group takes a request and a decision (into an archived one
    # there is no way back): leaving it is confirmed on a page of its own.
    confirmed = group.is_freely_joinable or request.form.get("bestaetigt") == "1"
    if request.method == "GET" or not confirmed:
        return render_template("groups/leave.html", group=group)
    services.leave_group(current_user, group)
    flash(_("Sie haben den %(name)s verlassen.", name=group.name), "success")
    return redirect(url_for("groups.index"))


@bp.route("/<slug>/anfragen", methods=["POST"])
def request_membership(slug):
    group = services.get_listed_group(current_user, slug)
    form = MembershipRequestForm()
    if form.validate_on_submit():
        services.request_membership(current_user, group, form.message.data)
        flash(_("Ihre Anfrage ist an die Moderation des Arbeitskreises gegangen."), "success")
    else:
        flash(_("Die Nachricht darf höchstens 1.000 Zeichen lang sein."), "error")
    return redirect(url_for("groups.index"))


@bp.route("/<slug>/einladung", methods=["POST"])
def answer_invitation(slug):
    group = services.get_listed_group(current_user, slug)
    accept = request.form.get("antwort") == "annehmen"
    services.answer_invitation(current_user, group, accept)
    if accept:
        flash(_("Willkommen im %(name)s!", name=group.name), "success")
        return redirect(url_for("groups.show_group", slug=slug))
    flash(_("Sie haben die Einladung abgelehnt."), "success")
    return redirect(url_for("groups.index"))


@bp.route("/<slug>/beobachten", methods=["POST"])
def watch(slug):
    group = services.get_group(current_user, slug)
    watch_on = request.form.get("beobachten") == "1"
    forum_services.set_group_watch(current_user, group, watch_on)
    flash(_("Sie beobachten jetzt alle Beiträge dieses Arbeitskreises.") if watch_on
          else _("Sie beobachten diesen Arbeitskreis nicht mehr."), "success")
    return redirect(url_for("groups.show_group", slug=slug))


@bp.route("/<slug>/gelesen", methods=["POST"])
def mark_read(slug):
    group = services.get_group(current_user, slug)
    forum_services.mark_group_read(current_user, group)
    flash(_("Alle Themen sind als gelesen markiert."), "success")
    return redirect(url_for("groups.show_group", slug=slug))


@bp.route("/<slug>/mitglieder")
def members(slug):
    group = services.get_group(current_user, slug)
    return _members_page(group, InviteMemberForm())


@bp.route("/<slug>/mitglieder/einladen", methods=["POST"])
def invite(slug):
    group = services.get_group(current_user, slug)
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            invited = services.invite_member(current_user, group,
                                             services.find_invitee(form.member.data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(name)s ist eingeladen.", name=invited.display_name), "success")
            return redirect(url_for("groups.members", slug=slug))
    return _members_page(group, form), 400


def _members_page(group, invite_form):
    return render_template("groups/members.html", group=group,
                           members=queries.group_members(group),
                           requests=queries.open_requests(current_user, group),
                           invite_candidates=queries.invite_candidates(current_user, group),
                           invite_form=invite_form)


@bp.route("/<slug>/anfragen/<int:request_id>", methods=["POST"])
def decide_request(slug, request_id):
    group = services.get_group(current_user, slug)
    accept = request.form.get("antwort") == "annehmen"
    user = services.decide_request(current_user, group, request_id, accept)
    flash(_("%(name)s ist jetzt Mitglied.", name=user.display_name) if accept
          else _("Die Anfrage von %(name)s wurde abgelehnt.", name=user.display_name), "success")
    return redirect(url_for("groups.members", slug=slug))


@bp.route("/<slug>/mitglieder/<int:user_id>/entfernen", methods=["POST"])
def remove_member(slug, user_id):
    group = services.get_group(current_user, slug)
    try:
        services.remove_member(current_user, group, user_id, client_ip())
    except ValidationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Das Mitglied wurde aus dem Arbeitskreis entfernt."), "success")
    return redirect(url_for("groups.members", slug=slug))


@bp.route("/<slug>/mitglieder/<int:user_id>/rolle", methods=["POST"])
def set_member_role(slug, user_id):
    group = services.get_group(current_user, slug)
    services.set_member_role(current_user, group, user_id, request.form.get("rolle", ""),
                             client_ip())
    flash(_("Die Rolle im Arbeitskreis wurde geändert."), "success")
    return redirect(url_for("groups.members", slug=slug))


@bp.route("/neu", methods=["GET", "POST"])
def create():
    services.require_manage_groups(current_user)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.create_group(current_user, name=form.name.data,
                                          description=form.description.data,
                                          visibility=form.visibility.data, ip_address=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Der %(name)s ist angelegt.", name=group.name), "success")
            return redirect(url_for("groups.show_group", slug=group.slug))
    return render_template("groups/form.html", form=form, group=None)


@bp.route("/<slug>/bearbeiten", methods=["GET", "POST"])
def edit(slug):
    group = services.get_group(current_user, slug)
    services.require_manage_groups(current_user)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        try:
            services.update_group(current_user, group, name=form.name.data,
                                  description=form.description.data,
                                  visibility=form.visibility.data, ip_address=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die Änderungen sind gespeichert."), "success")
            return redirect(url_for("groups.show_group", slug=group.slug))
    return render_template("groups/form.html", form=form, group=group)


@bp.route("/<slug>/archivieren", methods=["POST"])
def archive(slug):
    group = services.get_group(current_user, slug)
    archived = request.form.get("archiviert") == "1"
    services.set_archived(current_user, group, archived, client_ip())
    flash(_("Der Arbeitskreis ist archiviert und nur noch lesbar.") if archived
          else _("Der Arbeitskreis ist wieder aktiv."), "success")
    return redirect(url_for("groups.show_group", slug=slug))
