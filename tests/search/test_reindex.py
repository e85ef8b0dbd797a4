"""`flask search reindex` rebuilds the full-text indexes from the content."""
import re

import pytest
from sqlalchemy import text

from sozialplanung.extensions import db
from sozialplanung.forum.services import start_thread

from ..conftest import login
from ..factories import make_group, make_user


def status_line(response):
    match = re.search(r'<p role="status">([^<]*)</p>', response.get_data(as_text=True))
    return match.group(1) if match else None


def reindex(app):
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    db.session.expire_all()
    return result


def test_reindex_reports_progress_and_keeps_search_working(app, client):
    member = make_user()
    group = make_group(members=[member])
    for n in range(3):
        start_thread(member, group, f"Thema {n}", f"Quartiersentwicklung Teil {n}", f"k{n}")
    result = reindex(app)
    assert result.exit_code == 0, result.output
    assert "Suchindex wird neu aufgebaut" in result.output
    assert "Suchindex ist aktuell: 6 Einträge neu aufgebaut." in result.output  # 3 threads, 3 posts
    login(client, member)
    assert status_line(client.get("/suche", query_string={
        "q": "Quartiersentwicklung", "art": "beitrag"})) == "3 Treffer"


def test_reindex_restores_a_damaged_sqlite_index(app, client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("FTS5 is SQLite's index")
    member = make_user()
    group = make_group(members=[member])
    post = start_thread(member, group, "Haushalt", "Eingliederungshilfe im Haushalt", "k1")
    # The index loses the post, as after restoring only the posts table.
    db.session.execute(text("INSERT INTO posts_fts(posts_fts, rowid, source) "
                            "VALUES ('delete', :id, :source)"),
                       {"id": post.id, "source": post.source})
    db.session.commit()
    login(client, member)
    query = {"q": "Eingliederungshilfe", "art": "beitrag"}
    assert status_line(client.get("/suche", query_string=query)) == "0 Treffer"
    assert reindex(app).exit_code == 0
    assert status_line(client.get("/suche", query_string=query)) == "1 Treffer"


def test_reindex_applies_a_changed_postgres_configuration(app, client):
    """Posts written while `unaccent` was not in use are found by "Quartierscafe" once the
    configuration folds accents and the index is rebuilt (German stemming alone folds umlauts
    and ß, not é)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("text search configurations are PostgreSQL's")
    if not db.session.scalar(text("SELECT count(*) FROM pg_extension "
                                  "WHERE extname = 'unaccent'")):
        pytest.skip("unaccent is not installed on this server")
    member = make_user()
    group = make_group(members=[member])
    mapping = ("ALTER TEXT SEARCH CONFIGURATION sozialplanung_de "
               "ALTER MAPPING FOR hword, hword_part, word WITH {}")
    try:
        db.session.execute(text(mapping.format("german_stem")))
        db.session.commit()
        start_thread(member, group, "Treffpunkt", "Das Quartierscafé öffnet", "k1")
        db.session.execute(text(mapping.format("unaccent, german_stem")))
        db.session.commit()
        login(client, member)
        query = {"q": "Quartierscafe", "art": "beitrag"}
        assert status_line(client.get("/suche", query_string=query)) == "0 Treffer"
        result = reindex(app)
        assert result.exit_code == 0, result.output
        assert "unaccent fehlt" not in result.output
        assert status_line(client.get("/suche", query_string=query)) == "1 Treffer"
    finally:
        db.session.rollback()
        db.session.execute(text(mapping.format("unaccent, german_stem")))
        db.session.commit()
