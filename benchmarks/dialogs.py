"""Simulated villagers register through the real dispatcher: how many finish with the right
profile, whether any question is asked a third time in a row, and the longest reply.

Each persona (benchmarks/data/dialog_personas.json) is a person with a profile to give and
their own way of saying it. The simulated user reads the bot's last question, answers it
the way that person would (own words, numbers, a town picked from a list by number, by
"第一个" or by its name, an off-topic question in between, a change of mind at the summary,
a reading said back confirmed with "是" or put right by number, numbers from a list and words
for what the list does not show), and gives up after 40 messages. The held-out third
(benchmarks/data/dialog_split.json) was drawn at random before any tuning and is reported apart.

Each part is reported whole and by batch: the first 66 personas were split before any
tuning, the 30 written later were split before they were first run, and the fresh (f3-…) and
blind (f4-…; f5-…: blind2; f6-…: blind3; f7-…: blind4; f8-…: blind5; f9-…: blind6; f10-…: blind7;
f11-…: blind8; f12-…: blind9; f13-…: blind10; f14-…: blind11; f15-…: blind12; f16-…: blind13;
f17-…: blind14; f18-…: blind15; f19-…: blind16; f20-…: blind17;
f21-…: blind18; f22-…: blind19; f23-…: blind20; f24-…: blind21; f25-…: blind22;
f26-…: blind23; f27-…: blind24;
f28-…: blind25; f29-…: blind26; f30-…: blind27;
f31-…: blind28; f32-…: blind29; f33-…: blind30;
f34-…: blind31; f35-…: blind32; f36-…: blind33;
f37-…: blind34; f38-…: blind35;
f39-…: blind36;
f40-…: blind37;
f41-…: blind38;
f42-…: blind39;
f43-…: blind40;
f44-…: blind41;
f45-…: blind42;
f46-…: blind43;
f47-…: blind44;
f48-…: blind45;
f49-…: blind46;
f50-…: blind47;
f51-…: blind48;
f52-…: blind49;
f53-…: blind50;
f54-…: blind51;
f55-…: blind52;
f56-…: blind53;
f57-…: blind54;
f58-…: blind55;
f59-…: blind56) batches, written without
sight of the bot's code, were split before they were first run.

A trade with no option of its own ("会修自行车修锁") is recorded as no skill and the person's words
kept as a note, the way a clerk writes it beside the form; 啥都行 is only for "anything goes".

Run: .venv/bin/python benchmarks/dialogs.py [--part dev|holdout|all] [--verbose] [--show ID]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select  # noqa: E402

from bot.app import build_dispatcher  # noqa: E402
from bot.dispatch import Dispatcher  # noqa: E402
from bot.messages import Kind, Reply, Update  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge import taxonomy  # noqa: E402
from knowledge.places import gazetteer  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import ChatAccount, Worker  # noqa: E402
from storage.seed import load_demo  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PERSONAS = DATA / "dialog_personas.json"
SPLIT = DATA / "dialog_split.json"
# Batches written apart, as named in the split ("<name>_batch").
BATCHES = ("fresh", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9", "blind10",
           "blind11", "blind12", "blind13", "blind14", "blind15", "blind16", "blind17", "blind18", "blind19", "blind20",
           "blind21", "blind22", "blind23", "blind24",
           "blind25", "blind26", "blind27", "blind28", "blind29", "blind30", "blind31",
           "blind32", "blind33", "blind34", "blind35", "blind36", "blind37", "blind38", "blind39", "blind40", "blind41",
           "blind42", "blind43", "blind44", "blind45", "blind46", "blind47", "blind48", "blind49", "blind50", "blind51",
           "blind52", "blind53", "blind54", "blind55", "blind56")
FIRST_BATCH = 66  # personas written and split before any tuning; the next ones up to the fresh batch came later
MAX_TURNS = 40
LIMIT = 150  # characters an elderly reader takes in at once
ORDINALS = "一二三四五六七八九十"

# What the bot is asking, told by words in its last message (checked in this order).
CUES = [
    ("done", ("登记好了", "已保存修改")),
    ("confirm", ("请核对",)),
    ("edit_pick", ("改哪一项",)),
    ("town", ("哪个乡镇",)),
    ("village", ("哪个村",)),
    ("age", ("多大岁数",)),
    ("skills", ("会做哪些活",)),
    ("availability", ("什么时候有空",)),
    ("travel", ("多远",)),
    ("job_push", ("有合适的活时",)),
    ("fair_push", ("要不要提前提醒",)),
]
OPTIONS = {"skills": taxonomy.skills, "availability": taxonomy.availability, "travel": taxonomy.travel_ranges}


@dataclass
class Run:
    persona: dict
    transcript: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False
    right: bool = False
    worst_streak: int = 0
    longest: int = 0
    wrong_fields: list[str] = field(default_factory=list)


def what_is_asked(reply: Reply) -> str | None:
    messages = reply.messages()
    if not messages:
        return None
    last = messages[-1]
    towns = set(gazetteer().names) | {t.short for t in gazetteer().towns}
    if reply.choices and all(c in towns or c == "都不是" for c in reply.choices):
        return "town_pick"
    for text in (last, reply.as_text()):
        for slot, cues in CUES:
            if any(cue in text for cue in cues):
                return slot
    return None


def by_choice(persona: dict, slot: str, reply: Reply) -> str:
    """Answer a numbered question from the choices shown, by number or by label."""
    want = persona["want"][slot if slot != "travel" else "travel"]
    if slot in ("job_push", "fair_push"):
        label_list = ["要"] if want else ["不要"]
    else:
        codes = want if isinstance(want, list) else [want]
        label_list = [OPTIONS[slot]().label(c) for c in codes]
    shown = list(reply.choices)
    if persona.get("numbers"):
        # what the list does not show is typed in words, as the question invites ("也可直接打字")
        picked = [str(shown.index(label) + 1) for label in label_list if label in shown]
        return " ".join(picked + [label for label in label_list if label not in shown])
    return "、".join(label_list)


def pick_town(persona: dict, reply: Reply) -> str:
    town = persona["want"]["town"]
    short = next(t.short for t in gazetteer().towns if t.name == town)
    shown = list(reply.choices)
    index = next((i for i, c in enumerate(shown) if c in (town, short)), None)
    style = persona.get("point", "number")
    if index is None:
        return "都不是" if style == "number" and "都不是" in shown else town
    answers: dict[str, str] = {"number": str(index + 1), "ordinal": f"第{ORDINALS[index]}个", "name": f"就是{short}",
                               "again": persona["say"]["town"][0], "full": town}
    return answers[style]


class User:
    """One persona answering whatever the bot asks, the way that person would."""

    def __init__(self, persona: dict):
        self.p = persona
        self.asked: dict[str, int] = {}
        self.detour_done = False
        self.change = persona.get("change")
        self.changing = False

    def answer(self, slot: str | None, reply: Reply) -> tuple[str, bool]:
        """The next message, and whether it answers the question asked."""
        p = self.p
        if slot is None:  # not a registration question: back to what the person came for
            return ("登记" if "登记" in reply.as_text() and "继续" not in reply.as_text() else "继续"), False
        self.asked[slot] = self.asked.get(slot, 0) + 1
        detour = p.get("detour")
        if detour and not self.detour_done and detour["slot"] == slot:
            self.detour_done = True
            self.asked[slot] -= 1
            return detour["text"], False
        if slot == "town_pick":
            return pick_town(p, reply), True
        if slot == "confirm":
            if self.change and not self.changing:
                self.changing = True
                return "修改", True
            return self._said("confirm") or "确认", True
        if slot == "edit_pick":
            return self.change["field"] if self.change else "返回", True
        if self.changing and self.change and self.change.get("answered") is None:
            self.change["answered"] = True
            return self.change["say"], True
        back = self._asked_back(slot, reply)
        if back:
            return back, True
        said = self._said(slot)
        if said:
            return said, True
        if reply.choices:
            return by_choice(p, slot, reply), True
        return str(p["age"]) if slot == "age" else "跳过", True

    def _asked_back(self, slot: str, reply: Reply) -> str | None:
        """A reading said back to be chosen from ("您说的是哪种：") or confirmed ("是“工厂”吗？"):
        the person says which is right, by number, as the question asks; None for any other question."""
        messages = reply.messages()
        # what the person wants now: the changed answer once the change at the summary is under way
        now = {**self.p, "want": expected(self.p)} if self.changing else self.p
        want = now["want"].get(slot)
        if slot not in OPTIONS or not reply.choices or not messages or not want:
            return None
        options = OPTIONS[slot]()
        if "您说的是哪种" in messages[-1]:
            meant = {options.label(c) for c in want}
            return next((str(i + 1) for i, c in enumerate(reply.choices) if set(c.split("、")) == meant), None)
        quoted = re.search(r"是“(.+?)”吗", messages[-1])
        if quoted is None:
            return None
        if set(quoted[1].split("、")) == {options.label(c).split("/")[0] for c in want}:
            return "是"
        return by_choice({**now, "numbers": True}, slot, reply)

    def _said(self, slot: str) -> str | None:
        options = self.p.get("say", {}).get(slot)
        if not options:
            return None
        said: str = options[min(self.asked.get(slot, 1), len(options)) - 1]
        return said


def expected(persona: dict) -> dict:
    want = dict(persona["want"])
    want.update(persona.get("want_after", {}))
    want["age"] = want.get("age", persona["age"])
    return want


def check(worker: Worker | None, persona: dict) -> list[str]:
    if worker is None:
        return ["no profile"]
    want = expected(persona)
    got = {"town": worker.town, "village": worker.village, "age": worker.age, "skills": sorted(worker.skills),
           "availability": sorted(worker.availability), "travel": worker.travel_range,
           "job_push": worker.want_job_push, "fair_push": worker.want_fair_push}
    wrong = []
    for key, value in want.items():
        target = sorted(value) if isinstance(value, list) else value
        if key == "age" and got["age"] is not None and abs(got["age"] - value) <= 1:
            continue
        if got.get(key) != target:
            wrong.append(f"{key}: {got.get(key)!r} ≠ {target!r}")
    return wrong


def converse(dispatcher: Dispatcher, persona: dict, clock: list[datetime]) -> Run:
    run = Run(persona)
    user_id = f"sim-{persona['id']}"
    user = User(persona)

    def send(text: str, kind: Kind = Kind.TEXT) -> Reply:
        clock[0] += timedelta(seconds=40)
        reply = dispatcher.dispatch(Update("console", user_id, kind, text)) or Reply()
        shown = reply.as_text()
        run.transcript.append((text, shown))
        run.longest = max(run.longest, len(shown))
        return reply

    reply = send("", Kind.SUBSCRIBE)
    for line in persona.get("start", ["登记"]):
        reply = send(line)
    streak, last_slot, answered = 1, None, False
    for _ in range(MAX_TURNS):
        slot = what_is_asked(reply)
        if slot == "done":
            run.finished = True
            break
        if slot is not None and slot == last_slot and answered:
            streak += 1
        elif slot is not None:
            streak = 1
        run.worst_streak = max(run.worst_streak, streak)
        text, answered = user.answer(slot, reply)
        last_slot = slot
        reply = send(text)
    with session_scope(dispatcher.engine) as session:
        account = session.exec(select(ChatAccount).where(col(ChatAccount.user_id) == user_id)).first()
        worker = session.get(Worker, account.worker_id) if account and account.worker_id else None
        run.wrong_fields = check(worker, persona) if run.finished else ["did not finish"]
    run.right = run.finished and not run.wrong_fields
    return run


def build(workdir: Path, clock: list[datetime]) -> Dispatcher:
    url = f"sqlite:///{workdir / 'dialogs.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, data_dir=workdir, background=False,
                        dispatch_processes=0)
    dispatcher = build_dispatcher(settings, engine=engine, clock=lambda: clock[0])
    with session_scope(engine) as session:
        load_demo(session, now=clock[0], tz=dispatcher.services.tz)
    return dispatcher


def report(name: str, runs: list[Run]) -> None:
    if not runs:
        return
    right = sum(r.right for r in runs)
    thrice = sum(r.worst_streak >= 3 for r in runs)
    longest = max(r.longest for r in runs)
    over = sum(r.longest > LIMIT for r in runs)
    wrong = Counter(w.split(":")[0] for r in runs for w in r.wrong_fields)
    print(f"{name:8} personas {len(runs):3}  finished right {right:3} ({100 * right / len(runs):5.1f} %)  "
          f"finished {sum(r.finished for r in runs):3}  asked 3× in a row {thrice:2}  "
          f"longest reply {longest:3} chars  dialogs with a reply > {LIMIT}: {over}  "
          f"wrong fields: {dict(wrong) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["dev", "holdout", "all"], default="all")
    parser.add_argument("--verbose", action="store_true", help="list every failed persona")
    parser.add_argument("--show", help="print one persona's whole dialog")
    args = parser.parse_args()
    personas = json.loads(PERSONAS.read_text("utf-8"))["personas"]
    split = json.loads(SPLIT.read_text("utf-8"))
    held = set(split["holdout"])
    # the batches written apart, newest last: each reported on its own line
    written_apart = {name: set(split.get(f"{name}_batch", [])) for name in BATCHES}
    clock = [datetime(2026, 3, 10, 1, 30, tzinfo=UTC)]
    with tempfile.TemporaryDirectory() as tmp:
        dispatcher = build(Path(tmp), clock)
        parts: dict[str, list[Run]] = {"dev": [], "holdout": []}
        batches: dict[str, dict[str, list[Run]]] = {
            part: {f"  {name}": [] for name in ("first", "later", *BATCHES)} for part in parts}
        for index, persona in enumerate(personas):
            part = "holdout" if persona["id"] in held else "dev"
            if args.part != "all" and part != args.part and persona["id"] != args.show:
                continue
            run = converse(dispatcher, persona, clock)
            parts[part].append(run)
            batch = "  " + next((name for name, ids in written_apart.items() if persona["id"] in ids),
                                "first" if index < FIRST_BATCH else "later")
            batches[part][batch].append(run)
            if args.show == persona["id"]:
                for said, answer in run.transcript:
                    print(f"> {said}\n{answer}\n")
                print("wrong:", run.wrong_fields)
            if args.verbose and (not run.right or run.worst_streak >= 3 or run.longest > LIMIT):
                print(f"  [{part}] {persona['id']}: streak {run.worst_streak}, longest {run.longest}, "
                      f"{'; '.join(run.wrong_fields)}")
        dispatcher.engine.dispose()
    for name, runs in parts.items():
        report(name, runs)
        for batch, batch_runs in batches[name].items():
            report(batch, batch_runs)


if __name__ == "__main__":
    main()
