"""Thread and post pages: start, read, reply, quote, edit, delete, history, permalinks."""
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..documents import queries as document_queries
from ..documents.attachments import FILES_FIELD, AttachmentInput
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..groups.services import get_group
from ..moderation.services import hide_reason
from ..policy import Action, can
from ..web import apply_errors, int_arg, page_arg
from . import queries, services
from .forms import EditPostForm, ReplyForm, ThreadForm

bp = Blueprint("forum", __name__)


def _post_url(post):
    return url_for("forum.show_thread", thread_id=post.thread_id,
                   seite=queries.page_of(post.number), _anchor=f"beitrag-{post.id}")


def _new_submission_key(form):
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(16)


def _form_status(form):
    """A form sent back with errors answers 400, so the refusal is visible to any client."""
    return 400 if request.method == "POST" and form.errors else 200


def _attach_context(group, error=None):
    """What templates/documents/_attach_field.html needs."""
    return {"attach_choices": document_queries.attach_choices(current_user, group),
            "attach_error": error, "attach_selected": request.form.getlist("bibliothek")}


def _requested_page():
    # Permalinks say ?seite=; the shared pagination macro links with ?page=.
    return page_arg("seite") if "seite" in request.args else page_arg("page")


@bp.route("/arbeitskreise/<slug>/neues-thema", methods=["GET", "POST"])
def new_thread(slug):
    group = get_group(current_user, slug)
    services.preview_permission(current_user, group=group)
    form = ThreadForm()
    _new_submission_key(form)
    preview_html = attach_error = None
    if form.validate_on_submit():
        try:
            if "vorschau" in request.form:
                preview_html = services.preview(current_user, form.body.data, group=group)
            else:
                post = services.start_thread(current_user, group, form.title.data,
                                             form.body.data, form.submission_key.data,
                                             AttachmentInput.from_request(request))
                flash(_("Ihr Thema ist veröffentlicht."), "success")
                return redirect(_post_url(post))
        except ValidationError as exc:
            attach_error = exc.errors.get(FILES_FIELD)
            if attach_error is None:
                apply_errors(form, exc)
    status = 400 if attach_error else _form_status(form)
    return render_template("forum/new_thread.html", group=group, form=form,
                           preview_html=preview_html,
                           **_attach_context(group, attach_error)), status


@bp.route("/themen/<int:thread_id>")
def show_thread(thread_id):
    thread = services.get_thread(current_user, thread_id)
    read_up_to = services.read_position(current_user, thread)
    page = queries.thread_page_number(thread, _requested_page())
    # Before the posts are loaded: the commit would expire them (one reload per post).
    services.mark_read(current_user, thread, queries.last_number_on_page(thread, page), read_up_to)
    form = ReplyForm()
    _new_submission_key(form)
    posts = queries.thread_posts(thread, page)
    viewer = current_user._get_current_object()
    return render_template("forum/thread.html", thread=thread, group=thread.group,
                           posts=posts, form=form, unread_from=read_up_to + 1,
                           actions=services.post_actions(viewer, posts.items),
                           may_reply=can(viewer, Action.REPLY, thread),
                           moderates=can(viewer, Action.MODERATE_GROUP, thread.group),
                           hidden_reason=hide_reason(thread) if thread.is_hidden else "",
                           watching=services.is_watching(current_user, thread=thread),
                           attachments_by_post=document_queries.attachments_for_posts(
                               [post.id for post in posts.items]),
                           **_attach_context(thread.group))


@bp.route("/themen/<int:thread_id>/ungelesen")
def first_unread(thread_id):
    thread = services.get_thread(current_user, thread_id)
    number = services.first_unread_number(current_user, thread)
    return redirect(url_for("forum.show_thread", thread_id=thread.id,
                            seite=queries.page_of(number), _anchor=f"nr-{number}"))


@bp.route("/themen/<int:thread_id>/antworten", methods=["GET", "POST"])
def reply(thread_id):
    thread = services.get_thread(current_user, thread_id)
    services.preview_permission(current_user, thread=thread)
    form = ReplyForm()
    _new_submission_key(form)
    preview_html = attach_error = None
    quote_id = int_arg("zitat")
    if request.method == "GET" and quote_id:
        try:
            form.body.data = services.quote_source(current_user,
                                                   services.get_post(current_user, quote_id))
        except (NotFound, PermissionDenied):
            flash(_("Der Beitrag zum Zitieren ist nicht (mehr) verfügbar."), "info")
    if form.validate_on_submit():
        try:
            if "vorschau" in request.form:
                preview_html = services.preview(current_user, form.body.data, thread=thread)
            else:
                post = services.reply(current_user, thread, form.body.data,
                                      form.submission_key.data,
                                      AttachmentInput.from_request(request))
                flash(_("Ihre Antwort ist veröffentlicht."), "success")
                return redirect(_post_url(post))
        except ValidationError as exc:
            attach_error = exc.errors.get(FILES_FIELD)
            if attach_error is None:
                apply_errors(form, exc)
    status = 400 if attach_error else _form_status(form)
    return render_template("forum/reply.html", thread=thread, group=thread.group, form=form,
                           preview_html=preview_html,
                           **_attach_context(thread.group, attach_error)), status


