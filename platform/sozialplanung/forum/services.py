"""Discussion rules: start threads, reply, quote, edit with history, soft delete, read state,
subscriptions, and who is notified about a new post."""
import logging
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, false, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User, UserStatus
from ..documents.attachments import attachment_batch
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..groups.models import WorkingGroup
from ..markup import render_markdown
from ..notifications.services import notify_users
from ..policy import Action, can, require
from ..sql import begin_write_transaction
from ..text import without_bidi_controls, without_invisible
from ..timeutil import utcnow
from .models import Post, PostRevision, ReadState, Subscription, Thread

TITLE_MAX = 200
BODY_MAX = 50_000
MENTION = re.compile(r"@\[([^\[\]\n]{2,120})\]")

log = logging.getLogger(__name__)


# --- loading with permission checks -------------------------------------------------------

def get_thread(actor, thread_id):
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        raise NotFound()
    require(actor, Action.VIEW_THREAD, thread, hide=True)
    return thread


def get_post(actor, post_id):
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound()
    require(actor, Action.VIEW_POST, post, hide=True)
    return post


def wrote_post(actor, post_id):
    """Whether `actor` wrote this post, visible to them or not (a post's author may be told
    that the thread of their own post went out of their sight while they were editing it)."""
    return db.session.scalar(select(Post.id).where(
        Post.id == post_id, Post.author_id == actor.id)) is not None


# --- validation and rendering -------------------------------------------------------------

def _clean_title(title):
    title = " ".join(without_invisible(title).split())
    if not title:
        raise ValidationError(_("Bitte geben Sie einen Titel an."),
                              {"title": _("Bitte geben Sie einen Titel an.")})
    if len(title) > TITLE_MAX:
        raise ValidationError(_("Der Titel darf höchstens %(n)s Zeichen lang sein.", n=TITLE_MAX),
                              {"title": _("Höchstens %(n)s Zeichen.", n=TITLE_MAX)})
    return title


