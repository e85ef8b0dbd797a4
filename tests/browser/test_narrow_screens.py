"""On a phone-sized screen no page is wider than the screen, even with long unbroken words in
titles, names, posts and file names (German compounds, URLs, pasted hashes)."""
import pytest

from sozialplanung.forum.services import start_thread

from ..factories import make_group, make_user

pytestmark = pytest.mark.browser

LONG = "Kinderundjugendhilfeplanungsfortschreibungsverfahren" * 4


def test_long_words_do_not_widen_pages(app, as_user):
    author = make_user(display_name="Anna " + LONG[:110])
    group = make_group(name="Arbeitskreis " + LONG[:140], members=[author])
    post = start_thread(author, group, "Thema " + LONG[:190], "Text " + LONG + " Ende")
    page = as_user(author)
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("/", "/arbeitskreise/", f"/arbeitskreise/{group.slug}",
                 f"/themen/{post.thread_id}", "/mitglieder", f"/mitglieder/{author.id}",
                 f"/suche?q={LONG[:40]}"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
