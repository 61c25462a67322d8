"""Matching and push queueing at county scale, on SQLite and on PostgreSQL.

Generates 100,000 workers and 10,000 open jobs over Kaihua's towns in a scratch database,
then prints: the time to match one new job against all workers (target < 100 ms), the time
to queue the pushes of a job that suits 20,000 workers (target < 2 s), and how fast `找工作`
ranks the open jobs for one worker.

    .venv/bin/python benchmarks/matching.py [--workers 100000] [--jobs 10000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Any

from scratch import scratch_databases  # noqa: E402

from handlers.terms import match_terms  # noqa: E402
from knowledge import taxonomy  # noqa: E402
from knowledge.places import gazetteer  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.job_search import jobs_for  # noqa: E402
from storage.matching import matching_workers  # noqa: E402
from storage.models import ChatAccount, Job, Worker, WorkerSkill  # noqa: E402
from storage.outbox import Push, enqueue  # noqa: E402
from storage.sql import table_of

SKILLS = [o.code for o in taxonomy.skills().options]  # 啥都行 (other) included
YEAR = 2026
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def generate(engine, workers: int, jobs: int, rng: random.Random) -> None:
    towns = gazetteer().names
    worker_rows: list[dict[str, Any]] = []
    skill_rows: list[dict[str, Any]] = []
    account_rows: list[dict[str, Any]] = []
    for n in range(1, workers + 1):
        skills = rng.sample(SKILLS, rng.choice([1, 1, 2, 3]))
        worker_rows.append({
            "id": n, "town": rng.choice(towns), "village": f"{rng.randint(1, 20)}村", "age": None,
            "birth_year": YEAR - rng.randint(18, 75), "skills": skills,
            "availability": rng.sample(["anytime", "weekends", "slack_season", "spring_tea", "daytime"], 1),
            "travel_range": rng.choice(["village", "town", "town", "county"]), "want_job_push": rng.random() > 0.05,
            "want_fair_push": True, "subscribed": rng.random() > 0.03, "created_at": NOW, "updated_at": NOW,
        })
        skill_rows.extend({"worker_id": n, "skill": s} for s in skills)
        account_rows.append({"channel": "wechat", "user_id": f"o{n:08d}", "worker_id": n, "window_sends": 0,
                             "reachable": True, "created_at": NOW})
    job_rows = [{
        "source_key": f"bench-{n}", "title": f"岗位{n}", "town": rng.choice(towns), "skills": [rng.choice(SKILLS[:-1])],
        "pay_unit": "元/天", "pay_amount": 150.0, "headcount": 5, "physical": rng.choice("轻中重"),
        "night_shift": rng.random() < 0.1, "days": rng.choice([None, None, "weekdays", "weekends"]),
        "at_door": False, "public_welfare": False, "status": "open", "created_at": NOW,
        "updated_at": NOW,
    } for n in range(jobs)]
    with engine.begin() as conn:
        for table, rows in ((Worker, worker_rows), (WorkerSkill, skill_rows), (ChatAccount, account_rows),
                            (Job, job_rows)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table_of(table)), rows[start:start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('worker_id_seq', (SELECT max(id) FROM worker))"))
            conn.execute(text("ANALYZE"))


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def run(name: str, url: str, workers: int, jobs: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(42)
    start = time.perf_counter()
    generate(engine, workers, jobs, rng)
    print(f"[{name}] generated {workers:,} workers and {jobs:,} open jobs in {time.perf_counter() - start:.1f} s")

    def new_job(skill: str, town: str) -> Job:
        return Job(id=10**9, source_key="new", title="新岗位", town=town, skills=[skill], physical="轻",
                   night_shift=False, status="open", pay_unit="元/天", headcount=1)

    with Session(engine) as session:
        median, worst, matches = timed(lambda: matching_workers(
            session, job=new_job("tea", "华埠镇"), year=YEAR, terms=match_terms()), 7)
        print(f"[{name}] match one new job against all workers: median {median:.1f} ms, max {worst:.1f} ms "
              f"({len(matches):,} matches)")

        broad = Job(id=10**9 + 1, source_key="broad", title="全县各类零工", town=None, skills=SKILLS[:9], physical="轻",
                    night_shift=False, status="open", pay_unit="元/天", headcount=1)
        everyone = matching_workers(session, job=broad, year=YEAR, terms=match_terms())[:20000]
        pushes = [Push(key=f"job:{broad.id}:{m.worker_id}", worker_id=m.worker_id, kind="job", ref_id=broad.id,
                       texts=("有个新活儿适合您：测试",)) for m in everyone]
        start = time.perf_counter()
        queued = enqueue(session, pushes, now=NOW)
        session.commit()
        print(f"[{name}] queue pushes for a job suiting {len(pushes):,} workers: "
              f"{(time.perf_counter() - start) * 1000:.0f} ms ({queued:,} rows)")

        someone = session.get(Worker, 1)
        assert someone is not None
        someone.travel_range = "county"
        median, worst, found = timed(lambda: jobs_for(session, worker=someone, today=NOW.date(),
                                                      terms=match_terms()), 5)
        print(f"[{name}] rank {jobs:,} open jobs for one worker (找工作, whole county): median {median:.1f} ms "
              f"({len(found):,} suit)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for name, url in scratch_databases(args.only):
        run(name, url, args.workers, args.jobs)


if __name__ == "__main__":
    main()
