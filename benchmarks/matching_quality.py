"""Matching as a job-centre worker judges it: right/total on the dev and held-out case sets.

Each case (benchmarks/data/matching_*.jsonl) is one morning's sheet of jobs, imported as
`jobbot jobs import` does, one villager registered by chat, then 找工作. A case is right when
exactly the expected jobs are listed (in the expected order when the case says so) and every
line's reason is truthful about the place. Every case gets a fresh SQLite database; the clock
stands at 2026-10-15 10:00 (Asia/Shanghai), moved on by `list_after_days` before 找工作.

Run: .venv/bin/python benchmarks/matching_quality.py [--verbose]  (misses are listed for dev only)
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_dispatcher
from bot.messages import Kind, Update
from bot.outreach.jobs import import_jobs
from bot.services import Services
from bot.settings import Settings
from knowledge.places import gazetteer
from storage.db import make_engine, session_scope, upgrade

DATA = Path(__file__).resolve().parent / "data"
START = datetime(2026, 10, 15, 2, 0, tzinfo=UTC)
_LINE = re.compile(r"^\d+\. (.+)（(.*)）$")
# Which registration question a reply asks, and which answer of the person it takes.
_QUESTIONS = (("核对", "confirm"), ("哪个乡镇", "town"), ("哪个村", "village"), ("岁数", "age"),
              ("会做", "skills"), ("有空", "free"), ("多远", "range"), ("称呼", "name"), ("手机", "phone"),
              ("电话", "phone"), ("发消息告诉您", "yes"),
              ("招聘会", "no"))
_FIXED = {"yes": "1", "no": "2", "confirm": "1", "name": "跳过", "phone": "跳过"}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def sheet(rows: list[dict]) -> bytes:
    headers = list(dict.fromkeys(h for row in rows for h in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def register(send, person: dict) -> str | None:
    """Answer the registration questions as the person would; why it failed, or None."""
    reply = send("登记")
    for _ in range(20):
        asked = next((key for word, key in _QUESTIONS if word in reply), None)
        if asked is None:
            return f"unexpected question: {reply[:60]}"
        answer = _FIXED.get(asked) or person.get(asked) or "跳过"
        reply = send(answer)
        if asked == "confirm":
            return None
    return "registration did not end (an answer was not understood)"


def listed(send) -> list[tuple[str, str, str]]:
    """(title, place, reason) of every job 找工作 lists, all pages."""
    jobs: list[tuple[str, str, str]] = []
    reply = send("找工作")
    for _ in range(10):
        lines = reply.splitlines()
        for i, line in enumerate(lines):
            if m := _LINE.match(line.strip()):
                jobs.append((m.group(1), m.group(2), lines[i + 1].strip() if i + 1 < len(lines) else ""))
        if "更多" not in reply or "下一页" not in reply:
            break
        reply = send("更多")
    return jobs


def truthful(place: str, reason: str, person: dict) -> bool:
    """A job in another town is never 本村/本乡镇/离您近; one in another village never 本村."""
    town = gazetteer().resolve(person["town"]).town or ""
    words = reason.split(" · ")[0]
    if "离您近" in words:
        return False
    if place.startswith(town) or place in ("县内", "全县"):
        return True
    return "本村" not in words and "本乡镇" not in words


def run_case(case: dict, template: Path, folder: Path) -> tuple[bool, str]:
    db = folder / f"{case['id']}.sqlite3"
    shutil.copy(template, db)
    url = f"sqlite:///{db}"
    clock = Clock()
    engine = make_engine(url)
    settings = Settings(database_url=url, data_dir=folder, background=False, dispatch_processes=0)
    try:
        with session_scope(engine) as session:
            report = import_jobs(session, Services(settings=settings, clock=clock), sheet(case["jobs"]), "岗位.csv")
        dispatcher = build_dispatcher(settings, engine=engine, clock=clock)

        def send(text: str) -> str:
            reply = dispatcher.dispatch(Update("console", "villager", Kind.TEXT, text))
            return reply.as_text() if reply else ""

        failed = register(send, case["person"])
        if failed:
            return False, failed
        clock.now = START + timedelta(days=case.get("list_after_days", 0))
        shown = listed(send)
    finally:
        engine.dispose()
    titles = [t for t, _, _ in shown]
    expected = case["expect"]
    right = titles == expected if case.get("ordered") else sorted(titles) == sorted(expected)
    lies = [t for t, place, why in shown if not truthful(place, why, case["person"])]
    detail = f"shown {titles} expected {expected}" + (f" untruthful {lies}" if lies else "")
    detail += f" (import errors {report.errors})" if report.errors else ""
    return right and not lies, detail


def main() -> None:
    verbose = "--verbose" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.sqlite3"
        upgrade(f"sqlite:///{template}")
        for name in ("dev", "holdout"):
            cases = [json.loads(line) for line in (DATA / f"matching_{name}.jsonl").read_text("utf-8").splitlines()
                     if line.strip()]
            right = 0
            for case in cases:
                ok, detail = run_case(case, template, folder)
                right += ok
                if verbose and not ok and name == "dev":  # never tune on the held-out half
                    print(f"  MISS {case['id']} {case['note']}: {detail}")
            print(f"{name}: {right}/{len(cases)} right ({right / len(cases):.0%})")


if __name__ == "__main__":
    main()
