"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

Skipped with a clear message when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1
(CI), where a missing browser is a failure."""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
    "--disable-features=AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _browser_missing():
    if not Path(CHROMIUM).exists():
        return "Chromium nicht gefunden (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright nicht installiert (pip install -e .[browser])"
    return None


def pytest_collection_modifyitems(config, items):
    missing = _browser_missing()
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if missing and not os.environ.get("REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.skip(reason=f"Browser-Tests übersprungen: {missing}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(autouse=True)
def _real_csrf_and_links(app, live_server):
    """Real CSRF, and mail links pointing at the live server, for browser tests only."""
    saved = app.config["WTF_CSRF_ENABLED"], app.config["SITE_URL"]
    app.config["WTF_CSRF_ENABLED"], app.config["SITE_URL"] = True, live_server
    yield
    app.config["WTF_CSRF_ENABLED"], app.config["SITE_URL"] = saved


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin",
            "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture(autouse=True)
def _browser_storage(app, tmp_path):
    """Uploads and announcement images of each test go to its own temporary folders; text
    extraction (a child process per upload) stays off, as in the documents tests. The browser
    may cache the stylesheet (a third fewer requests per page)."""
    names = ("DOCUMENT_STORAGE", "DOCUMENT_STORAGE_PATH", "DOCUMENT_EXTRACT_TEXT",
             "ANNOUNCEMENT_IMAGE_DIR", "MAX_CONTENT_LENGTH", "REGISTRATION_ENABLED",
             "SEND_FILE_MAX_AGE_DEFAULT")
    saved = {name: app.config.get(name) for name in names}
    app.config.update(DOCUMENT_STORAGE="local", DOCUMENT_STORAGE_PATH=str(tmp_path / "dokumente"),
                      DOCUMENT_EXTRACT_TEXT=False, ANNOUNCEMENT_IMAGE_DIR=str(tmp_path / "bilder"),
                      SEND_FILE_MAX_AGE_DEFAULT=3600)
    yield
    app.config.update(saved)


@pytest.fixture
def as_user(app, base_url, new_context):
    """as_user(user) -> a new page in its own browser context, signed in as `user` (None:
    signed out), with a `watch` attribute that records dialogs and CSP violations."""
    from .helpers import Watch, signed_in_context

    def open_page(user, **context_args):
        context = signed_in_context(new_context, app, base_url, user, **context_args)
        watch = Watch(context)
        page = context.new_page()
        page.watch, page.csrf_token = watch, context.csrf_token
        return page
    return open_page


@pytest.fixture
def js_dialogs(page):
    """Every alert/confirm/prompt that opens on `page`; an XSS test asserts it stays empty."""
    seen = []
    page.on("dialog", lambda d: (seen.append((d.type, d.message)), d.dismiss()))
    return seen


@pytest.fixture(scope="session")
def page_sources():
    """HTML of the accessibility page set, handed on to the HTML validity test."""
    from .site import PageSources
    return PageSources()


@pytest.fixture(scope="session")
def screenshot_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(page):
    def take(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return take
