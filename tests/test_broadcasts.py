"""Staff broadcasts: each audience filter, a double confirmation, a restart, stopping mid-way
and the delivery report, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from bot.outreach import broadcasts as outreach
from handlers.terms import match_terms
from storage import broadcasts as bc
from storage import outbox
from storage.db import make_engine, session_scope
from storage.fairs import add_fair
from storage.models import Broadcast, Job, Outbox, Worker, WorkerSkill, saved_id
from storage.sql import table_of

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
TERMS = match_terms()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def add_worker(session: Session, *, town: str = "华埠镇", skills: tuple[str, ...] = ("tea",), age: int = 45,
               subscribed: bool = True, registered: datetime = NOW - timedelta(days=100),
               want_fair_push: bool = True, travel_range: str = "town") -> int:
    worker = Worker(town=town, skills=list(skills), birth_year=NOW.year - age, age=age, availability=["anytime"],
                    travel_range=travel_range, subscribed=subscribed, want_fair_push=want_fair_push,
                    created_at=registered, updated_at=registered)
    session.add(worker)
    session.flush()
    session.add_all(WorkerSkill(worker_id=saved_id(worker), skill=s) for s in skills)
    assert worker.id is not None
    return worker.id


@pytest.fixture
def people(engine: Engine) -> dict[str, int]:
    """A small county: who is where, does what, how old, since when."""
    with session_scope(engine) as s:
        return {
            "huabu_tea_45": add_worker(s),
            "huabu_cook_62": add_worker(s, skills=("cook",), age=62),
            "huabu_tea_cook_38": add_worker(s, skills=("tea", "cook"), age=38, registered=NOW - timedelta(days=2)),
            "majin_build_55": add_worker(s, town="马金镇", skills=("construction",), age=55),
            "majin_tea_71": add_worker(s, town="马金镇", age=71, registered=NOW - timedelta(days=1)),
            "qiyang_tea_60": add_worker(s, town="芹阳办事处", age=60, travel_range="county"),
            "huabu_unsubscribed": add_worker(s, subscribed=False),
        }


def ids(engine: Engine, **audience: object) -> set[int]:
    with session_scope(engine) as s:
        return set(bc.audience_ids(s, bc.Audience.from_dict(audience), now=NOW, tz=TZ, terms=TERMS))


def test_audience_filters(engine: Engine, people: dict[str, int]) -> None:
    p = people
    subscribed = set(p.values()) - {p["huabu_unsubscribed"]}
    assert ids(engine) == subscribed
    assert ids(engine, towns=["华埠镇"]) == {p["huabu_tea_45"], p["huabu_cook_62"], p["huabu_tea_cook_38"]}
    assert ids(engine, towns=["华埠镇", "马金镇"]) == subscribed - {p["qiyang_tea_60"]}
    assert ids(engine, skills=["cook"]) == {p["huabu_cook_62"], p["huabu_tea_cook_38"]}
    assert ids(engine, skills=["construction", "cook"]) == {p["huabu_cook_62"], p["huabu_tea_cook_38"],
                                                           p["majin_build_55"]}
    assert ids(engine, age_bands=["60s"]) == {p["huabu_cook_62"], p["qiyang_tea_60"]}  # 60 is in, 59 would not be
    assert ids(engine, age_bands=["u40", "70up"]) == {p["huabu_tea_cook_38"], p["majin_tea_71"]}
    assert ids(engine, age_bands=["50s"]) == {p["majin_build_55"]}
    assert ids(engine, registered_since="2026-03-08") == {p["huabu_tea_cook_38"], p["majin_tea_71"]}
    assert ids(engine, towns=["华埠镇"], skills=["tea"], age_bands=["u40"]) == {p["huabu_tea_cook_38"]}  # all at once
    assert ids(engine, towns=["齐溪镇"]) == set()


def stored(session: Session, broadcast_id: int) -> Broadcast:
    """The broadcast; the test fails when there is none."""
    found = bc.get_broadcast(session, broadcast_id)
    assert found is not None
    return found


def test_audience_of_a_fair_is_the_people_its_jobs_suit(engine: Engine, people: dict[str, int]) -> None:
    with session_scope(engine) as s:
        tea = Job(source_key="tea", title="采茶", town="华埠镇", skills=["tea"], physical="轻")
        s.add(tea)
        s.flush()
        with_jobs = add_fair(s, kind="春风送岗", title="华埠专场", town="华埠镇", venue="华埠镇零工市场",
                             starts_at=NOW + timedelta(days=3), ends_at=None, now=NOW, job_ids=[saved_id(tea)])
        without = add_fair(s, kind="驻点招聘", title="驻点", town="马金镇", venue="马金",
                           starts_at=NOW + timedelta(days=3), ends_at=None, now=NOW)
        s.exec(update(Worker).where(col(Worker.id) == people["huabu_tea_45"]).values(want_fair_push=False))
        fair_ids = with_jobs.id, without.id
    p = people
    # the tea job in 华埠: tea people of 华埠, and the 芹阳 one who travels county-wide
    assert ids(engine, fair_id=fair_ids[0]) == {p["huabu_tea_45"], p["huabu_tea_cook_38"], p["qiyang_tea_60"]}
    assert ids(engine, fair_id=fair_ids[0], towns=["华埠镇"]) == {p["huabu_tea_45"], p["huabu_tea_cook_38"]}
    # a fair without jobs: whoever wants fair reminders
    assert ids(engine, fair_id=fair_ids[1]) == set(p.values()) - {p["huabu_unsubscribed"], p["huabu_tea_45"]}
    with session_scope(engine) as s:
        found = bc.reach(s, bc.Audience(fair_id=fair_ids[0]), now=NOW, tz=TZ, terms=TERMS)
        assert found.total == 3 and found.by_town == [("华埠镇", 2), ("芹阳办事处", 1)]


def test_bad_audiences_and_texts_are_refused(engine: Engine) -> None:
    with pytest.raises(bc.BroadcastError):
        bc.Audience.from_dict({"age_bands": ["teen"]})
    with pytest.raises(bc.BroadcastError):
        bc.Audience.from_dict({"registered_since": "yesterday"})
    with session_scope(engine) as s:
        for texts in ([], ["  "], ["a", "b", "c", "d"], ["字" * 601]):
            with pytest.raises(bc.BroadcastError):
                outreach.create_broadcast(s, texts=texts, audience=bc.Audience(), now=NOW)


def broadcast_rows(engine: Engine, broadcast_id: int) -> list[Outbox]:
    with session_scope(engine) as s:
        return list(s.exec(select(Outbox).where(col(Outbox.kind) == "broadcast", col(Outbox.ref_id) == broadcast_id)
                           .order_by(col(Outbox.worker_id))))


def test_a_double_confirmation_queues_nothing_more(engine: Engine, people: dict[str, int]) -> None:
    with session_scope(engine) as s:
        draft = outreach.create_broadcast(s, texts=["3月18日人力资源市场有招聘会。", "回复“招聘会”看详情。"],
                                    audience=bc.Audience(towns=("华埠镇",)), now=NOW)
        broadcast_id = saved_id(draft)
        assert draft.status == bc.DRAFT and not broadcast_rows(engine, broadcast_id)
    with session_scope(engine) as s:
        first = outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ)
    with session_scope(engine) as s:
        second = outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ)
    assert (first.queued, first.first) == (3, True) and (second.queued, second.first) == (0, False)
    queued = broadcast_rows(engine, broadcast_id)
    assert [r.idempotency_key for r in queued] == [f"broadcast:{broadcast_id}:{w}" for w in sorted(
        [people["huabu_tea_45"], people["huabu_cook_62"], people["huabu_tea_cook_38"]])]
    assert queued[0].payload == {"texts": ["3月18日人力资源市场有招聘会。", "回复“招聘会”看详情。"]}

    # a process that died after queuing and before anyone saw "queued": confirming again adds nobody twice
    with session_scope(engine) as s:
        s.exec(update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(status=bc.DRAFT))
    with session_scope(engine) as s:
        assert outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ).queued == 0
        assert stored(s, broadcast_id).queued == 3
    assert len(broadcast_rows(engine, broadcast_id)) == 3


def test_stopping_mid_way_keeps_what_was_sent_and_cancels_the_rest(engine: Engine) -> None:
    with session_scope(engine) as s:
        for _ in range(10):
            add_worker(s)
        broadcast_id = saved_id(outreach.create_broadcast(s, texts=["通知"], audience=bc.Audience(), now=NOW))
    with session_scope(engine) as s:
        assert outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ).queued == 10
    with session_scope(engine) as s:  # the delivery worker gets through four of them, one is mid-call
        taken = outbox.claim_due(s, now=NOW, limit=5, lease=timedelta(minutes=5))
        for row in taken[:4]:
            outbox.finish(s, outbox_id=saved_id(row), status=outbox.SENT, now=NOW)
        outbox.mark_sending(s, outbox_id=saved_id(taken[4]))
    with session_scope(engine) as s:
        assert outreach.stop_broadcast(s, broadcast_id=broadcast_id, now=NOW) == 5
    with session_scope(engine) as s:
        report = bc.report(s, broadcast_id=broadcast_id, now=NOW)
        assert report.counts == {"sent": 4, "sending": 1, "cancelled": 5}
        assert stored(s, broadcast_id).status == bc.STOPPED
        # stopped is final: a late confirm queues nothing
        assert outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ).queued == 0


def test_the_report_says_why_people_were_not_reached(engine: Engine) -> None:
    with session_scope(engine) as s:
        for _ in range(6):
            add_worker(s)
        broadcast_id = saved_id(outreach.create_broadcast(s, texts=["通知"], audience=bc.Audience(), now=NOW))
        outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ)
    rows = broadcast_rows(engine, broadcast_id)
    with session_scope(engine) as s:
        outbox.finish(s, outbox_id=saved_id(rows[0]), status=outbox.SENT, now=NOW)
        outbox.finish(s, outbox_id=saved_id(rows[1]), status=outbox.FAILED, now=NOW, error="43004 用户未关注")
        outbox.finish(s, outbox_id=saved_id(rows[2]), status=outbox.SKIPPED, now=NOW, error="已退订")
        outbox.finish(s, outbox_id=saved_id(rows[3]), status=outbox.SKIPPED, now=NOW, error="已退订")
        outbox.retry_later(s, outbox_id=saved_id(rows[4]), at=NOW + timedelta(hours=10), error="免打扰时段")
    with session_scope(engine) as s:
        report = bc.report(s, broadcast_id=broadcast_id, now=NOW)
    assert report.counts == {"sent": 1, "failed": 1, "skipped": 2, "pending": 2} and report.total == 6
    assert report.waiting == 1 and not report.finished
    assert report.reasons[0] == ("skipped", "已退订", 2) and ("failed", "43004 用户未关注", 1) in report.reasons
    assert ("pending", "免打扰时段", 1) in report.reasons and len(report.reasons) == 3
    as_dict = report.to_dict()
    assert as_dict["labels"]["sent"] == "已送达" and as_dict["reasons"][0]["count"] == 2


def test_queuing_many_is_quick_and_complete(engine: Engine) -> None:
    n = 3000
    with session_scope(engine) as s:
        s.connection().execute(table_of(Worker).insert(), [
            {"town": "华埠镇", "skills": [], "availability": [], "travel_range": "town", "want_job_push": True,
             "want_fair_push": True, "subscribed": True, "created_at": NOW, "updated_at": NOW} for _ in range(n)])
        broadcast_id = saved_id(outreach.create_broadcast(s, texts=["通知"], audience=bc.Audience(towns=("华埠镇",)),
                                                    now=NOW))
    with session_scope(engine) as s:
        assert outreach.confirm_broadcast(s, broadcast_id=broadcast_id, now=NOW, tz=TZ).queued == n
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Outbox)).one() == n
        assert outbox.counts(s, kind="broadcast", ref_id=broadcast_id) == {"pending": n}
