"""Valid HTML: the Nu Html Checker (vnu.jar from the npm package vnu-jar, run by Java 17) finds
no error in any page of the accessibility page set, nor in the stylesheet.

All pages go to one JVM call (each start costs about two seconds). The pages are the HTML the
server sent during the accessibility test of this session; run alone, this test walks the page
set itself."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .site import seed_world, walk

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "node_modules" / "vnu-jar" / "build" / "dist"
                              / "vnu.jar"))


def _checker_missing():
    if not VNU_JAR.exists():
        return f"vnu.jar fehlt ({VNU_JAR}); installieren mit: npm ci"
    if not shutil.which("java"):
        return "Java fehlt (der Nu Html Checker braucht Java 17)"
    return None


@pytest.fixture
def vnu():
    missing = _checker_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"HTML-Prüfung nicht möglich: {missing}")
        pytest.skip(f"HTML-Prüfung übersprungen: {missing}")

    def check(paths, *options):
        result = subprocess.run(
            ["java", "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *options,
             *map(str, paths)], capture_output=True, text=True, timeout=300)
        messages = json.loads(result.stdout or '{"messages": []}')["messages"]
        assert result.returncode in (0, 1), result.stderr
        return [m for m in messages if m.get("type") == "error"
                or m.get("subType") == "fatal"]
    return check


def _pages(page_sources, as_user, base_url):
    if not page_sources.complete():
        world = seed_world()
        for seen in walk(as_user, base_url, world):
            page_sources.html[seen.visit.name] = seen.html
    return page_sources.html


def test_every_page_is_valid_html(vnu, page_sources, as_user, base_url, tmp_path):
    pages = _pages(page_sources, as_user, base_url)
    paths = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    errors = vnu(paths)
    report = [f"{Path(m['url']).stem}:{m.get('lastLine')}: {m['message']} "
              f"[{m.get('extract', '').strip()[:80]}]" for m in errors]
    assert len(paths) >= 90
    assert report == [], "\n".join(report)


def test_stylesheet_is_valid_css(vnu):
    errors = vnu([ROOT / "static" / "css" / "main.css"], "--css")
    assert errors == [], "\n".join(f"{m.get('lastLine')}: {m['message']}" for m in errors)
