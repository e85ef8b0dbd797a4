"""Median and p95 time of typical searches on a seeded database (see seed.py).

    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python benchmarks/search.py
    .venv/bin/python benchmarks/search.py                       # SQLite instance/bench.sqlite

Runs the search service as a signed-in member (permission filters included), first page of
results with the counts of every kind, exactly as the results page does: `alles` is the
header's search box (every kind), `Beiträge` the type filter set to posts. BENCH_USER picks the
member (default bench1@example.org, who reads most groups; wenig@example.org belongs to one).
"""
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TWO_WORDS = [
    "Kita Bedarfsplanung", "Sozialbericht Landkreis", "Pflege Wohnen", "Jugendliche Übergang",
    "Maßnahmenplan Familien", "Prognose Demografie", "Massnahmenplan Beteiligung",
]
# (query, sort): two-word queries by relevance, then phrases, exclusions, a very common word
# and sorting by date.
QUERIES = [(q, "relevanz") for q in TWO_WORDS] + [
    ('"Planung Bericht"', "relevanz"), ("Integration -Migration", "relevanz"),
    ("Bericht", "relevanz"), ("Bericht", "datum"), ("Kita Bedarfsplanung", "datum"),
]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 15))


def main():
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}")
    from sqlalchemy import func, select

    from sozialplanung import create_app
    from sozialplanung.accounts.models import User
    from sozialplanung.extensions import db
    from sozialplanung.forum.models import Post
    from sozialplanung.search.services import SearchRequest, search

    app = create_app("development")
    gc.freeze()  # as wsgi.py does for the portal
    with app.test_request_context("/suche"):
        email = os.environ.get("BENCH_USER", "bench1@example.org")
        member = db.session.scalar(select(User).where(User.email == email))
        posts = db.session.scalar(select(func.count()).select_from(Post))
        print(f"\nDatenbank: {os.environ['DATABASE_URL'].split('@')[-1]}, {posts:,} Beiträge, "
              f"als {email}")
        print("| Anfrage | Sortierung | Art | Treffer (Beiträge) | Median | p95 |")
        print("|---|---|---|---:|---:|---:|")
        two_words = {"": [], "beitrag": []}
        for query, sort in QUERIES:
            for kind in ("", "beitrag"):
                timings = []
                for round_ in range(ROUNDS + 1):
                    started = time.perf_counter()
                    results = search(member, SearchRequest(text=query, kind=kind, sort=sort)).results
                    elapsed = (time.perf_counter() - started) * 1000
                    if round_:  # the first round warms the caches
                        timings.append(elapsed)
                    db.session.rollback()
                if query in TWO_WORDS and sort == "relevanz":
                    two_words[kind] += timings
                posts = results.counts["beitrag"]
                shown = f"{min(posts, 1000):,}{'+' if posts > 1000 else ''}"
                print(f"| `{query}` | {sort} | {kind or 'alles'} | {shown} "
                      f"| {statistics.median(timings):.1f} ms | {p95(timings):.1f} ms |", flush=True)
        for kind, timings in two_words.items():
            print(f"| **alle Zwei-Wort-Anfragen** | relevanz | {kind or 'alles'} | | "
                  f"{statistics.median(timings):.1f} ms | {p95(timings):.1f} ms |")


def p95(timings):
    return statistics.quantiles(timings, n=20)[18]


if __name__ == "__main__":
    main()
