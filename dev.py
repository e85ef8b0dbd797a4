#!/usr/bin/env python3
"""Set up and run the portal with nothing but Python 3.11+.

    python3 dev.py run    virtualenv, install, migrate, demo data, serve on 127.0.0.1:5000
    python3 dev.py test   virtualenv, install, run the whole test suite
    python3 dev.py translations
                          extract the messages, merge them into the English catalogue, compile
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
CATALOG_DIR = ROOT / "translations"
# Marker functions beyond pybabel's defaults (_, gettext, ngettext, pgettext, npgettext, N_, ...):
# the lazy forms used for form labels and label tables. tests/test_i18n.py extracts with these.
BABEL_KEYWORDS = ("_l", "lazy_gettext", "lazy_pgettext:1c,2")


def ensure_venv(extras):
    if sys.version_info < (3, 11):
        sys.exit("Bitte Python 3.11 oder neuer verwenden.")
    if not PYTHON.exists():
        print("Virtuelle Umgebung .venv wird angelegt …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _install_fingerprint(extras)
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Abhängigkeiten werden installiert (einmalig) …", flush=True)
    spec = f".[{','.join(extras)}]" if extras else "."
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", "constraints.txt", "-e", spec], cwd=ROOT, check=True)
    STAMP.write_text(wanted)


def _install_fingerprint(extras):
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    digest.update(",".join(sorted(extras)).encode())
    return digest.hexdigest()


def flask(*args, env=None, check=True):
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                          env=env or os.environ.copy(), check=check)


def run():
    ensure_venv(["test"])
    flask("db", "upgrade")
    flask("seed-demo", "--if-empty")
    # Background workers, as in production: mail delivery and scheduled announcements.
    workers = [subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT)
               for args in (("outbox", "send", "--loop", "--interval", "5"),
                            ("announcements", "publish-due", "--loop", "--interval", "30"))]
    print("\nDie Plattform läuft auf http://127.0.0.1:5000 (Beenden mit Strg+C).")
    print("E-Mails landen als Dateien in instance/mail/.\n", flush=True)
    try:
        flask("run", "--host", "127.0.0.1", "--port", "5000", check=False)
    except KeyboardInterrupt:
        pass
    finally:
        for worker in workers:
            worker.terminate()


def test(pytest_args):
    extras = ["test"]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        extras.append("browser")
    ensure_venv(extras)
    env = os.environ.copy()
    if not chromium:
        print("Hinweis: Chromium nicht gefunden – die Browser-Tests werden übersprungen "
              "(installieren mit: apt-get install -y chromium).", flush=True)
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    return result.returncode


def translations():
    """messages.pot from the code and templates (babel.cfg), merged into the English .po (new
    messages arrive untranslated, which tests/test_i18n.py reports), then compiled to .mo."""
    pybabel = str(BIN / "pybabel")
    if not Path(pybabel).exists():
        ensure_venv(["test"])
    keywords = [arg for keyword in BABEL_KEYWORDS for arg in ("-k", keyword)]
    pot = str(CATALOG_DIR / "messages.pot")
    for args in (["extract", "-F", "babel.cfg", *keywords, "-o", pot, "."],
                 ["update", "-i", pot, "-d", str(CATALOG_DIR), "--width", "100",
                  "--ignore-obsolete", "--no-fuzzy-matching"],
                 ["compile", "-d", str(CATALOG_DIR), "--statistics"]):
        subprocess.run([pybabel, *args], cwd=ROOT, check=True)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        sys.exit(test(sys.argv[2:]))
    elif command == "translations":
        translations()
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
