"""Announcement and event pages, the editors' form, images, and the personal feeds."""
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, \
    send_file, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import timeutil
from ..auth.session import public
from ..errors import Conflict, ValidationError
from ..sql import parse_id
from ..web import apply_errors, client_ip, page_arg
from . import display, feeds, queries, services
from .forms import AnnouncementForm
from .images import ImageStore
from ..timeutil import local_time
from .models import CATEGORY_LABELS, CATEGORY_SLUGS

bp = Blueprint("announcements", __name__)
display.register(bp)


def image_store():
    root = current_app.config.get("ANNOUNCEMENT_IMAGE_DIR") or \
        Path(current_app.instance_path) / "announcement_images"
    return ImageStore(root)


# --- reading ------------------------------------------------------------------------------

@bp.route("/neuigkeiten")
def list_announcements():
    slug = request.args.get("kategorie", "")
    if slug and slug not in CATEGORY_SLUGS:
        abort(404)
    page = queries.announcement_list(current_user, CATEGORY_SLUGS.get(slug), page_arg())
    return render_template("announcements/list.html", page=page, slug=slug,
                           categories=CATEGORY_SLUGS, labels=CATEGORY_LABELS)


@bp.route("/neuigkeiten/<int:announcement_id>")
def show_announcement(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    return render_template("announcements/show.html", announcement=announcement,
                           attachments=queries.attachments(current_user, announcement),
                           now=timeutil.utcnow())


@bp.route("/neuigkeiten/<int:announcement_id>/bild/<key>")
def show_image(announcement_id, key):
    announcement = services.get_announcement(current_user, announcement_id)
    path, media_type = services.image_file(current_user, announcement, key, image_store())
    response = send_file(path, mimetype=media_type, conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/termine")
def list_events():
    return render_template("announcements/events.html", past=False,
                           page=queries.upcoming_events(current_user, page_arg()))


@bp.route("/termine/vergangene")
def list_past_events():
    return render_template("announcements/events.html", past=True,
                           page=queries.past_events(current_user, page_arg()))


@bp.route("/termine/<int:announcement_id>.ics")
def download_event(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    if not announcement.is_event:
        abort(404)
    return feeds.calendar_response([announcement], announcement.title,
                                   f"termin-{announcement.id}.ics")


# --- personal feeds -----------------------------------------------------------------------

@bp.route("/neuigkeiten/abonnieren")
def show_feeds():
    return render_template("announcements/feeds.html", token=services.feed_token(current_user))


@bp.route("/neuigkeiten/abonnieren/neue-adresse", methods=["POST"])
def reset_feed_token():
    existed = services.feed_token(current_user) is not None
    services.reset_feed_token(current_user)
    flash(_("Ihre neuen Feed-Adressen sind erstellt; die bisherigen funktionieren nicht mehr.")
          if existed else _("Ihre persönlichen Feed-Adressen sind erstellt."), "success")
    return redirect(url_for("announcements.show_feeds"))


@bp.route("/feeds/<token>/neuigkeiten.atom")
@public
def atom_feed(token):
    reader = services.feed_reader(token)
    return feeds.atom_response(queries.feed_entries(reader),
                               _("Neuigkeiten – %(site)s", site=current_app.config["SITE_NAME"]))


@bp.route("/feeds/<token>/termine.ics")
@public
def calendar_feed(token):
    reader = services.feed_reader(token)
    return feeds.calendar_response(
        queries.calendar_events(reader),
        _("Termine – %(site)s", site=current_app.config["SITE_NAME"]), "termine.ics")


# --- writing ------------------------------------------------------------------------------

@bp.route("/neuigkeiten/redaktion")
def manage_announcements():
    return render_template("announcements/manage.html",
                           page=queries.editor_list(current_user, page_arg()))


@bp.route("/neuigkeiten/neu", methods=["GET", "POST"])
def new_announcement():
    services.require_writer(current_user)
    form = _form()
    if form.validate_on_submit():
        try:
            result = services.create_announcement(current_user, _data(form), image_store(),
                                                  ip=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _saved(result)
    return render_template("announcements/form.html", form=form, announcement=None, live=False)


@bp.route("/neuigkeiten/<int:announcement_id>/bearbeiten", methods=["GET", "POST"])
def edit_announcement(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    services.edit_permission(current_user, announcement)
    form = _form(announcement)
    if form.validate_on_submit():
        try:
            result = services.update_announcement(current_user, announcement, _data(form),
                                                  image_store(), ip=client_ip())
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "error")
            form.version.data = str(announcement.version)
        else:
            return _saved(result)
    return render_template("announcements/form.html", form=form, announcement=announcement,
                           live=announcement.is_live(timeutil.utcnow()))


@bp.route("/neuigkeiten/<int:announcement_id>/veroeffentlichen", methods=["POST"])
def publish_announcement(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    return _saved(services.publish_announcement(current_user, announcement, ip=client_ip()))


@bp.route("/neuigkeiten/<int:announcement_id>/zurueckziehen", methods=["POST"])
def unpublish_announcement(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    services.unpublish_announcement(current_user, announcement, ip=client_ip())
    flash(_("Die Mitteilung ist zurückgezogen und für Mitglieder nicht mehr sichtbar."), "success")
    return redirect(url_for("announcements.show_announcement", announcement_id=announcement.id))


@bp.route("/neuigkeiten/<int:announcement_id>/loeschen", methods=["GET", "POST"])
def delete_announcement(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    if request.method == "POST":
        services.delete_announcement(current_user, announcement, ip=client_ip())
        flash(_("Die Mitteilung „%(title)s“ wurde gelöscht.", title=announcement.title), "success")
        return redirect(url_for("announcements.manage_announcements"))
    services.edit_permission(current_user, announcement)
    return render_template("announcements/delete.html", announcement=announcement)


@bp.route("/neuigkeiten/<int:announcement_id>/versionen")
def show_revisions(announcement_id):
    announcement = services.get_announcement(current_user, announcement_id)
    return render_template("announcements/revisions.html", announcement=announcement,
                           revisions=services.revisions(current_user, announcement))


# --- form helpers -------------------------------------------------------------------------

def _form(announcement=None):
    form = AnnouncementForm()
    if request.method == "GET" and announcement is not None:
        _fill(form, announcement)
    selected = form.group_ids.data or []
    form.group_ids.choices = [SelectChoice(value, name)
                              for value, name in queries.group_choices(selected)]
    form.document_ids.choices = [SelectChoice(str(document.id), f"{document.title} "
                                              f"({document.current_version.type_label})")
                                 for document in queries.attachable_documents(
                                     form.document_ids.data or [])]
    return form


def _fill(form, a):
    """The stored announcement as the form shows it: times in German local time."""
    for name in ("title", "teaser", "body", "category", "audience", "is_pinned", "is_all_day",
                 "location", "online_url", "registration_url", "image_alt"):
        getattr(form, name).data = getattr(a, name)
    form.group_ids.data = [str(group.id) for group in a.groups]
    form.document_ids.data = [str(document.id) for document in queries.attachments(current_user, a)]
    form.version.data = str(a.version)
    form.publication.data = "scheduled" if a.state(timeutil.utcnow()) == "scheduled" else "draft"
    if a.publish_at:
        form.publish_at.data = local_time(a.publish_at).replace(tzinfo=None)
    if a.starts_at:
        start, end = local_time(a.starts_at), local_time(a.ends_at)
        form.starts_on.data = start.date()
        form.ends_on.data = a.last_day if a.last_day != start.date() else None
        if not a.is_all_day:
            form.starts_time.data = start.time()
            form.ends_time.data = end.time() if a.has_end else None


def _data(form):
    upload = form.image.data
    return services.AnnouncementData(
        title=form.title.data, teaser=form.teaser.data, body=form.body.data,
        category=form.category.data, audience=form.audience.data,
        group_ids=form.group_ids.data or [], document_ids=form.document_ids.data or [],
        publication=form.publication.data,
        publish_at=form.publish_at.data, is_pinned=form.is_pinned.data,
        starts_on=form.starts_on.data, starts_time=form.starts_time.data,
        ends_on=form.ends_on.data, ends_time=form.ends_time.data,
        is_all_day=form.is_all_day.data, location=form.location.data,
        online_url=form.online_url.data, registration_url=form.registration_url.data,
        image=upload.stream if upload else None, image_alt=form.image_alt.data,
        remove_image=form.remove_image.data,
        version=_version(form.version.data))


def _version(value):
    """The version the editor started from; an edited value matches none (0), so saving is
    refused as a conflict instead of overwriting unseen changes."""
    return (parse_id(value) or 0) if value else None


def _saved(result):
    announcement = result.announcement
    if result.past_time_published:
        flash(_("Der gewählte Zeitpunkt liegt in der Vergangenheit; die Mitteilung wurde "
                "deshalb sofort veröffentlicht."), "info")
    if result.published:
        flash(_("Die Mitteilung ist veröffentlicht."), "success")
    elif result.scheduled:
        flash(_("Die Mitteilung wird am %(when)s veröffentlicht.",
                when=format_datetime(announcement.publish_at, "dd.MM.yyyy 'um' HH:mm 'Uhr'")),
              "success")
    else:
        flash(_("Die Mitteilung ist gespeichert."), "success")
    return redirect(url_for("announcements.show_announcement", announcement_id=announcement.id))
