"""Configuration classes; every setting can be overridden by an environment variable."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _env_list(name, default=""):
    raw = os.environ.get(name, default)
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def _database_url(default):
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and plain "postgresql://" select psycopg 3, the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEFAULT_SECRET_KEY = "dev-only-secret-change-me"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SITE_NAME = os.environ.get("SITE_NAME", "Sozialplanungsplattform")
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    INSTANCE_PATH = str(INSTANCE_DIR)

    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'sozialplanung.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    ALLOW_SQLITE_IN_PRODUCTION = _env_bool("ALLOW_SQLITE_IN_PRODUCTION")

    SESSION_COOKIE_NAME = "sp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_NAME = "sp_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024))

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ["de", "en"]

    # Rate limits (Flask-Limiter); Redis shares counters between app instances.
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 5 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 5 minutes")
    MAIL_FORM_LIMIT_PER_IP = os.environ.get("MAIL_FORM_LIMIT_PER_IP", "10 per hour")

    # Accounts
    REGISTRATION_ENABLED = _env_bool("REGISTRATION_ENABLED", True)
    # Self-registrations from these email domains are approved at once.
    AUTO_APPROVE_DOMAINS = _env_list("AUTO_APPROVE_DOMAINS", "")
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 10))
    TOKEN_HOURS_PASSWORD_RESET = int(os.environ.get("TOKEN_HOURS_PASSWORD_RESET", 2))
    TOKEN_HOURS_INVITATION = int(os.environ.get("TOKEN_HOURS_INVITATION", 24 * 7))
    TOKEN_HOURS_EMAIL_CHANGE = int(os.environ.get("TOKEN_HOURS_EMAIL_CHANGE", 24))
    # Argon2 cost; the test config lowers it so the suite stays fast.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    # Mail: "file" writes .eml files to MAIL_FILE_DIR, "smtp" delivers via SMTP.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Sozialplanungsplattform <noreply@sozialplanung.example>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 25))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS")
    SMTP_SSL = _env_bool("SMTP_SSL")
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", 20))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8))
    OUTBOX_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_SECONDS", 60))


class DevelopmentConfig(Config):
    DEBUG = False  # tracebacks stay in the log, never in the browser


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "memory"
    REGISTRATION_ENABLED = True
    AUTO_APPROVE_DOMAINS = ["lra-weimarer-land.de"]
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    SITE_URL = "http://localhost"
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls, config):
        """Refuse to start with settings that are only safe on a developer's machine."""
        secret = config.get("SECRET_KEY") or ""
        if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
            raise RuntimeError("SECRET_KEY fehlt oder ist zu kurz (mindestens 32 Zeichen).")
        uri = config.get("SQLALCHEMY_DATABASE_URI", "")
        if uri.startswith("sqlite") and not config.get("ALLOW_SQLITE_IN_PRODUCTION"):
            raise RuntimeError(
                "Produktion braucht PostgreSQL (DATABASE_URL); "
                "SQLite nur mit ALLOW_SQLITE_IN_PRODUCTION=1.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    return CONFIGS[name or os.environ.get("APP_ENV", "development")]
