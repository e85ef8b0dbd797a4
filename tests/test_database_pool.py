"""PostgreSQL connections: tested before use only after sitting idle (no extra round trip per
page view), and a connection the server dropped meanwhile is replaced unseen."""
import pytest
from sqlalchemy import create_engine, text

from sozialplanung import sql
from sozialplanung.extensions import db


@pytest.fixture
def pg_engine(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the ping is set up for PostgreSQL connections only")
    engine = create_engine(db.engine.url.render_as_string(hide_password=False),
                           pool_size=1, max_overflow=0)
    sql.ping_idle_connections(engine)
    yield engine
    engine.dispose()


def _backend_pid(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def _drop(pid):
    with db.engine.begin() as conn:  # as a server restart or an idle timeout would
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(pg_engine, monkeypatch):
    first = _backend_pid(pg_engine)
    _drop(first)
    monkeypatch.setattr(sql, "IDLE_BEFORE_PING", 0.0)
    assert _backend_pid(pg_engine) not in (None, first)


def test_only_a_connection_that_sat_idle_is_pinged(pg_engine, monkeypatch):
    pings = []
    real_ping = sql._ping
    monkeypatch.setattr(sql, "_ping", lambda conn: (pings.append(1), real_ping(conn)))
    monkeypatch.setattr(sql, "IDLE_BEFORE_PING", 3600.0)
    first = _backend_pid(pg_engine)
    for _ in range(3):  # page views in steady use: no extra round trip
        assert _backend_pid(pg_engine) == first
    assert pings == []
    monkeypatch.setattr(sql, "IDLE_BEFORE_PING", 0.0)
    assert _backend_pid(pg_engine) == first  # alive: tested once, kept
    assert pings == [1]


def test_the_portals_engine_pings_idle_connections_instead_of_every_checkout(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the ping is set up for PostgreSQL connections only")
    assert not db.engine.pool._pre_ping
    assert len(db.engine.pool.dispatch.checkout) >= 1
