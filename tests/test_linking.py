"""绑定: one worker profile for a WeChat and a Telegram account, joined with a one-time code;
and `push_account`, which picks the one account a push goes to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ChatHarness, Clock, touch_account
from fakes.telegram_api import FakeTelegram
from fakes.telegram_chat import TelegramChat, telegram_chat
from sqlmodel import Session, col, select

from bot.channels.telegram import TelegramSender
from bot.channels.telegram.ratelimit import RateLimits
from bot.messages import Reply
from storage.accounts import LINK_ALL_GUESSES, LINK_CODE_EXPOSURE, link_account, push_account
from storage.db import make_engine, session_scope
from storage.models import ChatAccount, LinkCode, Worker, saved_id
from storage.workers import AccountRef, save_worker

REGISTRATION = ("登记", "华埠", "金星村", "58", "1", "1", "2", "1", "1", "1")


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def tg(db_url: str, tmp_path: Path, api: FakeTelegram, clock: Clock) -> Iterator[TelegramChat]:
    with telegram_chat(db_url, tmp_path, api, clock) as chat:
        yield chat


def register(send: Any) -> None:
    *steps, last = REGISTRATION
    for text in steps:
        send(text)
    assert "登记好了" in send(last)


def code_in(text: str) -> str:
    found = re.search(r"绑定码：(\d{8})", text)
    assert found, text
    return found.group(1)


def accounts(engine: Any) -> dict[tuple[str, str], int | None]:
    with Session(engine) as session:
        return {(a.channel, a.user_id): a.worker_id for a in session.exec(select(ChatAccount))}


def test_wechat_and_telegram_share_one_profile(tg: TelegramChat) -> None:
    wechat = ChatHarness(tg.dispatcher, channel="wechat", user="wx-openid-1")
    register(wechat.say)
    assert "回复“绑定”" in wechat.say("我的信息")
    code = code_in(wechat.say("绑定"))

    assert "绑定好了" in tg.say(f"绑定 {code}")
    assert "华埠镇 金星村" in tg.say("我的信息")
    linked = accounts(tg.engine)
    assert linked[("telegram", str(tg.chat_id))] == linked[("wechat", "wx-openid-1")] is not None
    with Session(tg.engine) as session:
        assert len(session.exec(select(Worker)).all()) == 1
        assert session.exec(select(LinkCode)).all() == []

    stranger = tg.other(9009)
    assert "不对，或者已经用过了" in stranger.say(f"绑定 {code}")  # single use
    assert accounts(tg.engine)[("telegram", "9009")] is None

    assert "已停止" in tg.say("退订")  # one profile: unsubscribing on Telegram stops WeChat pushes too
    assert "已退订" in wechat.say("我的信息")


def test_telegram_first_then_wechat(tg: TelegramChat) -> None:
    register(tg.say)
    texts = tg.send("绑定")
    code = code_in(texts[0])
    assert f"绑定 {code}" in texts[-1]
    wechat = ChatHarness(tg.dispatcher, channel="wechat", user="wx-openid-2")
    assert "绑定好了" in wechat.say(f"绑定{code}")
    assert "华埠镇" in wechat.say("我的信息")
    linked = accounts(tg.engine)
    assert linked[("wechat", "wx-openid-2")] == linked[("telegram", str(tg.chat_id))]


@pytest.fixture
def pair(sqlite_chat: ChatHarness) -> tuple[ChatHarness, ChatHarness]:
    """A registered WeChat person and a fresh Telegram account, both through the dispatcher."""
    wechat = ChatHarness(sqlite_chat.dispatcher, channel="wechat", user="wx-1")
    telegram = ChatHarness(sqlite_chat.dispatcher, channel="telegram", user="8001")
    register(wechat.say)
    return wechat, telegram


def test_wrong_expired_and_used_codes(pair: tuple[ChatHarness, ChatHarness], clock: Clock) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    assert "不对" in telegram.say(f"绑定 {wrong}")
    assert "8位数字" in telegram.say("绑定 1234")
    assert "8位数字" in telegram.say("绑定 123456")  # the six digits codes used to have
    assert "8位数字" in telegram.say("绑定 123456789")

    clock.now += timedelta(minutes=10, seconds=1)
    assert "过期" in telegram.say(f"绑定 {code}")
    assert accounts(wechat.engine)[("telegram", "8001")] is None

    code = code_in(wechat.say("绑定"))
    clock.now += timedelta(minutes=9)
    assert "绑定好了" in telegram.say(f"绑定 {code}")
    third = ChatHarness(wechat.dispatcher, channel="telegram", user="8002")
    assert "用过了" in third.say(f"绑定 {code}")


def test_guessing_codes_is_stopped_after_five_wrong_ones(pair: tuple[ChatHarness, ChatHarness], clock: Clock) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    wrong = [f"{(int(code) + n) % 10**8:08d}" for n in range(1, 6)]
    for guess in wrong[:4]:
        assert "不对" in telegram.say(f"绑定 {guess}")
    assert "输错太多次" in telegram.say(f"绑定 {wrong[4]}")
    assert "输错太多次" in telegram.say(f"绑定 {code}")  # even the right code waits
    other = ChatHarness(wechat.dispatcher, channel="telegram", user="8003")
    assert "不对" in other.say(f"绑定 {wrong[0]}")  # another account is not blocked
    clock.now += timedelta(minutes=9)
    assert "输错太多次" in telegram.say(f"绑定 {code}")
    clock.now += timedelta(minutes=52)  # the hour is over
    assert "绑定好了" in telegram.say(f"绑定 {code_in(wechat.say('绑定'))}")


def test_a_right_code_clears_the_wrong_ones_before_it(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    for n in range(1, 5):
        assert "不对" in telegram.say(f"绑定 {(int(code) + n) % 10**8:08d}")
    assert "绑定好了" in telegram.say(f"绑定 {code}")
    with Session(wechat.engine) as session:
        linked = session.exec(select(ChatAccount).where(col(ChatAccount.user_id) == "8001")).one()
    assert linked.link_failures == 0 and linked.link_blocked_until is None


def test_a_new_code_replaces_the_old_one(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    old = code_in(wechat.say("绑定"))
    new = code_in(wechat.say("绑定"))
    if old != new:
        assert "不对" in telegram.say(f"绑定 {old}")
    assert "绑定好了" in telegram.say(f"绑定 {new}")


def test_a_code_typed_on_its_own_account_is_not_spent(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    assert "不用再绑" in wechat.say(f"绑定 {code}")
    assert "绑定好了" in telegram.say(f"绑定 {code}")
    assert "用过了" in telegram.say(f"绑定 {code}")


@pytest.mark.parametrize("typed", ["绑定 {a}{b} {c}", "绑定 {wide}", "绑定  {a} {b} {c} ", "绑定码：{a}{b}{c}",
                                   "绑定 {chinese}", "綁定 {a}{b}{c}"])
def test_codes_typed_with_wide_digits_spaces_or_words(pair: tuple[ChatHarness, ChatHarness], typed: str) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    wide = "".join(chr(ord("０") + int(d)) for d in code)
    chinese = "".join("零一二三四五六七八九"[int(d)] for d in code)
    text = typed.format(a=code[:3], b=code[3:6], c=code[6:], wide=wide[:4] + " " + wide[4:], chinese=chinese)
    assert "绑定好了" in telegram.say(text)


def test_guesses_from_many_accounts_are_capped_together_and_void_the_codes_they_aim_at(
        pair: tuple[ChatHarness, ChatHarness], clock: Clock) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    wrong = iter(f"{(int(code) + n) % 10**8:08d}" for n in range(1, 1000))
    guessers = [ChatHarness(wechat.dispatcher, channel="telegram", user=f"90{n:02d}") for n in range(12)]
    answers = [g.say(f"绑定 {next(wrong)}") for g in guessers for _ in range(4)]  # 4 each: none is blocked
    assert "不对" in answers[0] and "不对" in answers[LINK_ALL_GUESSES - 1]
    assert all("人太多" in a for a in answers[LINK_ALL_GUESSES:])  # everyone waits now
    assert "人太多" in telegram.say(f"绑定 {code}")  # the right code too: a guess cannot be told apart
    clock.now += timedelta(minutes=10, seconds=1)  # the window is over
    assert "绑定好了" in telegram.say(f"绑定 {code_in(wechat.say('绑定'))}")


def test_a_code_is_void_once_strangers_typed_enough_wrong_ones(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    guessers = [ChatHarness(wechat.dispatcher, channel="telegram", user=f"91{n:02d}") for n in range(5)]
    for n in range(LINK_CODE_EXPOSURE):
        assert "不对" in guessers[n % 5].say(f"绑定 {(int(code) + n + 1) % 10**8:08d}")
    assert "不对" in telegram.say(f"绑定 {code}")


def test_unregistered_account_asking_for_a_code_is_told_how(pair: tuple[ChatHarness, ChatHarness]) -> None:
    _, telegram = pair
    reply = telegram.say("绑定")
    assert "还没有登记" in reply and "绑定 数字" in reply


def test_an_account_with_its_own_profile_must_confirm(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    register(telegram.say)
    code = code_in(wechat.say("绑定"))
    before = accounts(wechat.engine)
    assert "原来的信息会删除" in telegram.say(f"绑定 {code}")
    assert "没有绑定" in telegram.say("2")
    assert accounts(wechat.engine) == before

    assert "确定绑定吗" in telegram.say(f"绑定 {code}")
    assert "绑定好了" in telegram.say("1")
    after = accounts(wechat.engine)
    assert after[("telegram", "8001")] == after[("wechat", "wx-1")]
    with Session(wechat.engine) as session:
        assert [w.id for w in session.exec(select(Worker))] == [after[("wechat", "wx-1")]]  # the other one is gone


def test_linking_in_the_middle_of_registration_ends_it(pair: tuple[ChatHarness, ChatHarness]) -> None:
    wechat, telegram = pair
    code = code_in(wechat.say("绑定"))
    telegram.say("登记")
    telegram.say("华埠")
    reply = telegram.say(f"绑定 {code}")
    assert "绑定好了" in reply and "没填完" not in reply
    assert "华埠镇 金星村" in telegram.say("我的信息")


# --- push_account -----------------------------------------------------------------------------
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _worker_with(session: Session, *accounts: tuple[str, str, datetime | None]) -> int:
    worker_id: int | None = None
    for channel, user_id, heard in accounts:
        account = touch_account(session, channel=channel, user_id=user_id, now=heard or T0)
        if heard is None:
            account.last_inbound_at = None
        if worker_id is None:
            worker_id = saved_id(save_worker(session, account=AccountRef(saved_id(account), None), worker=None,
                                             fields={"town": "华埠镇"}))
        else:
            link_account(session, account=account, worker_id=worker_id)
        session.add(account)
    session.flush()
    assert worker_id is not None
    return worker_id


def _set(session: Session, channel: str, user_id: str, **values: Any) -> None:
    account = session.exec(select(ChatAccount).where(col(ChatAccount.channel) == channel,
                                                     col(ChatAccount.user_id) == user_id)).one()
    for name, value in values.items():
        setattr(account, name, value)
    session.add(account)
    session.flush()


def pushed_to(session: Session, worker_id: int | None) -> ChatAccount:
    """The account a push to the worker goes to; the test fails when there is none."""
    assert worker_id is not None
    account = push_account(session, worker_id=worker_id)
    assert account is not None
    return account


def test_push_goes_to_the_channel_used_last(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        me = _worker_with(session, ("wechat", "wx", T0), ("telegram", "77", T0 + timedelta(hours=1)))
        other = _worker_with(session, ("wechat", "wx-other", T0 + timedelta(days=1)))
        assert pushed_to(session, me).channel == "telegram"
        assert pushed_to(session, other).user_id == "wx-other"

        _set(session, "wechat", "wx", last_inbound_at=T0 + timedelta(hours=2))
        assert pushed_to(session, me).channel == "wechat"

        _set(session, "wechat", "wx", reachable=False)
        assert pushed_to(session, me).channel == "telegram"
        _set(session, "telegram", "77", reachable=False)
        assert push_account(session, worker_id=me) is None
    engine.dispose()


def test_push_prefers_an_account_heard_from_over_one_never_heard_from(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        me = _worker_with(session, ("telegram", "1", T0), ("wechat", "wx", None))
        assert pushed_to(session, me).channel == "telegram"
    engine.dispose()


async def test_a_blocked_telegram_account_sends_pushes_back_to_wechat(db_url: str, tmp_path: Path, api: FakeTelegram,
                                                                      clock: Clock) -> None:
    with telegram_chat(db_url, tmp_path, api, clock) as tg:
        wechat = ChatHarness(tg.dispatcher, channel="wechat", user="wx-9")
        register(wechat.say)
        code = code_in(wechat.say("绑定"))
        clock.now += timedelta(minutes=1)
        tg.send(f"绑定 {code}")
        worker_id = accounts(tg.engine)[("wechat", "wx-9")]
        with Session(tg.engine) as session:
            assert pushed_to(session, worker_id).channel == "telegram"

        api.block(tg.chat_id)
        sender = TelegramSender(_bot_for(api), engine=tg.engine,
                                limits=RateLimits(per_chat=100, overall=100))
        result = await sender.send(tg.chat_id, Reply.of("华埠镇有新的采茶活"))
        await sender.bot.request.shutdown()
        assert result.permanent
        with Session(tg.engine) as session:
            assert pushed_to(session, worker_id).channel == "wechat"


def _bot_for(api: FakeTelegram) -> Any:
    from bot.channels.telegram import make_bot
    from bot.settings import Settings

    return make_bot(Settings(telegram_token=api.token, telegram_api_base=api.url))
