"""Recruitment fairs: the recurrence of the 8th and 18th, the next fairs around month ends and
on fair days, moving and cancelling with notices, reminders that survive restarts, and the
chat answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ChatHarness, Clock
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.outreach import fairs as fair_outreach
from bot.settings import Settings
from storage import fairs as fr
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import Broadcast, ChatAccount, Fair, FairChange, Job, Outbox, Worker, WorkerSkill, saved_id
from storage.sql import table_of

TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings()
NEIGHBOURS_OF_HUABU = ("芹阳办事处", "林山乡", "桐村镇", "大溪边乡", "村头镇")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def add_worker(session: Session, *, town: str = "华埠镇", skills: tuple[str, ...] = ("tea",), birth_year: int = 1980,
               subscribed: bool = True, want_fair_push: bool = True, user: str | None = None,
               travel_range: str = "town") -> int:
    worker = Worker(town=town, skills=list(skills), birth_year=birth_year, age=2026 - birth_year,
                    availability=["anytime"], travel_range=travel_range, subscribed=subscribed,
                    want_fair_push=want_fair_push, phone="13812345678")
    session.add(worker)
    session.flush()
    session.add_all(WorkerSkill(worker_id=saved_id(worker), skill=s) for s in skills)
    if user:
        account = session.exec(select(ChatAccount).where(col(ChatAccount.channel) == "console",
                                                         col(ChatAccount.user_id) == user)).first()
        account = account or ChatAccount(channel="console", user_id=user)
        account.worker_id = worker.id
        session.add(account)
    assert worker.id is not None
    return worker.id


def town_fair(session: Session, *, town: str, starts: datetime, title: str | None = None,
              job_ids: tuple[int, ...] = (), now: datetime | None = None) -> Fair:
    return fr.add_fair(session, kind="春风送岗", title=title or f"春风送岗·{town}专场", town=town,
                       venue=f"{town}零工市场", starts_at=starts, ends_at=starts + timedelta(hours=3),
                       now=now or starts - timedelta(days=30), job_ids=job_ids)


def rows(session: Session, **where: object) -> list[Outbox]:
    stmt = select(Outbox)
    for name, value in where.items():
        stmt = stmt.where(getattr(Outbox, name) == value)
    return list(session.exec(stmt.order_by(col(Outbox.id))))


# --- the recurrence ----------------------------------------------------------------------------------
def test_recurrence_from_a_day_past_the_18th_starts_next_month() -> None:
    assert fr.fixed_fair_dates(date(2028, 1, 20), date(2028, 4, 30)) == [
        date(2028, 2, 8), date(2028, 2, 18), date(2028, 3, 8), date(2028, 3, 18), date(2028, 4, 8), date(2028, 4, 18)]


@pytest.mark.parametrize("start,first", [
    (date(2028, 2, 18), date(2028, 2, 18)),  # the day itself is included
    (date(2028, 2, 19), date(2028, 3, 8)),  # a leap February's end
    (date(2028, 2, 29), date(2028, 3, 8)),
    (date(2027, 2, 28), date(2027, 3, 8)),
    (date(2027, 12, 31), date(2028, 1, 8)),  # the year's end
    (date(2026, 1, 9), date(2026, 1, 18)),
])
def test_recurrence_around_month_and_year_ends(start: date, first: date) -> None:
    assert fr.fixed_fair_dates(start, start + timedelta(days=40))[0] == first


def test_fixed_fairs_are_generated_ahead_once(engine: Engine) -> None:
    now = local(2028, 1, 20, 10, 0)
    with session_scope(engine) as s:
        assert fr.generate_fixed_fairs(s, now, TZ, SETTINGS) == 6  # 2028-02-08 … 2028-04-18
    with session_scope(engine) as s:
        assert fr.generate_fixed_fairs(s, now, TZ, SETTINGS) == 0
        fairs = s.exec(select(Fair).order_by(col(Fair.starts_at))).all()
        assert [f.source_key for f in fairs][:3] == ["fixed-2028-02-08", "fixed-2028-02-18", "fixed-2028-03-08"]
        first = fairs[0]
        assert first.starts_at == local(2028, 2, 8, 9, 0) and first.ends_at == local(2028, 2, 8, 12, 0)
        assert first.venue == SETTINGS.fair_venue and first.town == SETTINGS.fair_town


def test_a_moved_or_cancelled_fixed_fair_is_never_regenerated(engine: Engine) -> None:
    now = local(2028, 1, 20, 10, 0)
    with session_scope(engine) as s:
        fr.generate_fixed_fairs(s, now, TZ, SETTINGS)
        by_key = {f.source_key: f for f in s.exec(select(Fair))}
        # 2028-02-08 falls in the Spring Festival holiday: moved a week on; the 18th is cancelled
        fair_outreach.move_fair(s, fair_id=saved_id(by_key["fixed-2028-02-08"]), starts_at=local(2028, 2, 15, 9, 0),
                     reason="春节放假", now=now, tz=TZ)
        fair_outreach.cancel_fair(s, fair_id=saved_id(by_key["fixed-2028-02-18"]), now=now, tz=TZ)
    with session_scope(engine) as s:
        assert fr.generate_fixed_fairs(s, now + timedelta(days=1), TZ, SETTINGS) == 0
        feb = s.exec(select(Fair).where(col(Fair.starts_at) < local(2028, 3, 1))).all()
        assert sorted((f.starts_at.astimezone(TZ).day, f.status) for f in feb) == [(15, fr.MOVED), (18, fr.CANCELLED)]


# --- the next fairs ----------------------------------------------------------------------------------
def first_fair(engine: Engine, now: datetime) -> Fair:
    with session_scope(engine) as s:
        fr.ensure_fixed_fairs(s, now, TZ, SETTINGS)
        return fr.next_fairs(s, now=now, tz=TZ)[0]


@pytest.mark.parametrize("now,expected", [
    (local(2026, 3, 18, 8, 0), local(2026, 3, 18, 9, 0)),  # the morning of a fair day: today's
    (local(2026, 3, 18, 11, 59), local(2026, 3, 18, 9, 0)),  # still open
    (local(2026, 3, 18, 12, 0), local(2026, 4, 8, 9, 0)),  # closed: the 8th of next month
    (local(2026, 3, 18, 23, 0), local(2026, 4, 8, 9, 0)),
    (local(2026, 1, 31, 20, 0), local(2026, 2, 8, 9, 0)),  # a month's end
    (local(2026, 12, 18, 15, 0), local(2027, 1, 8, 9, 0)),  # the year's end
    (local(2026, 3, 8, 12, 30), local(2026, 3, 18, 9, 0)),
])
def test_next_fixed_fair_around_closing_time_and_month_ends(engine: Engine, now: datetime,
                                                            expected: datetime) -> None:
    assert first_fair(engine, now).starts_at == expected


def test_fairs_are_listed_by_date_and_a_near_one_keeps_a_place(engine: Engine) -> None:
    now = local(2026, 3, 18, 10, 0)
    with session_scope(engine) as s:
        fr.generate_fixed_fairs(s, now, TZ, SETTINGS)
        town_fair(s, town="马金镇", starts=local(2026, 3, 25, 9, 0))
        town_fair(s, town="桐村镇", starts=local(2026, 4, 2, 9, 0))
        town_fair(s, town="华埠镇", starts=local(2026, 4, 10, 9, 0))
        town_fair(s, town="华埠镇", starts=local(2026, 9, 10, 9, 0), title="太远的华埠专场")
    with session_scope(engine) as s:
        listed = fr.next_fairs(s, now=now, tz=TZ, town="华埠镇", neighbours=NEIGHBOURS_OF_HUABU, limit=6)
        dates = [f.starts_at.astimezone(TZ).date() for f in listed]
        assert dates == sorted(dates)  # the person's own town never breaks the date order
        assert dates == [date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 2), date(2026, 4, 8),
                         date(2026, 4, 10), date(2026, 4, 18)]
        # a short list keeps a place for a fair near the person within the next weeks, still by date
        short = fr.next_fairs(s, now=now, tz=TZ, town="华埠镇", neighbours=(), limit=3)
        assert [(f.town, f.starts_at.astimezone(TZ).date()) for f in short] == [
            ("芹阳办事处", date(2026, 3, 18)), ("马金镇", date(2026, 3, 25)), ("华埠镇", date(2026, 4, 10))]
        plain = fr.next_fairs(s, now=now, tz=TZ, limit=4)
        assert [f.starts_at.astimezone(TZ).date() for f in plain] == [
            date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 2), date(2026, 4, 8)]
        assert all(f.title != "太远的华埠专场" for f in fr.next_fairs(s, now=now, tz=TZ, town="华埠镇",
                                                                      neighbours=NEIGHBOURS_OF_HUABU, limit=3))


# --- moving and cancelling ---------------------------------------------------------------------------
def test_moving_a_fair_tells_everyone_who_was_told(engine: Engine) -> None:
    now = local(2026, 3, 1, 10, 0)
    with session_scope(engine) as s:
        fair = town_fair(s, town="华埠镇", starts=local(2026, 3, 18, 9, 0), now=now)
        a, b, c, d, e = (add_worker(s) for _ in range(5))
        broadcast = Broadcast(title="招聘会", texts=["3月18日华埠有招聘会"], audience={}, fair_id=fair.id,
                              status="queued")
        s.add(broadcast)
        s.flush()
        outbox.enqueue(s, [
            outbox.Push(key="r-a", worker_id=a, kind="fair", texts=("提醒",), ref_id=fair.id),
            outbox.Push(key="r-b", worker_id=b, kind="fair", texts=("提醒",), ref_id=fair.id),
            outbox.Push(key="r-d", worker_id=d, kind="fair", texts=("提醒",), ref_id=fair.id),
            outbox.Push(key="bc-c", worker_id=c, kind="broadcast", texts=("通知",), ref_id=broadcast.id),
            outbox.Push(key="other", worker_id=e, kind="fair", texts=("别的招聘会",), ref_id=saved_id(fair) + 100),
        ], now=now)
        s.exec(table_of(Outbox).update().where(col(Outbox.idempotency_key).in_(["r-a", "bc-c"]))
               .values(status="sent", sent_at=now))
        s.exec(table_of(Outbox).update().where(col(Outbox.idempotency_key) == "r-d")
               .values(status="failed", last_error="blocked"))
        fair_id = saved_id(fair)
    with session_scope(engine) as s:
        result = fair_outreach.move_fair(s, fair_id=fair_id, starts_at=local(2026, 3, 25, 9, 0), reason="下雨",
                                         now=now, tz=TZ)
        assert result.notified == 3 and result.change is not None
        change_id = result.change.id
    with session_scope(engine) as s:
        notices = rows(s, kind=fr.CHANGE_KIND)
        assert Counter(n.worker_id for n in notices) == Counter([a, b, c])
        assert {n.idempotency_key for n in notices} == {f"fair-change:{change_id}:{w}" for w in (a, b, c)}
        text = notices[0].payload["texts"][0]
        assert "改时间" in text and "3月18日" in text and "3月25日" in text and "下雨" in text
        assert rows(s, idempotency_key="r-b")[0].status == "cancelled"  # the old reminder says the old date
        assert rows(s, idempotency_key="r-a")[0].status == "sent"
        fair = s.get_one(Fair, fair_id)
        assert fair.status == fr.MOVED and fair.ends_at == local(2026, 3, 25, 12, 0)
    with session_scope(engine) as s:  # the same move again changes nothing and tells nobody
        again = fair_outreach.move_fair(s, fair_id=fair_id, starts_at=local(2026, 3, 25, 9, 0), now=now, tz=TZ)
        assert again.change is None and again.notified == 0
    with session_scope(engine) as s:
        cancelled = fair_outreach.cancel_fair(s, fair_id=fair_id, reason="场地维修", now=now, tz=TZ)
        assert cancelled.notified == 3
        assert fair_outreach.cancel_fair(s, fair_id=fair_id, now=now, tz=TZ).notified == 0
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(FairChange)).one() == 2
        last = s.exec(select(Outbox).where(col(Outbox.idempotency_key).startswith("fair-change:"))
                      .order_by(col(Outbox.id).desc())).first()
        assert last is not None and "取消" in last.payload["texts"][0]
        # the first move's notices still queued were replaced by the cancellation
        changes = rows(s, kind=fr.CHANGE_KIND)
        assert {r.status for r in changes if f":{change_id}:" in r.idempotency_key} == {"cancelled"}
        with pytest.raises(fr.FairError):
            fair_outreach.move_fair(s, fair_id=fair_id, starts_at=local(2026, 4, 1, 9, 0), now=now, tz=TZ)


def test_staff_cannot_move_a_fair_into_the_past_or_add_one_without_a_place(engine: Engine) -> None:
    now = local(2026, 3, 1, 10, 0)
    with session_scope(engine) as s:
        fair = town_fair(s, town="华埠镇", starts=local(2026, 3, 18, 9, 0), now=now)
        with pytest.raises(fr.FairError, match="过去"):
            fair_outreach.move_fair(s, fair_id=saved_id(fair), starts_at=local(2026, 2, 1, 9, 0), now=now, tz=TZ)
        with pytest.raises(fr.FairError, match="地点"):
            fr.add_fair(s, kind="驻点招聘", title="x", starts_at=local(2026, 3, 20, 9, 0), ends_at=None, now=now)
        with pytest.raises(fr.FairError, match="岗位"):
            fr.add_fair(s, kind="驻点招聘", title="x", venue="v", starts_at=local(2026, 3, 20, 9, 0), ends_at=None,
                        now=now, job_ids=[999])
        twice = [fr.add_fair(s, kind="直播带岗", title="直播", stream_url="https://live.example.invalid/1",
                             starts_at=local(2026, 3, 20, 19, 30), ends_at=None, now=now, source_key="console-abc")
                 for _ in range(2)]
        assert twice[0].id == twice[1].id  # a double click adds one fair


# --- reminders ---------------------------------------------------------------------------------------
def test_reminders_are_queued_once_even_across_restarts(db_url: str) -> None:
    eve = local(2026, 3, 17, 7, 0)
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        fr.generate_fixed_fairs(s, eve, TZ, SETTINGS)
        here = add_worker(s, town="芹阳办事处")
        away = add_worker(s, town="华埠镇")
        add_worker(s, town="芹阳办事处", want_fair_push=False)
        add_worker(s, town="芹阳办事处", subscribed=False)
        done = fair_outreach.queue_fair_reminders(s, eve, TZ, SETTINGS)
    assert done["eve"] == 2 and done["morning"] == 0
    engine.dispose()

    engine = make_engine(db_url)  # a restart: a new process, the same database
    with session_scope(engine) as s:
        assert fair_outreach.queue_fair_reminders(s, eve + timedelta(minutes=10), TZ, SETTINGS)["eve"] == 0
        reminders = rows(s, kind="fair")
        assert Counter(r.worker_id for r in reminders) == Counter([here, away])
        assert all(r.not_before == local(2026, 3, 17, 9, 0) for r in reminders)
        assert "3月18日（星期三）上午9点到中午12点" in reminders[0].payload["texts"][0]

    morning = local(2026, 3, 18, 6, 0)
    with session_scope(engine) as s:
        done = fair_outreach.queue_fair_reminders(s, morning, TZ, SETTINGS)
        assert done == {"eve": 0, "morning": 1, "expired": 0}  # only the market's own town
    with session_scope(engine) as s:
        assert fair_outreach.queue_fair_reminders(s, morning + timedelta(hours=1), TZ, SETTINGS)["morning"] == 0
        mornings = [r for r in rows(s, kind="fair") if ":morning:" in r.idempotency_key]
        assert [r.worker_id for r in mornings] == [here] and mornings[0].not_before == local(2026, 3, 18, 8, 0)

    with session_scope(engine) as s:  # the fair is over: what is still queued about it is dropped
        assert fair_outreach.queue_fair_reminders(s, local(2026, 3, 18, 12, 30), TZ, SETTINGS)["expired"] == 3
        assert {r.status for r in rows(s, kind="fair")} == {"cancelled"}
    engine.dispose()


def test_a_moved_fair_gets_reminders_for_its_new_date(engine: Engine) -> None:
    now = local(2026, 3, 10, 10, 0)
    with session_scope(engine) as s:
        fair = town_fair(s, town="华埠镇", starts=local(2026, 3, 11, 9, 0), now=now)
        worker = add_worker(s)
        assert fair_outreach.queue_fair_reminders(s, now, TZ)["eve"] == 1
        fair_outreach.move_fair(s, fair_id=saved_id(fair), starts_at=local(2026, 3, 13, 9, 0), now=now, tz=TZ)
    with session_scope(engine) as s:
        assert fair_outreach.queue_fair_reminders(s, local(2026, 3, 12, 10, 0), TZ)["eve"] == 1
        keys = [r.idempotency_key for r in rows(s, kind="fair", worker_id=worker)]
        assert any("2026-03-11" in k for k in keys) and any("2026-03-13" in k for k in keys)


# --- in the chat -------------------------------------------------------------------------------------
def register(chat: ChatHarness, **kw: Any) -> int:
    with session_scope(chat.engine) as s:
        return add_worker(s, user=chat.user, **kw)


def test_chat_on_the_18th_before_and_after_closing(chat: ChatHarness, clock: Clock) -> None:
    clock.now = local(2026, 3, 18, 10, 0)
    text = chat.say("招聘会")
    assert text.startswith("最近的招聘会（按日期）：\n1. 今天 3月18日上午（正在进行）")
    assert "回复编号看详情" in text and "登记以后" in text
    clock.now = local(2026, 3, 18, 12, 30)
    text = chat.say("下次招聘会")
    assert text.startswith("最近的招聘会（按日期）：\n1. 4月8日上午（最近一场）")
    assert "3月18日" not in text
    clock.now = local(2026, 4, 7, 20, 0)
    assert chat.say("啥时候有招聘会").startswith("最近的招聘会（按日期）：\n1. 明天 4月8日")


def test_chat_menu_entry_and_detail_with_matching_jobs(chat: ChatHarness, clock: Clock) -> None:
    clock.now = local(2026, 3, 10, 10, 0)
    register(chat, town="华埠镇", skills=("tea",), birth_year=1966)
    with session_scope(chat.engine) as s:
        tea = Job(source_key="j1", title="春茶采摘工", town="华埠镇", skills=["tea"], pay_amount=150, pay_unit="元/天",
                  physical="轻")
        build = Job(source_key="j2", title="泥工", town="华埠镇", skills=["construction"], physical="重")
        s.add_all([tea, build])
        s.flush()
        town_fair(s, town="华埠镇", starts=local(2026, 3, 12, 9, 0), job_ids=(saved_id(tea), saved_id(build)),
                  now=clock.now)
    menu = chat.say("菜单")
    assert "招聘会" in menu
    number = next(line.split()[1] for line in menu.splitlines() if line.endswith("招聘会"))
    listing = chat.say(number)
    assert listing.startswith("最近的招聘会（按日期）：\n1. 3月12日上午（最近一场） 春风送岗·华埠镇专场 · 在您的乡镇")
    detail = chat.say("1")
    assert "【春风送岗·华埠镇专场】" in detail and "地点：华埠镇零工市场" in detail
    assert "春茶采摘工" in detail and "泥工" not in detail  # only the jobs that suit this person
    assert "共2个岗位" in detail
    assert "请回复列表里的编号" in chat.say("9")  # a number off the list ends the list politely


def test_chat_detail_of_a_fair_cancelled_meanwhile(chat: ChatHarness, clock: Clock) -> None:
    clock.now = local(2026, 3, 10, 10, 0)
    chat.say("招聘会")
    with session_scope(chat.engine) as s:
        first = fr.next_fairs(s, now=clock.now, tz=TZ)[0]
        fair_outreach.cancel_fair(s, fair_id=saved_id(first), now=clock.now, tz=TZ)
    assert "取消了" in chat.say("1")


def test_chat_lists_fairs_as_they_are_now_however_they_were_changed(chat: ChatHarness, clock: Clock) -> None:
    """The fairs are kept in memory between messages: a fair cancelled with a plain SQL
    statement from another connection, or added, shows at the next 招聘会 all the same."""
    clock.now = local(2026, 3, 10, 10, 0)
    assert "1. 3月18日上午（最近一场）" in chat.say("招聘会")
    with chat.engine.begin() as conn:
        conn.execute(table_of(Fair).update().where(table_of(Fair).c.source_key == "fixed-2026-03-18")
                     .values(status=fr.CANCELLED))
    assert "1. 4月8日上午（最近一场）" in chat.say("招聘会")
    with session_scope(chat.engine) as s:
        town_fair(s, town="华埠镇", starts=local(2026, 3, 12, 9, 0), job_ids=(), now=clock.now)
    assert "1. 3月12日上午（最近一场） 春风送岗·华埠镇专场" in chat.say("招聘会")


def test_chat_turns_fair_reminders_off_and_on(chat: ChatHarness, clock: Clock) -> None:
    assert "登记以后" in chat.say("招聘会提醒")
    worker_id = register(chat)
    assert "不发招聘会提醒" in chat.say("不要招聘会提醒")
    with session_scope(chat.engine) as s:
        assert s.get_one(Worker, worker_id).want_fair_push is False
    assert "回复“招聘会提醒”" in chat.say("招聘会")
    assert "前一天会提醒您" in chat.say("招聘会提醒")
    with session_scope(chat.engine) as s:
        assert s.get_one(Worker, worker_id).want_fair_push is True


def test_asking_for_fairs_half_way_through_registration_keeps_the_registration(chat: ChatHarness,
                                                                              clock: Clock) -> None:
    clock.now = local(2026, 3, 10, 10, 0)
    chat.say("登记")
    chat.say("华埠")
    text = chat.say("招聘会")
    assert "3月18日" in text and "回复编号看详情" in text and "还没填完" in text
    assert "还没填完" in chat.say("1")  # a fair's detail; the registration waits
    assert "村" in chat.say("继续")  # back at the village question
