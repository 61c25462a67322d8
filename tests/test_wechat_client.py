"""The outbound side against the fake WeChat API over real HTTP: the shared access_token,
refresh on 40001, retries, the 48-hour/5-message window and the template fallback, the menu."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import make_settings, touch_account
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from test_wechat_support import APPID, OPENID, SECRET, TOKEN, FakeApi, fake_api  # noqa: F401
from typer.testing import CliRunner

from bot.channels.base import SendResult
from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.delivery import WeChatMessenger, fill_template, template_fields
from bot.channels.wechat.menu import MENU, MENU_KEYS, click_keys
from bot.settings import Settings
from storage.db import make_engine, session_scope
from storage.models import ApiToken, ChatAccount, utcnow

CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATE = "/cgi-bin/message/template/send"
MessengerFactory = Callable[..., WeChatMessenger]


def how(result: SendResult) -> str:
    """How a message went, in the words of the tests below."""
    if not result.delivered:
        return "failed"
    return "sent_as_template" if result.template else "sent"


@pytest.fixture
async def messengers(db_url: str, tmp_path: Path, fake_api: FakeApi) -> AsyncIterator[MessengerFactory]:
    """Build messengers (each with its own client and engine, like separate processes)."""
    made: list[tuple[WeChatClient, Engine]] = []

    def make(**overrides: object) -> WeChatMessenger:
        settings = settings_for(db_url, tmp_path, fake_api, **overrides)
        engine = make_engine(db_url)
        client = WeChatClient(settings, engine, backoff=0.01)
        made.append((client, engine))
        return WeChatMessenger(client, engine, settings)

    yield make
    for client, engine in made:
        await client.aclose()
        engine.dispose()


def settings_for(db_url: str, tmp_path: Path, fake_api: FakeApi, **overrides: object) -> Settings:
    values: dict[str, object] = {"wechat_token": TOKEN, "wechat_appid": APPID, "wechat_secret": SECRET,
                                 "wechat_api_base": fake_api.url, "wechat_template_id": "TPL_JOB_NOTICE",
                                 **overrides}
    return make_settings(db_url, tmp_path, **values)


def person_wrote(messenger: WeChatMessenger, fake_api: FakeApi, openid: str = OPENID, *, hours_ago: float = 0) -> None:
    """The person messaged the account: WeChat's window and our count both open."""
    at = utcnow() - timedelta(hours=hours_ago)
    with session_scope(messenger.engine) as session:
        touch_account(session, channel="wechat", user_id=openid, now=at)
    fake_api.fake.user_wrote(openid, at=time.time() - hours_ago * 3600)


def account(messenger: WeChatMessenger, openid: str = OPENID) -> ChatAccount:
    with Session(messenger.engine) as session:
        return session.exec(select(ChatAccount).where(col(ChatAccount.user_id) == openid)).one()


