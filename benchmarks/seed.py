"""Bulk-seed a large forum for benchmarks: minutes, not hours, for a million posts.

    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python benchmarks/seed.py --posts 1000000
    .venv/bin/python benchmarks/seed.py --posts 100000          # SQLite file in instance/bench.sqlite

The schema comes from the migrations (flask db upgrade). Rows are written with multi-row
INSERTs in batches; counters (post_count, last_post_at …) are set as the app would set them.
"""
import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "Sozialplanung Jugendhilfeplanung Altenhilfeplanung Kita Bedarfsplanung Sozialbericht "
    "Landkreis Stadt Gemeinde Quartier Sozialraum Indikatoren Daten Kinder Jugendliche Familien "
    "Senioren Pflege Wohnen Armut Teilhabe Integration Migration Beratung Prävention Netzwerk "
    "Planung Bericht Entwurf Abstimmung Kreistag Ausschuss Haushalt Förderung Landesprogramm "
    "Befragung Statistik Bevölkerung Prognose Demografie Übergang Schule Ausbildung Arbeitsmarkt "
    "Gesundheit Eingliederungshilfe Teilhabeplanung Maßnahmenplan Beteiligung Bürgerbeteiligung "
    "Fachtag Protokoll Vorlage Arbeitshilfe Evaluation Wirkung Steuerung Monitoring Kennzahlen"
).split()
FILLER = ("der die das und mit für von zu im auf bei wir sie es ist sind wird werden haben "
          "noch schon auch nicht sehr gut neue aktuelle nächste").split()
# A long tail of German compounds, so that term frequencies look like real text: the topic
# words above are common, most others rare (Zipf-like), as in a real forum.
PARTS = ("Kinder Jugend Familien Senioren Pflege Wohn Sozial Schul Arbeits Gesundheits Bildungs "
         "Integrations Beratungs Planungs Daten Verwaltungs Kreis Stadt Landes Bundes Förder "
         "Netzwerk Quartiers Teilhabe Inklusions Sucht Präventions Eltern Betreuungs Freizeit "
         "Kultur Sport Mobilitäts Versorgungs Hilfe Einrichtungs Träger Fach Projekt Haushalts").split()
ENDS = ("bericht plan konzept netzwerk analyse statistik angebot bedarf struktur konferenz "
        "gruppe stelle dienst programm richtlinie verordnung antrag bescheid prognose index "
        "monitoring leitfaden kennzahl erhebung strategie beirat ausschuss tagung vorlage "
        "förderung").split()
LONG_TAIL = [p + e for p in PARTS for e in ENDS]


def word(rng):
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(FILLER)
    if roll < 0.54:
        return rng.choice(WORDS)
    # Zipf-like: low indexes are frequent, high ones rare.
    return LONG_TAIL[min(int(rng.paretovariate(1.1)) - 1, len(LONG_TAIL) - 1) if rng.random() < 0.3
                     else rng.randrange(len(LONG_TAIL))]


