"""Search through the HTTP client: German matching, operators, permissions, hostile input."""
import re

import pytest

from sozialplanung.extensions import db
from sozialplanung.forum.models import Thread
from sozialplanung.forum.services import delete_post, reply, start_thread
from sozialplanung.search import services
from sozialplanung.search.query import fts5_expression, highlight, parse

from ..conftest import login
from ..factories import make_group, make_user


def status_line(response):
    match = re.search(r'<p role="status">([^<]*)</p>', response.get_data(as_text=True))
    return match.group(1) if match else None


def hits(response):
    return [re.sub(r"</?mark>", "", title) for title in re.findall(
        r'<h2 class="hit-title"><span class="flag">[^<]*</span>'
        r'(?: <span class="flag flag-warning">[^<]*</span>)? <a href="[^"]*">(.*?)</a>',
        response.get_data(as_text=True))]


@pytest.fixture
def content(app):
    author = make_user(display_name="Anja Hoffmann", position="Sozialplanerin")
    member = make_user(display_name="Max Mitglied")
    outsider = make_user(display_name="Otto Außen")
    open_group = make_group(name="Arbeitskreis Sozialplanung", members=[author, member])
    closed = make_group(name="Arbeitskreis Präventionsketten", closed=True, members=[author])
    first = start_thread(author, open_group, "Sozialbericht 2026",
                         "Die Planungen für den Sozialbericht laufen. Wir brauchen Daten zu "
                         "Kindern und Jugendlichen.", "c1")
    reply(member, db.session.get(Thread, first.thread_id),
          "Der Maßnahmenplan für Familien liegt als Entwurf vor.", "c2")
    start_thread(author, closed, "Vertrauliche Präventionskette",
                 "Geheime Planung der Präventionskette mit Kitas.", "c3")
    return {"author": author, "member": member, "outsider": outsider, "closed": closed}


def search(client, q, **params):
    return client.get("/suche", query_string={"q": q, **params})


def test_anonymous_is_sent_to_login(client):
    assert search(client, "Planung").status_code == 302


def test_stemming_finds_other_forms(client, content):
    login(client, content["member"])
    page = search(client, "Planung").get_data(as_text=True)
    assert "<mark>Planungen</mark>" in page
    assert "Sozialbericht 2026" in page
    assert "Kindern" in search(client, "Kind").get_data(as_text=True)


def test_sz_and_ss_are_the_same(client, content):
    login(client, content["member"])
    for spelling in ("Massnahmenplan", "Maßnahmenplan"):
        page = search(client, spelling).get_data(as_text=True)
        assert "<mark>Maßnahmenplan</mark>" in page


def test_phrase_and_exclusion(client, content):
    login(client, content["member"])
    assert status_line(search(client, '"Kindern und Jugendlichen"', art="beitrag")) == "1 Treffer"
    assert status_line(search(client, '"Jugendlichen und Kindern"', art="beitrag")) == "0 Treffer"
    assert status_line(search(client, "Sozialbericht", art="beitrag")) == "1 Treffer"
    assert status_line(search(client, "Sozialbericht -Kindern", art="beitrag")) == "0 Treffer"


def test_closed_group_invisible_to_non_members(client, content):
    login(client, content["outsider"])
    response = search(client, "Präventionskette")
    page = response.get_data(as_text=True)
    assert "Vertrauliche" not in page and "Geheime" not in page
    assert status_line(response) == "0 Treffer"
    # The counts of the tabs do not leak it either.
    assert re.findall(r'<a href="[^"]*"(?: aria-current="page")?>([^<]*)</a>',
                      page.split('aria-label="Treffer nach Art"')[1].split("</nav>")[0]) == [
        "Alles (0)", "Themen (0)", "Beiträge (0)", "Dokumente (0)",
        "Neuigkeiten und Termine (0)", "Mitglieder (0)"]


def test_closed_group_visible_to_members(client, content):
    login(client, content["author"])
    page = search(client, "Präventionskette").get_data(as_text=True)
    assert "Vertrauliche Präventionskette" in page
    assert "<mark>Präventionskette</mark>" in page


def test_same_query_member_vs_non_member(client, app, content):
    login(client, content["author"])
    as_member = status_line(search(client, "Planung", art="beitrag"))
    other = app.test_client()
    login(other, content["outsider"])
    as_outsider = status_line(search(other, "Planung", art="beitrag"))
    assert as_member == "2 Treffer" and as_outsider == "1 Treffer"


def test_deleted_posts_not_found(client, content):
    login(client, content["member"])
    from sozialplanung.forum.models import Post
    post = db.session.query(Post).filter(Post.source.like("%Maßnahmenplan%")).one()
    delete_post(content["member"], post)
    assert status_line(search(client, "Maßnahmenplan", art="beitrag")) == "0 Treffer"


def test_new_and_edited_content_searchable_immediately(client, content):
    login(client, content["member"])
    thread = db.session.query(Thread).filter_by(title="Sozialbericht 2026").one()
    client.post(f"/themen/{thread.id}/antworten",
                data={"body": "Ergänzung zur Seniorenbefragung", "submission_key": "n1"})
    assert status_line(search(client, "Seniorenbefragung")) == "1 Treffer"
    from sozialplanung.forum.models import Post
    post = db.session.query(Post).filter(Post.source.like("%Seniorenbefragung%")).one()
    client.post(f"/beitraege/{post.id}/bearbeiten",
                data={"body": "Ergänzung zur Pflegebedarfsanalyse", "version": ""})
    assert status_line(search(client, "Seniorenbefragung")) == "0 Treffer"
    assert status_line(search(client, "Pflegebedarfsanalyse")) == "1 Treffer"


