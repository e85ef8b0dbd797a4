"""Moderation pages: thread and post tools, reports, the queue, the log, sanctions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ValidationError
from ..forum import services as forum_services
from ..forum.queries import thread_posts
from ..sql import parse_id
from ..timeutil import day_end_utc
from ..web import apply_errors, int_arg, page_arg
from . import reports, services
from .forms import (HandleReportForm, HidePostForm, MergeForm, MoveForm, RenameForm,
                    ReportForm, SplitForm, SuspendForm, ThreadActionForm)
from .queries import move_targets

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def _expected_group():
    """The group the moderator saw; an edited value names no group (0), so the service refuses
    the action as coming from a stale page."""
    value = request.form.get("expected_group_id", "")
    return (parse_id(value) or 0) if value else None


def _posted_ids(name):
    """The ids ticked in a list of checkboxes; values that name no row are left out."""
    return [number for number in map(parse_id, request.form.getlist(name)) if number]


def _thread_page(thread, forms=None, status=200):
    forms = forms or {}
    move = forms.get("move") or MoveForm()
    move.target_group_id.choices = [(g.id, g.name) for g in move_targets(current_user, thread)]
    context = {
        "thread": thread, "group": thread.group,
        "posts": thread_posts(thread, page_arg("seite")),
        "action_form": forms.get("action") or ThreadActionForm(),
        "rename_form": forms.get("rename") or RenameForm(title=thread.title),
        "move_form": move, "split_form": forms.get("split") or SplitForm(),
        "merge_form": forms.get("merge") or MergeForm(),
    }
    return render_template("moderation/thread.html", **context), status


@bp.route("/themen/<int:thread_id>")
def thread_tools(thread_id):
    thread = services.get_moderated_thread(current_user, thread_id)
    return _thread_page(thread)


def _done(thread_id, message):
    flash(message, "success")
    return redirect(url_for("moderation.thread_tools", thread_id=thread_id))


@bp.route("/themen/<int:thread_id>/anheften", methods=["POST"])
def pin(thread_id):
    on = request.form.get("an") == "1"
    services.set_pinned(current_user, thread_id, on, _expected_group())
    return _done(thread_id, _("Das Thema ist angeheftet.") if on
                 else _("Das Thema ist nicht mehr angeheftet."))


def _switch_with_reason(thread_id, set_state, done_on, done_off):
    """Lock/unlock and hide/restore: the same form, a reason, a German message either way."""
    on = request.form.get("an") == "1"
    try:
        set_state(current_user, thread_id, on, request.form.get("reason", ""), _expected_group())
    except ValidationError as exc:
        flash(exc.message, "error")
        return redirect(url_for("moderation.thread_tools", thread_id=thread_id))
    return _done(thread_id, done_on if on else done_off)


@bp.route("/themen/<int:thread_id>/schliessen", methods=["POST"])
def lock(thread_id):
    return _switch_with_reason(thread_id, services.set_locked, _("Das Thema ist geschlossen."),
                               _("Das Thema ist wieder geöffnet."))


@bp.route("/themen/<int:thread_id>/ausblenden", methods=["POST"])
def hide_thread(thread_id):
    return _switch_with_reason(thread_id, services.set_thread_hidden,
                               _("Das Thema ist ausgeblendet."),
                               _("Das Thema ist wieder sichtbar."))


@bp.route("/themen/<int:thread_id>/umbenennen", methods=["POST"])
def rename(thread_id):
    form = RenameForm()
    if form.validate_on_submit():
        try:
            services.rename_thread(current_user, thread_id, form.title.data, _expected_group())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(thread_id, _("Das Thema wurde umbenannt."))
    thread = services.get_moderated_thread(current_user, thread_id)
    return _thread_page(thread, {"rename": form}, 400)


@bp.route("/themen/<int:thread_id>/verschieben", methods=["POST"])
def move(thread_id):
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_thread(current_user, thread_id, form.target_group_id.data,
                                 _expected_group(), form.reason.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(thread_id, _("Das Thema wurde verschoben."))
    thread = services.get_moderated_thread(current_user, thread_id)
    return _thread_page(thread, {"move": form}, 400)


@bp.route("/themen/<int:thread_id>/teilen", methods=["POST"])
def split(thread_id):
    form = SplitForm()
    if form.validate_on_submit():
        try:
            new = services.split_thread(current_user, thread_id, _posted_ids("post_ids"),
                                        form.title.data, expected_group_id=_expected_group())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die ausgewählten Beiträge bilden jetzt ein eigenes Thema."), "success")
            return redirect(url_for("forum.show_thread", thread_id=new.id))
    thread = services.get_moderated_thread(current_user, thread_id)
    return _thread_page(thread, {"split": form}, 400)


@bp.route("/themen/<int:thread_id>/zusammenfuehren", methods=["POST"])
def merge(thread_id):
    form = MergeForm()
    if form.validate_on_submit():
        try:
            target = services.merge_threads(current_user, thread_id, form.target_thread_id.data,
                                            _expected_group())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die Themen wurden zusammengeführt."), "success")
            return redirect(url_for("forum.show_thread", thread_id=target.id))
    thread = services.get_moderated_thread(current_user, thread_id)
    return _thread_page(thread, {"merge": form}, 400)


@bp.route("/beitraege/<int:post_id>", methods=["GET", "POST"])
def post_tools(post_id):
    post = forum_services.get_post(current_user, post_id)
    form = HidePostForm()
    if form.validate_on_submit():
        try:
            services.set_post_hidden(current_user, post_id, True, form.reason.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Der Beitrag ist ausgeblendet."), "success")
            return redirect(url_for("forum.permalink", post_id=post_id))
    services.require_moderation_of(current_user, post.thread.group)
    return render_template("moderation/post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form)


@bp.route("/beitraege/<int:post_id>/einblenden", methods=["POST"])
def restore_post(post_id):
    services.set_post_hidden(current_user, post_id, False)
    flash(_("Der Beitrag ist wieder sichtbar."), "success")
    return redirect(url_for("forum.permalink", post_id=post_id))


@bp.route("/beitraege/<int:post_id>/melden", methods=["GET", "POST"])
def report(post_id):
    post, earlier = reports.get_reportable_post(current_user, post_id)
    form = ReportForm()
    if earlier is None and form.validate_on_submit():
        try:
            created = reports.report_post(current_user, post_id, form.reason.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if created is None:  # sent twice at once: the first report stands
                flash(_("Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft Ihre "
                        "Meldung; Sie erfahren das Ergebnis."), "info")
            else:
                flash(_("Danke. Die Moderation prüft Ihre Meldung; Sie erfahren das Ergebnis."),
                      "success")
            return redirect(url_for("forum.permalink", post_id=post_id))
    return render_template("moderation/report.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form, earlier=earlier)


@bp.route("/")
def queue():
    group_id = int_arg("arbeitskreis")
    open_reports = reports.report_queue(current_user, group_id, page_arg())
    groups, _moderators = services.log_filters(current_user)
    return render_template("moderation/queue.html", reports=open_reports, groups=groups,
                           group_id=group_id, form=HandleReportForm())


@bp.route("/meldungen/<int:report_id>", methods=["POST"])
def handle_report(report_id):
    form = HandleReportForm()
    resolution = request.form.get("entscheidung", "")
    try:
        reports.handle_report(current_user, report_id, resolution, form.note.data or "",
                               hide_post=request.form.get("ausblenden") == "1")
    except ValidationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Die Meldung ist bearbeitet; die meldende Person wird informiert."), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/protokoll")
def log():
    filters = {"group_id": int_arg("arbeitskreis"),
               "moderator_id": int_arg("moderation"),
               "action": request.args.get("aktion", "")[:32]}
    entries = services.moderation_log(current_user, page=page_arg(), **filters)
    groups, moderators = services.log_filters(current_user)
    return render_template("moderation/log.html", entries=entries, groups=groups,
                           moderators=moderators, filters=filters,
                           actions=services.ACTION_LABELS)


@bp.route("/mitglieder/<int:user_id>/sperren", methods=["GET", "POST"])
def suspend(user_id):
    user = services.get_sanctionable(current_user, user_id)
    form = SuspendForm()
    if form.validate_on_submit():
        until = day_end_utc(form.until.data) if form.until.data else None  # German day
        try:
            services.suspend_member(current_user, user_id, form.reason.data, until)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Das Konto ist gesperrt; alle Sitzungen wurden beendet."), "success")
            return redirect(url_for("moderation.log"))
    return render_template("moderation/suspend.html", user=user, form=form)


@bp.route("/mitglieder/<int:user_id>/reaktivieren", methods=["POST"])
def reactivate(user_id):
    services.reactivate_member(current_user, user_id)
    flash(_("Das Konto ist wieder aktiv."), "success")
    return redirect(url_for("moderation.log"))
