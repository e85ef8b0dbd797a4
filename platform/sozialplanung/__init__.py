"""The app factory: configuration, extensions, blueprints, security headers, error pages."""
import logging
from datetime import timezone
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import format_datetime, format_decimal, get_locale
from flask_login import current_user

from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .timeutil import local_time

PROJECT_ROOT = Path(__file__).resolve().parents[2]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# Seconds a SQLite connection waits for another one's write lock before it fails with
# "database is locked" (pysqlite's own default: 5). Below gunicorn's 30 s worker timeout.
SQLITE_BUSY_TIMEOUT = 15


def create_app(config=None):
    import config as config_module

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=config_module.Config.INSTANCE_PATH,
        instance_relative_config=False,
    )
    config_class = config if isinstance(config, type) else config_module.get_config(config)
    from .web import PortalRequest, refuse_nul_in_path
    app.request_class = PortalRequest
    app.before_request(refuse_nul_in_path)  # first, before sign-in checks load anything
    app.config.from_object(config_class)
    if hasattr(config_class, "check"):
        config_class.check(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure_database(app)
    logging.basicConfig(level=logging.INFO)

    register_extensions(app)
    from .web import BoundedIntConverter
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    register_blueprints(app)
    register_security_headers(app)
    register_template_helpers(app)
    from .errors import register_error_handlers
    register_error_handlers(app)
    from .cli import register_cli
    register_cli(app)
    from .documents.cli import documents_cli
    app.cli.add_command(documents_cli)
    return app


def _configure_database(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("postgresql"):
        # PostgreSQL's JIT adds most of a second to small queries; the portal only runs small ones.
        # random_page_cost=1.1 (SSD storage) lets the planner use index lookups for joins.
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("options", "-c jit=off -c random_page_cost=1.1")
        options["connect_args"] = connect_args
    elif uri.startswith("sqlite"):
        # One writer at a time holds SQLite's write lock; simultaneous posts queue for it
        # (sql.begin_write_transaction) rather than fail.
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app):
    from .auth.session import load_user, register_login_required, unauthorized
    from .search.schema import include_object
    from .sql import ping_idle_connections

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Tested after sitting idle, not before every request as pool_pre_ping would:
            # that costs a round trip to the database per page view.
            ping_idle_connections(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_object)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(PROJECT_ROOT / "translations"))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.session_protection = "basic"
    register_login_required(app)
    import_models()


def import_models():
    """Import every model module so metadata (and Alembic autogenerate) sees all tables."""
    from .accounts import models as _accounts  # noqa: F401
    from .announcements import models as _announcements  # noqa: F401
    from .admin import models as _admin  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .forum import models as _forum  # noqa: F401
    from .groups import models as _groups  # noqa: F401
    from .moderation import models as _moderation  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .pages import models as _pages  # noqa: F401


def _select_locale():
    if not has_request_context():
        return None  # CLI and mail worker: BABEL_DEFAULT_LOCALE ("de")
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    chosen = session.get("locale")
    if chosen:
        return chosen
    return request.accept_languages.best_match(["de", "en"], default="de")


def register_blueprints(app):
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .announcements.views import bp as announcements_bp
    from .auth.views import bp as auth_bp
    from .documents.views import bp as documents_bp
    from .forum.views import bp as forum_bp
    from .groups.views import bp as groups_bp
    from .main.views import bp as main_bp
    from .moderation.views import bp as moderation_bp
    from .notifications.views import bp as notifications_bp
    from .pages.views import bp as pages_bp
    from .search.views import bp as search_bp

    app.register_blueprint(documents_bp)
    for bp in (main_bp, auth_bp, accounts_bp, admin_bp, pages_bp, groups_bp, forum_bp,
               notifications_bp, moderation_bp, search_bp, announcements_bp):
        app.register_blueprint(bp)


def register_security_headers(app):
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Member pages must not be kept by shared caches or the back/forward cache. Only a
        # user the request already loaded counts: static files need no database round trip.
        user = g.get("_login_user")
        if user is not None and user.is_authenticated:
            headers.setdefault("Cache-Control", "no-store")
        if g.get("request_id"):
            headers.setdefault("X-Request-ID", g.request_id)
        return response


def register_template_helpers(app):
    from .policy import can

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["datetime"] = _format_local
    app.jinja_env.filters["number"] = format_decimal  # 1.543 in German, 1,543 in English

    @app.context_processor
    def _site():
        return {"site_name": app.config["SITE_NAME"]}

    @app.context_processor
    def _notification_count():
        from .notifications.services import unread_count

        def count():
            return unread_count(current_user) if current_user.is_authenticated else 0
        return {"unread_notifications": count}


# The portal's date patterns are all numbers, the same in every language: strftime writes
# them without Babel's pattern machinery, which costs 0.1 ms a date on a page of 20 posts.
_NUMERIC_PATTERNS = {"dd.MM.yyyy, HH:mm": "%d.%m.%Y, %H:%M", "dd.MM.yyyy": "%d.%m.%Y",
                     "dd.MM.yyyy HH:mm:ss": "%d.%m.%Y %H:%M:%S"}


def _format_local(value, fmt="dd.MM.yyyy, HH:mm"):
    """Stored naive UTC -> local time (Europe/Berlin) in a Babel date pattern."""
    if value is None:
        return ""
    numeric = _NUMERIC_PATTERNS.get(fmt)
    if numeric:
        return local_time(value).strftime(numeric)
    return format_datetime(value.replace(tzinfo=timezone.utc), fmt)
