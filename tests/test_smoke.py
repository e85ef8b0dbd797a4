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