def _clean_body(body):
    body = without_bidi_controls(body).replace("\r\n", "\n").strip("\n")
    if not without_invisible(body).strip():  # zero-width spaces alone would post nothing
        raise ValidationError(_("Bitte schreiben Sie einen Text."),
                              {"body": _("Bitte schreiben Sie einen Text.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            _("Der Text darf höchstens %(n)s Zeichen lang sein.", n=f"{BODY_MAX:,}".replace(",", ".")),
            {"body": _("Der Text ist zu lang.")})
    return body


def _mentioned_users(written):
    """{lower-cased name: user} for the names written as @[Name]; ambiguous names are left out."""
    names = {name.lower() for name in written}
    if not names:
        return {}
    # A database's lower() may fold only ASCII (PostgreSQL under the C locale, SQLite without
    # the app's own function): match the name as written too, then compare in Python.
    users = db.session.scalars(select(User).where(
        func.lower(User.display_name).in_(names) | User.display_name.in_(written),
        User.status == UserStatus.ACTIVE)).all()
    by_name = {}
    for user in users:
        by_name.setdefault(user.display_name.lower(), []).append(user)
    return {name: found[0] for name, found in by_name.items() if len(found) == 1}


def render_post(source):
    """Markdown -> sanitized HTML with @[Name] mentions linked; returns (html, mentioned users).

    Mentions inside code (fenced blocks, `spans`) are code: left as written, nobody notified."""
    written = set()

    def collect(text):
        written.update(m.strip() for m in MENTION.findall(text))
        return text

    _outside_code(source, collect)
    users = _mentioned_users(written)
    mentioned = {}

    def link(match):
        user = users.get(match.group(1).strip().lower())
        if user is None:
            return match.group(0)
        mentioned[user.id] = user
        return f"[@{_escape_link_text(user.display_name)}](/mitglieder/{user.id})"

    source = _outside_code(source, lambda text: MENTION.sub(link, text))
    return render_markdown(source), list(mentioned.values())


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")


def _outside_code(source, change):
    """Apply `change` to the parts of Markdown `source` that are not fenced code or code spans."""
    lines, fence = [], None
    for line in source.split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                    and not line.strip().lstrip(fence[0]):
                fence = None
            lines.append(line)
        elif opening:
            fence = opening.group(1)
            lines.append(line)
        else:
            lines.append(_outside_code_spans(line, change))
    return "\n".join(lines)


def _outside_code_spans(line, change):
    parts, last = [], 0
    for span in _CODE_SPAN.finditer(line):
        parts += [change(line[last:span.start()]), span.group(0)]
        last = span.end()
    return "".join(parts) + change(line[last:])


def _escape_link_text(text):
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def _require_reply(actor, thread):
    """Replies need a readable thread in a writable group; a locked thread takes them only from
    moderators, and says why it refuses."""
    require(actor, Action.VIEW_THREAD, thread, hide=True)
    if thread.is_locked and not can(actor, Action.MODERATE_GROUP, thread.group):
        raise PermissionDenied(_("Dieses Thema ist geschlossen; Antworten sind nicht möglich."))
    require(actor, Action.REPLY, thread)


def preview_permission(actor, group=None, thread=None):
    """Posting forms and previews need the same permission as posting itself."""
    if thread is not None:
        _require_reply(actor, thread)
    else:
        require(actor, Action.VIEW_GROUP, group, hide=True)
        require(actor, Action.POST_IN_GROUP, group)


def preview(actor, body, group=None, thread=None):
    """The HTML a post would get, for the preview."""
    preview_permission(actor, group=group, thread=thread)
    return render_post(_clean_body(body))[0]


def edit_permission(actor, post):
    require(actor, Action.VIEW_POST, post, hide=True)
    require(actor, Action.EDIT_POST, post)


def delete_permission(actor, post):
    require(actor, Action.VIEW_POST, post, hide=True)
    require(actor, Action.DELETE_POST, post)


@dataclass(frozen=True)
class PostActions:
    """What the viewer may do with one post of a page."""
    edit: bool
    attach: bool
    delete: bool
    report: bool
    revisions: bool


def post_actions(actor, posts):
    """The viewer's permissions for each post on a page, decided here once (by policy) so the
    thread template reads flags instead of asking policy five times per post."""
    return {post.id: PostActions(edit=can(actor, Action.EDIT_POST, post),
                                 attach=can(actor, Action.ATTACH_TO_POST, post),
                                 delete=can(actor, Action.DELETE_POST, post),
                                 report=can(actor, Action.REPORT_POST, post),
                                 revisions=can(actor, Action.VIEW_REVISIONS, post))
            for post in posts}


# --- writing ------------------------------------------------------------------------------

def start_thread(actor, group, title, body, submission_key=None, attachments=None):
    """`attachments`: an AttachmentInput (files and library picks), checked before anything
    is written and stored in the same transaction as the post."""
    require(actor, Action.VIEW_GROUP, group, hide=True)
    require(actor, Action.POST_IN_GROUP, group)
    title, body = _clean_title(title), _clean_body(body)
    existing = _already_submitted(actor, submission_key)
    if existing is not None:
        return existing

    def write():
        # A new thread numbers nothing another writer shares: its opening post is number 1.
        now = utcnow()
        thread = Thread(group_id=group.id, title=title, author_id=actor.id, created_at=now,
                        last_post_at=now, post_count=1)
        thread.group = group
        db.session.add(thread)
        db.session.flush()
        post, mentioned = _add_post(actor, thread, 1, body, submission_key, now)
        batch.attach_to(post)
        if actor.auto_watch:
            _watch(actor.id, thread_id=thread.id)
        refresh_group_stats(group.id)
        _notify_new_post(actor, thread, post, mentioned, new_thread=True)
        return post

    with attachment_batch(actor, group, attachments) as batch:
        return _save_post(actor, submission_key, write)


def reply(actor, thread, body, submission_key=None, attachments=None):
    _require_reply(actor, thread)
    body = _clean_body(body)
    existing = _already_submitted(actor, submission_key)
    if existing is not None:
        return existing
    thread_id = thread.id

    def write():
        locked = lock_thread(thread_id)
        locked.post_count += 1
        post, mentioned = _add_post(actor, locked, locked.post_count, body, submission_key,
                                    utcnow())
        batch.attach_to(post)
        if actor.auto_watch:
            _watch(actor.id, thread_id=thread_id)
        refresh_group_stats(locked.group_id)
        _notify_new_post(actor, locked, post, mentioned, new_thread=False)
        return post

    with attachment_batch(actor, thread.group, attachments) as batch:
        return _save_post(actor, submission_key, write)


def lock_thread(thread_id):
    """The thread, reloaded under the lock that serialises every writer numbering its posts,
    so concurrent replies get consecutive numbers.

    PostgreSQL locks the thread's row: FOR NO KEY UPDATE, as the UPDATE of the counters
    takes, which still lets page views insert their read positions (KEY SHARE). SQLite has
    no row locks, and pysqlite begins a transaction only at the first write, so the counter
    would be read before any lock is taken: begin with the database's write lock instead."""
    begin_write_transaction()
    thread = db.session.execute(
        select(Thread).where(Thread.id == thread_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if thread is None:  # merged into another thread or deleted in the meantime
        raise NotFound()
    return thread


def refresh_group_stats(*group_ids):
    """Recount the visible threads and the last activity of these groups, which the overview
    shows without counting every thread. Recomputed rather than incremented, so no path (new
    thread, reply, hide, move, split, merge) can let them drift."""
    db.session.flush()
    ids = sorted(set(group_ids))
    # Lock the rows first (in id order, so two moves cannot deadlock): a concurrent writer then
    # waits, and the recount below sees its committed thread (PostgreSQL; on SQLite the flush
    # above has taken the database's write lock). FOR NO KEY UPDATE, as the UPDATE below takes:
    # a transaction that has inserted a thread holds a KEY SHARE lock on its group (the foreign
    # key), which FOR UPDATE would wait for while that one waits here -- a deadlock.
    db.session.execute(select(WorkingGroup.id).where(WorkingGroup.id.in_(ids))
                       .order_by(WorkingGroup.id).with_for_update(key_share=True))
    # "= false" as in the partial index ix_threads_visible_by_group, so both use it.
    visible = and_(Thread.group_id == WorkingGroup.id, Thread.is_hidden == false())
    db.session.execute(
        update(WorkingGroup).where(WorkingGroup.id.in_(ids))
        .values(thread_count=select(func.count()).select_from(Thread).where(visible)
                .scalar_subquery(),
                last_activity_at=select(func.max(Thread.last_post_at)).where(visible)
                .scalar_subquery())
        .execution_options(synchronize_session=False))


def _already_submitted(actor, submission_key):
    if not submission_key:
        return None
    return db.session.scalar(select(Post).where(
        Post.author_id == actor.id, Post.submission_key == submission_key[:64]))


def _add_post(actor, thread, number, body, submission_key, now):
    html, mentioned = render_post(body)
    post = Post(thread_id=thread.id, number=number, author_id=actor.id, source=body,
                html=html, created_at=now, submission_key=(submission_key or None) and submission_key[:64])
    post.thread = thread
    db.session.add(post)
    db.session.flush()
    thread.last_post_at = now
    thread.last_post_id = post.id
    thread.last_poster_id = actor.id
    # The author has read their own post.
    _upsert_read_state(actor.id, thread.id, post.number)
    return post, mentioned


def _save_post(actor, submission_key, write):
    """Run `write` (adds a post, returns it) and commit. A unique conflict, at any of its
    flushes or at the commit, means the same form was sent again at the same moment (the
    second insert of the submission key waits for the first one's commit, then fails): the
    first one's post is the answer, as for a double submit one after the other."""
    try:
        post = write()
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        existing = _already_submitted(actor, submission_key)
        if existing is not None:
            return existing
        log.warning("Beitrag nicht gespeichert: %s", exc.orig)
        raise Conflict(_("Der Beitrag konnte nicht gespeichert werden. Bitte versuchen Sie "
                         "es erneut.")) from None
    return post


def _notify_new_post(actor, thread, post, mentioned, new_thread):
    """Mentioned members and watchers of the thread or group, each once; notify_users leaves
    out the author and everyone who cannot read the thread."""
    mentioned_ids = {u.id for u in mentioned}
    watchers = set(db.session.scalars(select(Subscription.user_id).where(
        (Subscription.thread_id == thread.id) | (Subscription.group_id == thread.group_id))))
    notify_users(mentioned_ids, "mention", actor=actor, thread=thread, post=post)
    notify_users(watchers - mentioned_ids, "new_thread" if new_thread else "reply",
                 actor=actor, thread=thread, post=post)


def edit_post(actor, post, body, title=None, base_version=""):
    """Change a post's text; the previous text goes into the revision history."""
    edit_permission(actor, post)
    if base_version != version_token(post):
        raise Conflict(_("Der Beitrag wurde inzwischen von jemand anderem geändert. Bitte laden "
                         "Sie die Seite neu und übernehmen Sie Ihre Änderung erneut."))
    body = _clean_body(body)
    thread = post.thread
    new_title = _clean_title(title) if title is not None and post.number == 1 else thread.title
    if body == post.source and new_title == thread.title:
        return post
    if body != post.source:
        db.session.add(PostRevision(post_id=post.id, source=post.source, html=post.html,
                                    created_at=post.edited_at or post.created_at,
                                    author_id=post.edited_by_id or post.author_id))
        post.source = body
        post.html = render_post(body)[0]
        post.edited_at = utcnow()
        post.edited_by_id = actor.id
    thread.title = new_title
    db.session.commit()
    return post


def version_token(post):
    """What the edit form sends back so a concurrent edit is detected."""
    return post.edited_at.isoformat() if post.edited_at else ""


def delete_post(actor, post):
    """Soft delete: the thread keeps its shape and shows "Beitrag gelöscht"."""
    require(actor, Action.VIEW_POST, post, hide=True)
    if post.is_deleted:
        raise Conflict(_("Dieser Beitrag ist bereits gelöscht."))
    require(actor, Action.DELETE_POST, post)
    post.is_deleted = True
    post.edited_at = utcnow()
    post.edited_by_id = actor.id
    db.session.commit()


def quote_source(actor, post):
    """Markdown that quotes a post, to prefill a reply."""
    require(actor, Action.VIEW_POST, post, hide=True)
    if post.is_deleted or post.is_hidden:
        return ""
    name = post.author.display_name if post.author else _("Unbekannt")
    quoted = "\n".join("> " + line if line else ">" for line in post.source.split("\n"))
    return _("%(name)s schrieb:", name=f"@[{name}]") + "\n" + quoted + "\n\n"


def revisions(actor, post):
    require(actor, Action.VIEW_POST, post, hide=True)
    require(actor, Action.VIEW_REVISIONS, post)
    return db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                              .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())).all()


# --- read state ---------------------------------------------------------------------------

def _insert_for_dialect(model):
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


def _upsert_read_state(user_id, thread_id, number):
    """One statement, never read-modify-write: the stored position only moves forward."""
    stmt = _insert_for_dialect(ReadState).values(user_id=user_id, thread_id=thread_id,
                                                 last_read_number=number)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReadState.user_id, ReadState.thread_id],
        set_={"last_read_number": case(
            (stmt.excluded.last_read_number > ReadState.last_read_number,
             stmt.excluded.last_read_number), else_=ReadState.last_read_number)})
    db.session.execute(stmt)