# --- the access token ----------------------------------------------------------------------------
async def test_the_token_is_fetched_once_and_reused(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    results = [await messenger.send_text(OPENID, f"第{i}条") for i in range(3)]
    assert [how(r) for r in results] == ["sent"] * 3
    [fetch] = fake_api.fake.token_fetches()
    assert (fetch.path, fetch.force_refresh) == ("/cgi-bin/stable_token", False)


async def test_a_rejected_token_is_refreshed_once_and_the_call_repeated(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    assert how(await messenger.send_text(OPENID, "一")) == "sent"
    fake_api.fake.revoke_tokens()  # e.g. someone fetched a token with force_refresh elsewhere
    assert how(await messenger.send_text(OPENID, "二")) == "sent"
    assert [c.force_refresh for c in fake_api.fake.token_fetches()] == [False, True]
    assert [c.errcode for c in fake_api.fake.calls_to(CUSTOM)] == [0, 40001, 0]
    assert [m.text for m in fake_api.fake.messages_for(OPENID)] == ["一", "二"]


async def test_a_token_rejected_again_after_refresh_is_not_refreshed_in_a_loop(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    fake_api.fake.fail(CUSTOM, 42001, 42001)
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "failed" and result.code == "42001"
    assert len(fake_api.fake.calls_to(CUSTOM)) == 2
    assert len(fake_api.fake.token_fetches()) == 2
    assert account(messenger).window_sends == 0  # the slot was given back


async def test_a_token_near_expiry_is_renewed_before_use(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    await messenger.send_text(OPENID, "一")
    with session_scope(messenger.engine) as session:
        session.exec(update(ApiToken).values(expires_at=utcnow() + timedelta(seconds=120)))
    fresh = messengers()  # another process: it reads the row, not our memory
    await fresh.send_text(OPENID, "二")
    assert len(fake_api.fake.token_fetches()) == 2
    with Session(messenger.engine) as session:
        row = session.exec(select(ApiToken)).one()
    assert row.expires_at is not None and row.expires_at > utcnow() + timedelta(minutes=100) and row.lock_owner is None


async def test_two_clients_on_one_database_fetch_the_token_once(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    fake_api.fake.token_delay = 0.4
    first, second = messengers(), messengers()
    person_wrote(first, fake_api)
    results = await asyncio.gather(*(m.send_text(OPENID, f"{i}") for i, m in enumerate([first, second] * 2)))
    assert [how(r) for r in results] == ["sent"] * 4
    assert len(fake_api.fake.token_fetches()) == 1


PROCESS = textwrap.dedent("""
    import asyncio, sys, time
    from bot.channels.wechat.client import WeChatClient
    from bot.settings import Settings
    from storage.db import make_engine

    url, base, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    settings = Settings(database_url=url, wechat_appid="{appid}", wechat_secret="{secret}", wechat_api_base=base)

    async def main():
        client = WeChatClient(settings, make_engine(url))
        while time.time() < start:
            await asyncio.sleep(0.005)
        print(await client.tokens.get())
        await client.aclose()

    asyncio.run(main())
""")


def test_two_processes_on_one_database_fetch_the_token_once(db_url: str, fake_api: FakeApi) -> None:
    fake_api.fake.token_delay = 0.5
    code = PROCESS.format(appid=APPID, secret=SECRET)
    start = time.time() + 2.0  # both are past their imports by then and ask at the same moment
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url, fake_api.url, str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err.strip().splitlines()[-3:] for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    assert len(tokens) == 1 and next(iter(tokens)).startswith("ACCESS_TOKEN_")
    assert len(fake_api.fake.token_fetches()) == 1


async def test_wrong_credentials_fail_cleanly(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers(wechat_secret="not-the-secret")
    person_wrote(messenger, fake_api)
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "failed" and "40125" in (result.reason or "")
    assert account(messenger).window_sends == 0


# --- retries and failures ------------------------------------------------------------------------
async def test_system_busy_and_gateway_errors_are_retried(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    fake_api.fake.fail(CUSTOM, -1, 503)
    assert how(await messenger.send_text(OPENID, "一")) == "sent"
    assert [c.errcode for c in fake_api.fake.calls_to(CUSTOM)] == [-1, 503, 0]
    assert len(fake_api.fake.messages_for(OPENID)) == 1


async def test_a_500_on_a_send_is_not_repeated(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    fake_api.fake.fail(CUSTOM, 500)
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "failed" and not result.permanent
    assert len(fake_api.fake.calls_to(CUSTOM)) == 1


async def test_an_unreachable_api_fails_without_raising(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers(wechat_api_base="http://127.0.0.1:9")  # discard port: nothing listens
    person_wrote(messenger, fake_api)
    started = time.monotonic()
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "failed" and "unreachable" in (result.reason or "")
    assert time.monotonic() - started < 5


async def test_an_unfollowed_person_is_a_permanent_failure(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    fake_api.fake.unfollow(OPENID)
    result = await messenger.send_text(OPENID, "一")
    assert (how(result), result.permanent, result.code) == ("failed", True, "43004")
    assert account(messenger).reachable is False


async def test_an_unknown_openid_is_a_permanent_failure(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api, "oNobody_00000000000000000001")
    fake_api.fake.followers.clear()
    result = await messenger.send_text("oNobody_00000000000000000001", "一")
    assert (how(result), result.permanent, result.code) == ("failed", True, "40003")


# --- the customer-service window and the template fallback --------------------------------------
async def test_the_sixth_message_in_the_window_goes_as_a_template(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    results = [await messenger.send_text(OPENID,
                                         f"第{i}条：华埠镇茶厂招采茶工，日结150元，电话见详情") for i in range(6)]
    assert [how(r) for r in results] == ["sent"] * 5 + ["sent_as_template"]
    sent = fake_api.fake.messages_for(OPENID)
    assert [m.kind for m in sent] == ["custom"] * 5 + ["template"]
    assert sent[-1].data == {"thing1": "第5条：华埠镇茶厂招采茶工，日结150…"}
    assert len(fake_api.fake.calls_to(CUSTOM)) == 5  # our count said no before WeChat had to
    assert account(messenger).window_sends == 5


async def test_wechat_saying_quota_used_falls_back_to_a_template(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers(wechat_template_fields="thing1,thing2")
    person_wrote(messenger, fake_api)
    fake_api.fake.window_sends[OPENID] = 5  # e.g. sent by another system we do not count
    result = await messenger.send_text(OPENID, "招聘会：3月18日上午9点，县人力资源市场，带身份证")
    assert how(result) == "sent_as_template" and "45047" in (result.reason or "")
    [sent] = fake_api.fake.messages_for(OPENID)
    assert sent.data == {"thing1": "招聘会：3月18日上午9点，县人力资源市", "thing2": "场，带身份证"}
    assert account(messenger).window_sends == 5


async def test_a_window_closed_for_wechat_falls_back_to_a_template(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api)
    fake_api.fake.last_inbound[OPENID] -= 49 * 3600
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "sent_as_template" and "45015" in (result.reason or "")


async def test_a_window_closed_by_our_count_skips_the_custom_api(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers()
    person_wrote(messenger, fake_api, hours_ago=49)
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "sent_as_template"
    assert fake_api.fake.calls_to(CUSTOM) == []


async def test_without_a_template_a_closed_window_is_a_failure(
        messengers: MessengerFactory, fake_api: FakeApi) -> None:
    messenger = messengers(wechat_template_id=None)
    person_wrote(messenger, fake_api, hours_ago=49)
    result = await messenger.send_text(OPENID, "一")
    assert how(result) == "failed" and "no template" in (result.reason or "")
    assert fake_api.fake.messages_for(OPENID) == []


async def test_concurrent_sends_never_exceed_the_quota(messengers: MessengerFactory, fake_api: FakeApi) -> None:
    first, second = messengers(), messengers()
    person_wrote(first, fake_api)
    results = await asyncio.gather(*(m.send_text(OPENID, str(i)) for i, m in enumerate([first, second] * 4)))
    assert sorted(how(r) for r in results) == ["sent"] * 5 + ["sent_as_template"] * 3
    assert not [c for c in fake_api.fake.calls_to(CUSTOM) if c.errcode == 45047]


def test_template_fields_and_filling() -> None:
    assert template_fields("thing1, character_string2, keyword3:50") == [
        ("thing1", 20), ("character_string2", 32), ("keyword3", 50)]
    assert fill_template("短消息", [("thing1", 20), ("thing2", 20)]) == {"thing1": "短消息"}
    assert fill_template("一二三\n四五", [("thing1", 4)]) == {"thing1": "一二三…"}


# --- the menu ------------------------------------------------------------------------------------
def test_menu_has_the_six_click_keys_within_wechat_limits() -> None:
    assert click_keys() == list(MENU_KEYS) == ["登记", "找工作", "招聘会", "问政策", "我的信息", "更多服务"]


def test_menu_command_creates_the_menu_through_the_api(sqlite_url: str, tmp_path: Path, fake_api: FakeApi,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import app
    from bot.settings import get_settings

    for name, value in {"DATABASE_URL": sqlite_url, "DATA_DIR": str(tmp_path), "WECHAT_APPID": APPID,
                        "WECHAT_SECRET": SECRET, "WECHAT_API_BASE": fake_api.url}.items():
        monkeypatch.setenv(f"JOBBOT_{name}", value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["wechat", "menu"])
        assert result.exit_code == 0, result.output
        assert fake_api.fake.menu == MENU
        fake_api.fake.fail("/cgi-bin/menu/create", 40018)
        refused = CliRunner().invoke(app, ["wechat", "menu"])
        assert refused.exit_code == 1 and "40018" in refused.output
        assert len(fake_api.fake.token_fetches()) == 1  # the second run used the stored token
    finally:
        get_settings.cache_clear()
