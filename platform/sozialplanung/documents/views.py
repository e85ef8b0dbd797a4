"""Library pages, upload, versions, metadata, delete, downloads and post attachments."""
import logging

from flask import (Blueprint, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import NotFound, ValidationError
from ..forum import services as forum_services
from ..groups.services import get_group
from ..web import apply_errors, client_ip, page_arg
from . import attachments, queries, services, settings
from .filetypes import ACCEPT_ATTRIBUTE
from .forms import EditForm, LibraryFilterForm, UploadForm, VersionForm
from .storage import get_storage
from .uploads import format_size

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)
bp.record_once(lambda state: settings.init_app(state.app))
bp.add_app_template_filter(format_size, "filesize")
bp.add_app_template_global(ACCEPT_ATTRIBUTE, "document_accept")


def _library_url(group):
    if group is None:
        return url_for("documents.platform_library")
    return url_for("documents.group_library", slug=group.slug)


def _group_or_none(slug):
    return get_group(current_user, slug) if slug else None


@bp.errorhandler(413)
def _too_large(exc):
    config = current_app.config
    limit = min(filter(None, (config["MAX_CONTENT_LENGTH"], config["DOCUMENT_MAX_BYTES"])))
    return render_template("documents/too_large.html", limit=format_size(limit),
                           back=request.path), 413


# --- libraries ----------------------------------------------------------------------------

@bp.route("/dokumente/")
def platform_library():
    return _render_library(None)


@bp.route("/arbeitskreise/<slug>/dokumente")
def group_library(slug):
    return _render_library(get_group(current_user, slug))


def _render_library(group):
    form = LibraryFilterForm(formdata=request.args)
    tags = queries.library_tags(current_user, group)
    form.set_choices(tags)
    documents = queries.library_page(current_user, group, category=form.kategorie.data or "",
                                     tag=form.schlagwort.data or "",
                                     sort=form.sortierung.data or "datum", page=page_arg())
    return render_template("documents/library.html", group=group, form=form, documents=documents,
                           filters={k: v for k, v in request.args.items() if k != "page" and v},
                           libraries=queries.group_libraries(current_user) if group is None
                           else None)


@bp.route("/dokumente/hochladen", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/arbeitskreise/<slug>/dokumente/hochladen", methods=["GET", "POST"])
def upload(slug):
    group = _group_or_none(slug)
    services.upload_permission(current_user, group)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            document = services.upload_document(
                current_user, group, form.file.data, title=form.title.data,
                description=form.description.data, category=form.category.data,
                tags=form.tags.data, ip_address=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Das Dokument „%(title)s“ ist hochgeladen.", title=document.title), "success")
            return redirect(url_for("documents.show_document", document_id=document.id))
    return render_template("documents/upload.html", group=group, form=form,
                           back=_library_url(group)), 400 if form.errors else 200


# --- one document -------------------------------------------------------------------------

@bp.route("/dokumente/<int:document_id>")
def show_document(document_id):
    document = services.get_document(current_user, document_id)
    return render_template("documents/show.html", document=document, group=document.group,
                           versions=queries.versions_page(document, page_arg()))


@bp.route("/dokumente/<int:document_id>/neue-version", methods=["GET", "POST"])
def new_version(document_id):
    document = services.get_document(current_user, document_id)
    services.edit_permission(current_user, document)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = services.add_version(current_user, document, form.file.data,
                                           form.change_note.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Version %(n)s ist hochgeladen.", n=version.number), "success")
            return redirect(url_for("documents.show_document", document_id=document.id))
    return render_template("documents/new_version.html", document=document,
                           group=document.group, form=form), 400 if form.errors else 200


@bp.route("/dokumente/<int:document_id>/bearbeiten", methods=["GET", "POST"])
def edit_document(document_id):
    document = services.get_document(current_user, document_id)
    services.edit_permission(current_user, document)
    form = EditForm(obj=document, tags=", ".join(document.tags))
    if form.validate_on_submit():
        try:
            services.update_document(current_user, document, title=form.title.data,
                                     description=form.description.data,
                                     category=form.category.data, tags=form.tags.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Die Angaben zum Dokument sind gespeichert."), "success")
            return redirect(url_for("documents.show_document", document_id=document.id))
    return render_template("documents/edit.html", document=document, group=document.group,
                           form=form), 400 if form.errors else 200


@bp.route("/dokumente/<int:document_id>/loeschen", methods=["GET", "POST"])
def delete_document(document_id):
    document = services.get_document(current_user, document_id)
    if request.method == "POST":
        services.delete_document(current_user, document, client_ip())
        flash(_("Das Dokument „%(title)s“ wurde gelöscht.", title=document.title), "success")
        return redirect(_library_url(document.group))
    services.delete_permission(current_user, document)
    return render_template("documents/delete.html", document=document, group=document.group)


# --- downloads ----------------------------------------------------------------------------

@bp.route("/dokumente/<int:document_id>/herunterladen", defaults={"number": None})
@bp.route("/dokumente/<int:document_id>/versionen/<int:number>/herunterladen")
def download(document_id, number):
    return _download_response(services.get_version(current_user, document_id, number))


def _download_response(version):
    """The file as an attachment under its original name, never rendered by the browser."""
    storage = get_storage()
    path = storage.local_path(version.blob_key)
    try:
        if path is not None:
            response = send_file(path, mimetype=version.media_type, as_attachment=True,
                                 download_name=version.filename, etag=version.blob_key,
                                 last_modified=version.created_at, conditional=True)
        else:
            response = _stream_response(storage, version)
    except FileNotFoundError:
        log.error("Blob %s of document version %s is missing", version.blob_key, version.id)
        raise NotFound() from None
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    return response


def _stream_response(storage, version):
    """send_file for a blob that is not on this machine (S3): streamed, with range support."""
    response = send_file(storage.open(version.blob_key), mimetype=version.media_type,
                         as_attachment=True, download_name=version.filename,
                         last_modified=version.created_at, conditional=False)
    response.content_length = version.size
    response.set_etag(version.blob_key)
    return response.make_conditional(request.environ, accept_ranges=True,
                                     complete_length=version.size)


# --- attachments of a forum post ----------------------------------------------------------

@bp.route("/beitraege/<int:post_id>/anhaenge", methods=["GET", "POST"])
def post_attachments(post_id):
    post = forum_services.get_post(current_user, post_id)
    attachments.attach_permission(current_user, post)
    group = post.thread.group
    error = None
    if request.method == "POST":
        try:
            attachments.add_attachments(current_user, post,
                                        attachments.AttachmentInput.from_request(request))
        except ValidationError as exc:
            error = exc.errors.get(attachments.FILES_FIELD) or exc.message
        else:
            flash(_("Die Anhänge sind gespeichert."), "success")
            return redirect(url_for("documents.post_attachments", post_id=post.id))
    return render_template(
        "documents/post_attachments.html", post=post, thread=post.thread, group=group,
        attachments=queries.attachments_for_posts([post.id]).get(post.id, []),
        attach_choices=queries.attach_choices(current_user, group), attach_error=error,
        attach_selected=request.form.getlist(attachments.PICK_FIELD)), 400 if error else 200


@bp.route("/beitraege/<int:post_id>/anhaenge/<int:attachment_id>/entfernen", methods=["POST"])
def remove_attachment(post_id, attachment_id):
    post = forum_services.get_post(current_user, post_id)
    attachments.remove_attachment(current_user, post, attachment_id, client_ip())
    flash(_("Der Anhang wurde entfernt."), "success")
    return redirect(url_for("documents.post_attachments", post_id=post.id))
