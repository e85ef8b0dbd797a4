"""Median and p95 time of typical searches on a seeded database (see seed.py).

    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python benchmarks/search.py
    .venv/bin/python benchmarks/search.py                       # SQLite instance/bench.sqlite

Runs the search service as a signed-in member (permission filters included), first page of
results with counts, exactly as the results page does.
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "Kita Bedarfsplanung", "Sozialbericht Landkreis", "Pflege Wohnen", "Jugendliche Übergang",
    "Maßnahmenplan Familien", '"Planung Bericht"', "Integration -Migration", "Prognose Demografie",
]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 15))


def main():
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}")
    from sqlalchemy import func, select

    from sozialplanung import create_app
    from sozialplanung.accounts.models import User
    from sozialplanung.extensions import db
    from sozialplanung.forum.models import Post
    from sozialplanung.search.services import Filters, search

    app = create_app("development")
    with app.test_request_context("/suche"):
        member = db.session.scalar(select(User).where(User.email == "bench1@example.org"))
        posts = db.session.scalar(select(func.count()).select_from(Post))
        print(f"\nDatenbank: {os.environ['DATABASE_URL'].split('@')[-1]}, {posts:,} Beiträge")
        print("| Anfrage | Treffer | Median | p95 |")
        print("|---|---:|---:|---:|")
        everything = []
        for query in QUERIES:
            timings = []
            for round_ in range(ROUNDS + 1):
                started = time.perf_counter()
                _parsed, results = search(member, query, Filters(kind="beitrag"))
                elapsed = (time.perf_counter() - started) * 1000
                if round_:  # the first round warms the caches
                    timings.append(elapsed)
                db.session.rollback()
            everything += timings
            p95 = statistics.quantiles(timings, n=20)[18]
            shown = f"{results.total:,}{'+' if results.capped else ''}"
            print(f"| `{query}` | {shown} | {statistics.median(timings):.1f} ms | {p95:.1f} ms |",
                  flush=True)
        p95_all = statistics.quantiles(everything, n=20)[18]
        print(f"| **alle** | | {statistics.median(everything):.1f} ms | {p95_all:.1f} ms |")


if __name__ == "__main__":
    main()