def test_members_found_by_name_and_position(client, content):
    login(client, content["member"])
    assert "Anja Hoffmann" in hits(search(client, "Hoffmann", art="mitglied"))
    assert "Anja Hoffmann" in hits(search(client, "Sozialplanerin"))


def test_filters_by_group_author_and_date(client, content):
    login(client, content["author"])
    closed = content["closed"]
    assert status_line(search(client, "Planung", art="beitrag",
                              arbeitskreis=closed.id)) == "1 Treffer"
    assert status_line(search(client, "Planung", art="beitrag",
                              autor="Max Mitglied")) == "0 Treffer"
    assert status_line(search(client, "Planung", art="beitrag",
                              autor="hoffmann")) == "2 Treffer"
    assert status_line(search(client, "Planung", art="beitrag", von="2999-01-01")) == "0 Treffer"
    assert status_line(search(client, "Planung", art="beitrag", bis="2000-01-01")) == "0 Treffer"


def test_sort_by_date(client, content):
    login(client, content["author"])
    titles = hits(search(client, "Planung", art="beitrag", sortierung="datum"))
    assert titles[0] == "Vertrauliche Präventionskette"


def test_common_word_ranks_the_newest_matches(client, app, monkeypatch):
    """More matches than the cap: relevance orders the newest COUNT_CAP matches, and the page
    says there are more."""
    monkeypatch.setattr(services, "COUNT_CAP", 3)
    author = make_user()
    group = make_group(members=[author])
    for key, (title, body) in enumerate([
            ("Alt", "Haushalt Haushalt Haushalt Haushalt"), ("Neu eins", "Der Haushalt steht."),
            ("Neu zwei", "Haushalt und Haushalt im Blick."), ("Neu drei", "Zum Haushalt.")]):
        start_thread(author, group, title, body, f"k{key}")
    login(client, author)
    by_relevance = search(client, "Haushalt", art="beitrag")
    assert status_line(by_relevance) == "Mehr als 3 Treffer"
    titles = hits(by_relevance)
    assert titles[0] == "Neu zwei" and sorted(titles) == ["Neu drei", "Neu eins", "Neu zwei"]
    by_date = search(client, "Haushalt", art="beitrag", sortierung="datum")
    assert status_line(by_date) == "Mehr als 3 Treffer"
    assert hits(by_date)[:3] == ["Neu drei", "Neu zwei", "Neu eins"]


@pytest.mark.parametrize("query", [
    '"', '"""', "-", "--", "*", "AND", "OR NOT", "NEAR(a b)", "a OR b AND", "(((", ")))",
    "'; DROP TABLE posts; --", "1' OR '1'='1", "posts_fts MATCH 'x'", "title:geheim",
    "^Planung", "Planung*", "\\", "%", "_", "<script>alert(1)</script>", "x" * 5000,
    "\x00", "ü" * 300, "-Planung", '"unbalanced phrase', "{}[]", "☃ 🙂", "NULL",
])
def test_hostile_queries_never_error(client, content, query):
    login(client, content["member"])
    response = search(client, query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_empty_query_shows_hint(client, content):
    login(client, content["member"])
    assert "Bitte geben Sie einen Suchbegriff ein" in search(client, "").get_data(as_text=True)


def test_header_has_search_box(client, content):
    login(client, content["member"])
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/suche"' in page


# --- unit tests of the query parser -------------------------------------------------------

def test_parse_terms_phrases_exclusions():
    parsed = parse('Kita "Sozialbericht 2026" -Pflege "unbalanced')
    assert parsed.terms == ["kita", "unbalanced"]
    assert parsed.phrases == [["sozialbericht", "2026"]]
    assert parsed.excluded == ["pflege"]


def test_fts5_expression_only_contains_quoted_words():
    expression = fts5_expression(parse('Planungen "a b" -x NEAR( ") OR'))
    assert '"planung" OR' in expression and '"planungen"' in expression
    assert '"a b"' in expression and "*" not in expression
    assert "NOT" in expression
    assert "NEAR(" not in expression


def test_only_exclusions_is_empty():
    assert parse("-Pflege").is_empty
    assert fts5_expression(parse("-Pflege")) is None


def test_highlight_escapes_html():
    snippet = highlight("<b>Planung</b> & mehr", parse("Planung"))
    assert snippet == "&lt;b&gt;<mark>Planung</mark>&lt;/b&gt; &amp; mehr"


def test_page_beyond_the_last_shows_the_last_page(client, content):
    thread = db.session.query(Thread).filter_by(title="Sozialbericht 2026").one()
    for n in range(22):
        reply(content["member"], thread, f"Planung Nummer {n}", f"p{n}")
    login(client, content["author"])
    response = search(client, "Planung", art="beitrag", seite=99)
    assert response.status_code == 200
    assert status_line(response) == "24 Treffer" and len(hits(response)) == 4
    assert "Seite 2 von 2" in response.get_data(as_text=True)
