"""First checks that the app starts, pages render and the migrations match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sozialplanung.extensions import db
from sozialplanung.search.schema import include_object

from .conftest import login
from .factories import make_user


def test_start_page_for_visitors_is_german(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Impressum" in html


def test_member_pages_render(client):
    admin = make_user(role="admin")
    login(client, admin)
    for url in ["/", "/mitglieder", f"/mitglieder/{admin.id}", "/profil", "/profil/passwort",
                "/profil/email", "/verwaltung/mitglieder", "/verwaltung/mitglieder/einladen",
                f"/verwaltung/mitglieder/{admin.id}", "/verwaltung/protokoll",
                "/verwaltung/postausgang", "/verwaltung/seiten/impressum"]:
        assert client.get(url).status_code == 200, url


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_dates_shown_in_german_local_time_across_daylight_saving(app):
    """The fast date filter writes what Babel would (winter and summer time, day changes)."""
    from datetime import datetime, timezone

    from flask_babel import format_datetime

    show = app.jinja_env.filters["datetime"]
    with app.test_request_context("/"):
        for value in (datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 1, 0),
                      datetime(2026, 10, 25, 0, 30), datetime(2026, 12, 31, 23, 30)):
            for pattern in ("dd.MM.yyyy, HH:mm", "dd.MM.yyyy", "dd.MM.yyyy HH:mm:ss", "d. MMMM y"):
                expected = format_datetime(value.replace(tzinfo=timezone.utc), pattern)
                assert show(value, pattern) == expected
        assert show(datetime(2026, 12, 31, 23, 30)) == "01.01.2027, 00:30"
        assert show(None) == ""
