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
    app.config["SITE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["SITE_URL"]
    server.shutdown()


@pytest.fixture(autouse=True)
def _real_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def js_dialogs(page):
    """Every alert/confirm/prompt that opens on `page`; an XSS test asserts it stays empty."""
    seen = []
    page.on("dialog", lambda d: (seen.append((d.type, d.message)), d.dismiss()))
    return seen


@pytest.fixture
def screenshot(page):
    def take(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return take
