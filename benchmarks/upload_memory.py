"""Peak memory of the app while it takes in a large upload: the file must stream to disk, so the
worker's memory stays flat however big the file is.

    .venv/bin/python benchmarks/upload_memory.py                  # 20 MB and 200 MB
    .venv/bin/python benchmarks/upload_memory.py --sizes 200 500

Starts gunicorn (1 sync worker, the production server) on 127.0.0.1 with a fresh SQLite
database and storage in a temporary directory, signs in as a member (with CSRF, like a
browser), streams a generated CSV file of each size to the upload form from a generator (the
client never holds the file either), checks that the stored blob has the right size and
SHA-256, and reads the worker's peak resident memory (VmHWM) from /proc. Prints a Markdown
table; nothing is kept.
"""
import argparse
import hashlib
import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PYTHON = ROOT / ".venv" / "bin" / "python"
MB = 1024 * 1024
EMAIL, PASSWORD = "bench-upload@example.org", "Benchmark-Passwort-1"
ROW = b"Saale-Holzland-Kreis;2025;Bevoelkerung 65+;12345;Sozialplanung Thueringen\n"

SETUP = """
from flask_migrate import upgrade
from sozialplanung import create_app
from sozialplanung.accounts.models import User
from sozialplanung.auth.passwords import hash_password
from sozialplanung.extensions import db
from sozialplanung.groups.models import Membership, WorkingGroup
from sozialplanung.timeutil import utcnow
app = create_app()
with app.app_context():
    upgrade(revision="heads")
    user = User(email={email!r}, display_name="Bench Upload", role="member", status="active",
                password_hash=hash_password({password!r}), email_confirmed_at=utcnow())
    group = WorkingGroup(name="Arbeitskreis Benchmark", slug="benchmark", visibility="closed")
    db.session.add_all([user, group]); db.session.flush()
    db.session.add(Membership(user_id=user.id, group_id=group.id, role="member"))
    db.session.commit()
"""


def environment(workdir, max_mb):
    env = dict(os.environ)
    env.update({
        "APP_ENV": "development", "INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "MAX_CONTENT_LENGTH": str(max_mb * MB), "DOCUMENT_MAX_BYTES": str(max_mb * MB),
        "DOCUMENT_STORAGE": "local", "DOCUMENT_STORAGE_PATH": str(workdir / "documents"),
        "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT),
    })
    return env


def start_server(env, port):
    proc = subprocess.Popen([str(GUNICORN), "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}",
                             "--timeout", "600", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/anmelden", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def worker_pid(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def reset_peak(pid):
    """Start a new VmHWM measurement (Linux >= 4.0: writing 5 to clear_refs resets the peak)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def memory_kb(pid, field):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def token(self, path):
        html = self.opener.open(self.base + path).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def login(self):
        data = urllib.parse.urlencode({"csrf_token": self.token("/anmelden"), "email": EMAIL,
                                       "password": PASSWORD}).encode()
        self.opener.open(self.base + "/anmelden", data=data)

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def multipart(size, token, boundary="----sozialplanung-bench"):
    """(content length, chunk generator, sha256 holder) of a form with a `size`-byte CSV."""
    fields = [("csrf_token", token), ("title", f"Benchmark {size // MB} MB"),
              ("category", "bericht"), ("tags", "benchmark"), ("description", "")]
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                    .encode() for k, v in fields)
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="Benchmark {size // MB} MB.csv"\r\nContent-Type: text/csv\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    digest = hashlib.sha256()

    def chunks():
        yield head
        block = ROW * (MB // len(ROW))
        left = size
        while left:
            piece = block[:min(len(block), left)]
            digest.update(piece)
            left -= len(piece)
            yield piece
        yield tail
    return len(head) + size + len(tail), chunks(), digest, boundary


def upload(base, browser, size, path):
    length, body, digest, boundary = multipart(size, browser.token(path))
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    started = time.monotonic()
    conn.putrequest("POST", path)
    for name, value in (("Content-Type", f"multipart/form-data; boundary={boundary}"),
                        ("Content-Length", str(length)), ("Cookie", browser.cookie_header())):
        conn.putheader(name, value)
    conn.endheaders()
    for chunk in body:
        conn.send(chunk)
    response = conn.getresponse()
    response.read()
    seconds = time.monotonic() - started
    conn.close()
    return response.status, response.getheader("Location", ""), seconds, digest.hexdigest()


def run(sizes_mb):
    port = 8765
    rows = []
    with tempfile.TemporaryDirectory(prefix="upload-bench-") as tmp:
        workdir = Path(tmp)
        env = environment(workdir, max(sizes_mb) + 10)
        subprocess.run([str(PYTHON), "-c", SETUP.format(email=EMAIL, password=PASSWORD)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        server = start_server(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            browser = Browser(base)
            browser.login()
            browser.token("/arbeitskreise/benchmark/dokumente")   # warm up the worker
            worker = worker_pid(server.pid)
            baseline = memory_kb(worker, "VmRSS")
            for size_mb in sizes_mb:
                before = memory_kb(worker, "VmRSS")
                reset_peak(worker)
                status, location, seconds, sha = upload(
                    base, browser, size_mb * MB, "/arbeitskreise/benchmark/dokumente/hochladen")
                blob = workdir / "documents" / "blobs" / sha[:2] / sha[2:4] / sha
                stored_ok = blob.is_file() and blob.stat().st_size == size_mb * MB
                rows.append((size_mb, status, "/dokumente/" in location, stored_ok, seconds,
                             before, memory_kb(worker, "VmHWM")))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return baseline, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[20, 200],
                        help="file sizes in MB, uploaded in this order")
    args = parser.parse_args()
    baseline, rows = run(args.sizes)
    print(f"gunicorn, 1 sync worker; worker RSS after start and sign-in: {baseline / 1024:.1f} MB")
    print("Peak = the worker's VmHWM during that upload (reset before each one).\n")
    print("| file | HTTP | stored, size + SHA-256 ok | time | throughput | worker RSS before "
          "| worker peak during upload | peak − before |")
    print("|---|---|---|---|---|---|---|---|")
    for size_mb, status, redirected, stored_ok, seconds, before, peak in rows:
        print(f"| {size_mb} MB CSV | {status}{' → Dokument' if redirected else ''} | "
              f"{'ja' if stored_ok else 'NEIN'} | {seconds:.1f} s | {size_mb / seconds:.0f} MB/s "
              f"| {before / 1024:.1f} MB | {peak / 1024:.1f} MB "
              f"| {(peak - before) / 1024:+.1f} MB |")
    if not all(status == 302 and stored for _s, status, _r, stored, *_ in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