def read_position(actor, thread):
    """Number of the last post the actor has read in the thread (0 = none yet)."""
    return db.session.scalar(select(ReadState.last_read_number).where(
        ReadState.user_id == actor.id, ReadState.thread_id == thread.id)) or 0


def mark_read(actor, thread, up_to_number, already_read=0):
    """Move the actor's read position forward; a page that shows nothing new writes nothing."""
    up_to_number = min(up_to_number, thread.post_count)
    if up_to_number <= max(already_read, 0):
        return
    _upsert_read_state(actor.id, thread.id, up_to_number)
    db.session.commit()


def mark_group_read(actor, group):
    require(actor, Action.VIEW_GROUP, group, hide=True)
    source = select(func.cast(actor.id, db.Integer), Thread.id, Thread.post_count).where(
        Thread.group_id == group.id)
    stmt = _insert_for_dialect(ReadState).from_select(
        ["user_id", "thread_id", "last_read_number"], source)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReadState.user_id, ReadState.thread_id],
        set_={"last_read_number": stmt.excluded.last_read_number})
    db.session.execute(stmt)
    db.session.commit()


def first_unread_number(actor, thread):
    """Where "zum ersten ungelesenen Beitrag" jumps: the first unread post, else the last one."""
    return min(read_position(actor, thread) + 1, max(thread.post_count, 1))


