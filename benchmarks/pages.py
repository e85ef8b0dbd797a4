"""Throughput of member pages against a Flask hello-world, same gunicorn settings, same run.

    .venv/bin/python benchmarks/seed.py --posts 100000            # once
    .venv/bin/python benchmarks/pages.py                          # SQLite instance/bench.sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python benchmarks/pages.py

Needs `wrk` (apt-get install -y wrk). Prints a Markdown table for BENCHMARKS.md.
"""
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DURATION = os.environ.get("BENCH_DURATION", "10s")
HELLO = "from flask import Flask\napp = Flask(__name__)\n@app.get('/')\ndef hello():\n    return 'Hello, World!'\n"


def start(app_spec, port, env):
    proc = subprocess.Popen([str(GUNICORN), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", app_spec], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app_spec} did not start")


def wrk(url, cookie=None):
    cmd = ["wrk", "-t2", "-c8", f"-d{DURATION}", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
    return rate, latency, int(non2xx.group(1)) if non2xx else 0


def login(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/anmelden").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "bench1@example.org",
                                   "password": "Benchmark-2026"}).encode()
    opener.open(base + "/anmelden", data)
    home = opener.open(base + "/").read().decode()
    thread = re.search(r'href="/themen/(\d+)"', home)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, thread.group(1) if thread else "1"


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk fehlt: apt-get install -y wrk")
    env = os.environ.copy()
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}")
    env["RATELIMIT_ENABLED"] = "0"
    hello_dir = ROOT / "instance" / "hello"
    hello_dir.mkdir(parents=True, exist_ok=True)
    (hello_dir / "hello.py").write_text(HELLO)
    hello = start("hello:app", 5101, {**env, "PYTHONPATH": str(hello_dir)})
    try:
        ceiling, latency, _ = wrk("http://127.0.0.1:5101/")
    finally:
        hello.terminate()
    portal = start("wsgi:app", 5102, env)
    base = "http://127.0.0.1:5102"
    try:
        cookie, thread_id = login(base)
        pages = {
            "Übersicht (Dashboard)": "/",
            "Arbeitskreise": "/arbeitskreise/",
            "Arbeitskreis-Seite": "/arbeitskreise/benchmark-0",
            "Thema (Seite 1)": f"/themen/{thread_id}",
            "Mitgliederverzeichnis": "/mitglieder",
            "Dokumente": "/dokumente/",
            "Neuigkeiten": "/neuigkeiten",
            "Suche (zwei Wörter)": "/suche?q=Kita+Bedarfsplanung",
        }
        print(f"\nDatenbank: {env['DATABASE_URL'].split('@')[-1]}")
        print(f"Hello-World-Ceiling: {ceiling:,.0f} req/s (Latenz {latency})\n")
        print("| Seite | req/s | Anteil am Ceiling | Latenz (Mittel) | Fehler |")
        print("|---|---:|---:|---:|---:|")
        for name, path in pages.items():
            rate, lat, errors = wrk(base + path, cookie)
            print(f"| {name} | {rate:,.0f} | {rate / ceiling:.0%} | {lat} | {errors} |", flush=True)
    finally:
        portal.terminate()


if __name__ == "__main__":
    main()
