"""Thread and post pages: start, read, reply, quote, edit, delete, history, permalinks."""
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ValidationError
from ..groups.services import get_group
from ..web import apply_errors
from . import queries, services
from .forms import EditPostForm, ReplyForm, ThreadForm

bp = Blueprint("forum", __name__)


def _post_url(post):
    return url_for("forum.show_thread", thread_id=post.thread_id,
                   seite=queries.page_of(post.number), _anchor=f"beitrag-{post.id}")


def _new_submission_key(form):
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(16)


@bp.route("/arbeitskreise/<slug>/neues-thema", methods=["GET", "POST"])
def new_thread(slug):
    group = get_group(current_user, slug)
    form = ThreadForm()
    _new_submission_key(form)
    preview_html = None
    if form.validate_on_submit():
        try:
            if "vorschau" in request.form:
                preview_html = services.preview(current_user, form.body.data, group=group)
            else:
                post = services.start_thread(current_user, group, form.title.data,
                                             form.body.data, form.submission_key.data)
                flash(_("Ihr Thema ist veröffentlicht."), "success")
                return redirect(_post_url(post))
        except ValidationError as exc:
            apply_errors(form, exc)
    elif request.method == "GET":
        services.preview_permission(current_user, group=group)
    return render_template("forum/new_thread.html", group=group, form=form,
                           preview_html=preview_html)


@bp.route("/themen/<int:thread_id>")
def show_thread(thread_id):
    thread = services.get_thread(current_user, thread_id)
    posts = queries.thread_posts(thread, request.args.get("seite", 1, type=int) or 1)
    unread_from = services.first_unread_number(current_user, thread)
    if posts.items:
        services.mark_read(current_user, thread, posts.items[-1].number)
    form = ReplyForm()
    _new_submission_key(form)
    return render_template("forum/thread.html", thread=thread, group=thread.group, posts=posts,
                           form=form, unread_from=unread_from,
                           watching=services.is_watching(current_user, thread=thread))


@bp.route("/themen/<int:thread_id>/ungelesen")
def first_unread(thread_id):
    thread = services.get_thread(current_user, thread_id)
    number = services.first_unread_number(current_user, thread)
    return redirect(url_for("forum.show_thread", thread_id=thread.id,
                            seite=queries.page_of(number), _anchor=f"nr-{number}"))


@bp.route("/themen/<int:thread_id>/antworten", methods=["GET", "POST"])
def reply(thread_id):
    thread = services.get_thread(current_user, thread_id)
    form = ReplyForm()
    _new_submission_key(form)
    preview_html = None
    quote_id = request.args.get("zitat", type=int)
    if request.method == "GET" and quote_id:
        form.body.data = services.quote_source(current_user,
                                               services.get_post(current_user, quote_id))
    if form.validate_on_submit():
        try:
            if "vorschau" in request.form:
                preview_html = services.preview(current_user, form.body.data, thread=thread)
            else:
                post = services.reply(current_user, thread, form.body.data,
                                      form.submission_key.data)
                flash(_("Ihre Antwort ist veröffentlicht."), "success")
                return redirect(_post_url(post))
        except ValidationError as exc:
            apply_errors(form, exc)
    elif request.method == "GET":
        services.preview_permission(current_user, thread=thread)
    return render_template("forum/reply.html", thread=thread, group=thread.group, form=form,
                           preview_html=preview_html)


@bp.route("/beitraege/<int:post_id>")
def permalink(post_id):
    post = services.get_post(current_user, post_id)
    return redirect(_post_url(post))


@bp.route("/beitraege/<int:post_id>/bearbeiten", methods=["GET", "POST"])
def edit_post(post_id):
    post = services.get_post(current_user, post_id)
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
        else:
            flash(_("Der Beitrag wurde gespeichert."), "success")
            return redirect(_post_url(post))
    return render_template("forum/edit_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form)


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
