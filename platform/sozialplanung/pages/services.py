"""Reading the legal pages."""
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from .models import SitePage

LEGAL_PAGES = ("impressum", "datenschutz", "barrierefreiheit")


def get_page(slug):
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug)) \
        if slug in LEGAL_PAGES else None
    if page is None:
        raise NotFound()
    return page