# --- subscriptions ------------------------------------------------------------------------

def _watch(user_id, thread_id=None, group_id=None):
    """One statement, never check-then-insert: a second click at the same moment finds the
    row there and leaves it."""
    column = Subscription.thread_id if thread_id else Subscription.group_id
    stmt = _insert_for_dialect(Subscription).values(user_id=user_id, thread_id=thread_id,
                                                    group_id=group_id)
    db.session.execute(stmt.on_conflict_do_nothing(
        index_elements=[Subscription.user_id, column]))


def set_thread_watch(actor, thread, watch):
    require(actor, Action.VIEW_THREAD, thread, hide=True)
    if watch:
        _watch(actor.id, thread_id=thread.id)
    else:
        db.session.execute(delete(Subscription).where(
            Subscription.user_id == actor.id, Subscription.thread_id == thread.id))
    db.session.commit()


def set_group_watch(actor, group, watch):
    require(actor, Action.VIEW_GROUP, group, hide=True)
    if watch:
        _watch(actor.id, group_id=group.id)
    else:
        db.session.execute(delete(Subscription).where(
            Subscription.user_id == actor.id, Subscription.group_id == group.id))
    db.session.commit()


def is_watching(actor, thread=None, group=None):
    column, target = ((Subscription.thread_id, thread.id) if thread is not None
                      else (Subscription.group_id, group.id))
    return db.session.scalar(select(Subscription.id).where(
        Subscription.user_id == actor.id, column == target)) is not None