@bp.route("/beitraege/<int:post_id>")
def permalink(post_id):
    post = services.get_post(current_user, post_id)
    return redirect(_post_url(post))


@bp.route("/beitraege/<int:post_id>/bearbeiten", methods=["GET", "POST"])
def edit_post(post_id):
    try:
        post = services.get_post(current_user, post_id)
    except NotFound:
        if request.method == "POST" and services.wrote_post(current_user, post_id):
            # The thread was hidden or moved where the author cannot follow while they were
            # writing: keep their text, and name nothing of where the thread is now.
            return _edit_not_saved(None, _("Das Thema ist für Sie nicht mehr sichtbar: Die "
                                           "Moderation hat es ausgeblendet oder in einen anderen "
                                           "Arbeitskreis verschoben."))
        raise
    try:
        services.edit_permission(current_user, post)
        form = EditPostForm()
        if request.method == "GET":
            form.body.data = post.source
            form.title.data = post.thread.title
            form.version.data = services.version_token(post)
        if form.validate_on_submit():
            try:
                services.edit_post(current_user, post, form.body.data,
                                   form.title.data if post.number == 1 else None,
                                   form.version.data or "")
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict:
                return _edit_not_saved(post, _changed_meanwhile(post))
            else:
                flash(_("Der Beitrag wurde gespeichert."), "success")
                return redirect(_post_url(post))
    except PermissionDenied:
        reason = _no_longer_editable(post) if request.method == "POST" else None
        if reason is None:
            raise
        return _edit_not_saved(post, reason)
    return render_template("forum/edit_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form), _form_status(form)


def _changed_meanwhile(post):
    """Why a stale edit form was refused: the post has a newer version."""
    if post.edited_by_id == current_user.id:
        return _("Sie haben den Beitrag inzwischen an anderer Stelle geändert, etwa in einem "
                 "anderen Fenster. Bitte übernehmen Sie Ihre Änderung in die aktuelle Fassung.")
    return _("Der Beitrag wurde inzwischen von jemand anderem geändert. Bitte laden Sie die Seite "
             "neu und übernehmen Sie Ihre Änderung erneut.")


def _no_longer_editable(post):
    """What changed while someone who could edit the post was writing (policy refused the
    edit; this only words the refusal), or None for a refusal of another kind (an archived
    group is refused like every other write there, with 403)."""
    thread = post.thread
    if thread.group.is_archived or (post.author_id != current_user.id and not can(
            current_user, Action.MODERATE_GROUP, thread.group)):
        return None
    if post.is_deleted:
        if post.edited_by_id in (current_user.id, post.author_id):
            return _("Der Beitrag wurde inzwischen gelöscht.")
        return _("Der Beitrag wurde inzwischen von der Moderation gelöscht.")
    if post.is_hidden:
        return _("Der Beitrag wurde inzwischen von der Moderation ausgeblendet.")
    if thread.is_hidden:
        return _("Das Thema wurde inzwischen von der Moderation ausgeblendet.")
    if thread.is_locked:
        return _("Das Thema wurde inzwischen geschlossen.")
    return None


def _edit_not_saved(post, reason):
    """409 with the reason and the text the person typed, so nothing they wrote is lost.
    Without `post` (out of the person's sight now) the page shows only what they typed."""
    if post is None:
        title = request.form.get("title") or None
    else:
        title = request.form.get("title", "") if post.number == 1 else None
    return render_template(
        "forum/edit_not_saved.html", post=post, reason=reason, title=title,
        body=request.form.get("body", ""), thread=post.thread if post else None,
        group=post.thread.group if post else None,
        may_edit=post is not None and can(current_user, Action.EDIT_POST, post)), 409


@bp.route("/beitraege/<int:post_id>/loeschen", methods=["GET", "POST"])
def delete_post(post_id):
    post = services.get_post(current_user, post_id)
    if request.method == "POST":
        services.delete_post(current_user, post)
        flash(_("Der Beitrag wurde gelöscht."), "success")
        return redirect(_post_url(post))
    services.delete_permission(current_user, post)
    return render_template("forum/delete_post.html", post=post, thread=post.thread,
                           group=post.thread.group)


@bp.route("/beitraege/<int:post_id>/versionen")
def revisions(post_id):
    post = services.get_post(current_user, post_id)
    return render_template("forum/revisions.html", post=post, thread=post.thread,
                           group=post.thread.group,
                           revisions=services.revisions(current_user, post))


@bp.route("/themen/<int:thread_id>/beobachten", methods=["POST"])
def watch(thread_id):
    thread = services.get_thread(current_user, thread_id)
    watch_on = request.form.get("beobachten") == "1"
    services.set_thread_watch(current_user, thread, watch_on)
    flash(_("Sie beobachten dieses Thema und werden über neue Antworten benachrichtigt.")
          if watch_on else _("Sie beobachten dieses Thema nicht mehr."), "success")
    return redirect(url_for("forum.show_thread", thread_id=thread.id))
