"""A member with something in every domain, for the data export and account deletion tests."""
from dataclasses import dataclass

from sqlalchemy import func, select

from sozialplanung.accounts.models import User
from sozialplanung.announcements.models import Announcement, AnnouncementRevision, FeedToken
from sozialplanung.auth.models import TokenPurpose
from sozialplanung.auth.services import issue_token
from sozialplanung.documents.models import Document, DocumentTag, DocumentVersion
from sozialplanung.extensions import db
from sozialplanung.forum import services as forum
from sozialplanung.forum.models import Post, Subscription
from sozialplanung.groups.models import MembershipRequest, WorkingGroup
from sozialplanung.moderation.models import ModerationAction, Report

from ..factories import make_group, make_user, organisation

MEMBER_EMAIL = "jana.jaeger@jena.example"
MEMBER_NAME = "Jana Jäger"
OTHER_NAME = "Otto Ohnesorg"
OTHER_EMAIL = "otto.ohnesorg@example.org"
OTHER_TEXT = "Ottos Antwort mit seinen eigenen Gedanken"


@dataclass
class World:
    member: User
    other: User
    group: WorkingGroup
    closed_group: WorkingGroup
    thread_id: int
    own_posts: list
    other_post: Post
    document: Document


def build_world():
    """Jana has written, uploaded, reported and been notified; Otto answered her."""
    member = make_user(display_name=MEMBER_NAME, email=MEMBER_EMAIL,
                       organisation=organisation("Stadt Jena"), position="Jugendhilfeplanung",
                       phone="03641 49-0", bio="Schwerpunkt: Kinder und Familien")
    other = make_user(display_name=OTHER_NAME, email=OTHER_EMAIL)
    group = make_group(name="AK Demografie", members=[member, other])
    closed_group = make_group(name="AK Haushalt", closed=True, moderators=[other])
    opening = forum.start_thread(member, group, "Bevölkerungsprognose 2040",
                                 "Meine Frage zur **Prognose**")
    other_post = forum.reply(other, opening.thread, OTHER_TEXT)
    hidden = forum.reply(member, other_post.thread, "Ein ausgeblendeter Beitrag")
    deleted = forum.reply(member, other_post.thread, "Ein gelöschter Beitrag")
    hidden.is_hidden, hidden.hidden_reason = True, "Enthält Telefonnummern"
    deleted.is_deleted = True
    document = _add_document(member, group)
    _add_rows(member, other, group, closed_group, other_post)
    db.session.commit()
    return World(member=member, other=other, group=group, closed_group=closed_group,
                 thread_id=opening.thread_id, own_posts=[opening, hidden, deleted],
                 other_post=other_post, document=document)


def _add_document(member, group):
    document = Document(title="Sozialbericht Entwurf", description="Erste Fassung",
                        category="bericht", group_id=group.id, created_by_id=member.id,
                        version_count=1)
    db.session.add(document)
    db.session.flush()
    version = DocumentVersion(document_id=document.id, number=1, blob_key="a" * 64,
                              filename="sozialbericht-entwurf.pdf", media_type="application/pdf",
                              size=12345, uploaded_by_id=member.id, change_note="Neu")
    db.session.add_all([version, DocumentTag(document_id=document.id, tag="demografie")])
    db.session.flush()
    document.current_version_id = version.id
    return document


def _add_rows(member, other, group, closed_group, other_post):
    announcement = Announcement(title="Fachtag Jugendhilfe", teaser="Kurz",
                                teaser_html="<p>Kurz</p>", author_id=member.id)
    db.session.add(announcement)
    db.session.flush()
    db.session.add_all([
        AnnouncementRevision(announcement_id=announcement.id, title="Fachtag", teaser="Kurz",
                             teaser_html="<p>Kurz</p>", body="", body_html="",
                             author_id=member.id),
        Subscription(user_id=member.id, group_id=group.id),
        MembershipRequest(group_id=closed_group.id, user_id=member.id, kind="request",
                          message="Bitte nehmen Sie mich auf.", created_by_id=member.id),
        Report(post_id=other_post.id, group_id=group.id, reporter_id=member.id,
               reason="Bitte prüfen Sie diesen Beitrag."),
        ModerationAction(actor_id=other.id, action="hide_post", target_user_id=member.id,
                         reason="Telefonnummern Dritter"),
        FeedToken(user_id=member.id, secret="feed-geheimnis"),
    ])
    issue_token(member, TokenPurpose.PASSWORD_RESET)


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