def sentence(rng):
    return " ".join(word(rng) for _ in range(rng.randint(8, 18))).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--posts-per-thread", type=int, default=25)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--groups", type=int, default=12)
    parser.add_argument("--closed", type=int, default=3,
                        help="closed groups (the last ones); 11 of 12 shows a member of few groups")
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}"

    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from sozialplanung import create_app
    from sozialplanung.accounts.models import User
    from sozialplanung.auth.passwords import hash_password
    from sozialplanung.extensions import db
    from sozialplanung.forum.models import Post, Thread
    from sozialplanung.forum.services import refresh_group_stats
    from sozialplanung.groups.models import Membership, WorkingGroup
    from sozialplanung.markup import render_markdown

    app = create_app("development")
    rng = random.Random(42)
    started = time.monotonic()
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA journal_mode=WAL"))
            db.session.execute(text("PRAGMA synchronous=OFF"))
        password = hash_password("Benchmark-2026")
        db.session.execute(insert(User), [
            {"email": f"bench{i}@example.org", "display_name": f"Planerin {i}",
             "password_hash": password, "role": "admin" if i == 0 else "member",
             "status": "active", "position": "Sozialplanung", "session_token": f"t{i}",
             "email_confirmed_at": datetime(2026, 1, 1)} for i in range(args.users)])
        user_ids = [row[0] for row in db.session.execute(
            text("SELECT id FROM users WHERE email LIKE 'bench%' ORDER BY id"))]
        db.session.execute(insert(WorkingGroup), [
            {"name": f"Arbeitskreis Benchmark {g}", "slug": f"benchmark-{g}",
             "description": paragraph(rng),
             "visibility": "closed" if g >= args.groups - args.closed else "open"}
            for g in range(args.groups)])
        group_ids = [row[0] for row in db.session.execute(
            text("SELECT id FROM working_groups WHERE slug LIKE 'benchmark-%' ORDER BY id"))]
        db.session.execute(insert(Membership), [
            {"user_id": uid, "group_id": gid, "role": "member"}
            for uid in user_ids for gid in group_ids if (uid + gid) % 3 != 0])
        # A member of the first group only: with most groups closed (--closed), what a
        # member of few groups sees (BENCH_USER=wenig@example.org benchmarks/search.py).
        db.session.execute(insert(User), [{
            "email": "wenig@example.org", "display_name": "Planerin wenig",
            "password_hash": password, "role": "member", "status": "active",
            "position": "Sozialplanung", "session_token": "twenig",
            "email_confirmed_at": datetime(2026, 1, 1)}])
        db.session.execute(insert(Membership), [{"user_id": db.session.scalar(
            text("SELECT id FROM users WHERE email = 'wenig@example.org'")),
            "group_id": group_ids[0], "role": "member"}])
        db.session.commit()

        n_threads = max(args.posts // args.posts_per_thread, 1)
        base = datetime(2020, 1, 1)
        # Posts are written in time order, as in the portal (ids grow with created_at), every
        # thread active over the whole period; a thread starts with its first post.
        step = timedelta(minutes=2)
        print(f"{n_threads} Themen …", flush=True)
        thread_rows = []
        for t in range(n_threads):
            created = base + t * step
            thread_rows.append({"group_id": group_ids[t % len(group_ids)],
                                "title": " ".join(rng.choice(WORDS) for _ in range(4)),
                                "author_id": rng.choice(user_ids), "created_at": created,
                                "post_count": 0, "last_post_at": created})
        for chunk in range(0, len(thread_rows), args.batch):
            db.session.execute(insert(Thread), thread_rows[chunk:chunk + args.batch])
        db.session.commit()
        thread_ids = [row[0] for row in db.session.execute(text("SELECT id FROM threads ORDER BY id"))]

        # Rendering Markdown is the slow part: render a pool of texts once and reuse them.
        pool = [(text_, render_markdown(text_)) for text_ in (paragraph(rng) for _ in range(5000))]
        print(f"{args.posts} Beiträge …", flush=True)
        counts = dict.fromkeys(thread_ids, 0)
        batch, written = [], 0
        for i in range(args.posts):
            tid = thread_ids[i % len(thread_ids)]
            counts[tid] += 1
            source, html = rng.choice(pool)
            created = base + i * step
            author = rng.choice(user_ids)
            batch.append({"thread_id": tid, "number": counts[tid], "author_id": author,
                          "source": source, "html": html,
                          "created_at": created})
            if len(batch) >= args.batch:
                db.session.execute(insert(Post), batch)
                db.session.commit()
                written += len(batch)
                batch = []
                print(f"  {written:>9,} ({time.monotonic() - started:.0f} s)", flush=True)
        if batch:
            db.session.execute(insert(Post), batch)
            db.session.commit()
        print("Zähler …", flush=True)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
        db.session.execute(text(
            "UPDATE threads SET post_count = s.n, last_post_at = s.last_at, last_post_id = s.last_id "
            "FROM (SELECT thread_id, count(*) AS n, max(created_at) AS last_at, max(id) AS last_id "
            "      FROM posts GROUP BY thread_id) AS s WHERE s.thread_id = threads.id"))
        db.session.execute(text(
            "UPDATE threads SET last_poster_id = p.author_id FROM posts AS p "
            "WHERE p.id = threads.last_post_id"))
        refresh_group_stats(*group_ids)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does on a live server: statistics and the visibility map
            # (index-only scans for counts).
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    print(f"fertig in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
