"""The /wechat webhook over real HTTP: every message and event type, safe mode, retries,
the 5-second rule, and the full registration flow, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import time

import httpx
import pytest
import xmltodict
from sqlmodel import Session, col, select
from test_wechat_support import (  # noqa: F401  (fixtures)
    AES_KEY,
    APPID,
    OPENID,
    TOKEN,
    StartWebhook,
    fake_api,
    said,
    sqlite_webhook_factory,
    webhook_factory,
)
from wechatpy.crypto import WeChatCrypto

from bot.channels.sandbox.simulator import message_xml, sign
from bot.messages import Reply
from bot.router import Ctx, Router
from storage.models import InboundMessage, Worker

REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]


def _query(token: str = TOKEN) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "nonce123"
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


# --- the echostr check --------------------------------------------------------------------------
async def test_get_echoes_echostr_only_when_signed(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    async with httpx.AsyncClient() as http:
        good = await http.get(hook.url, params={**_query(), "echostr": "4815162342"})
        forged = await http.get(hook.url, params={**_query("wrong-token"), "echostr": "4815162342"})
        missing = await http.get(hook.url, params={"echostr": "4815162342"})
    assert (good.status_code, good.text) == (200, "4815162342")
    assert forged.status_code == 403 and "4815162342" not in forged.text
    assert missing.status_code == 403


# --- each message and event type --------------------------------------------------------------
async def test_text_gets_a_passive_text_reply_addressed_back(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.text(OPENID, "菜单")
    assert posted.status == 200
    reply = xmltodict.parse(posted.body)["xml"]
    assert reply["MsgType"] == "text" and reply["ToUserName"] == OPENID and reply["FromUserName"]
    assert "请问您想做什么" in reply["Content"] and "回复 1 登记找活" in reply["Content"]


async def test_voice_uses_recognition_or_asks_to_type(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    assert "哪个乡镇" in said(await hook.wechat.voice(OPENID, "登记"))
    assert "请打字" in said(await hook.wechat.voice("oOtherUser_000000000000002", None))
    assert "请打字" in said(await hook.wechat.voice("oOtherUser_000000000000003", ""))


class _Asr:
    """A recogniser standing in for a real speech engine (it would fetch the media by MediaId)."""

    def __init__(self, words: str | None):
        self.words = words
        self.heard: list[str] = []

    async def recognize(self, message) -> str:
        self.heard.append(message.media_id)
        if self.words is None:
            raise RuntimeError("speech service down")
        return self.words


async def test_a_plugged_in_recogniser_replaces_the_recognition_field(sqlite_webhook_factory: StartWebhook) -> None:
    asr = _Asr("登记")
    hook = sqlite_webhook_factory(recognizer=asr)
    assert "哪个乡镇" in said(await hook.wechat.voice(OPENID, None))
    assert len(asr.heard) == 1 and asr.heard[0].startswith("media_")


async def test_a_failing_recogniser_asks_to_type(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(recognizer=_Asr(None))
    posted = await hook.wechat.voice(OPENID, "登记")
    assert posted.status == 200 and "请打字" in said(posted)


async def test_location_message_answers_the_town_question(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    await hook.wechat.text(OPENID, "登记")
    posted = await hook.wechat.location(OPENID, 29.28, 118.38, "马金镇某地")
    assert "好的，马金镇" in said(posted)
    elsewhere = await hook.wechat.location("oOtherUser_000000000000002", 29.14, 118.41)
    assert "附近" in said(elsewhere)


@pytest.mark.parametrize("msg_type", ["image", "video", "shortvideo", "link", "file"])
async def test_media_gets_a_polite_please_type(sqlite_webhook_factory: StartWebhook, msg_type: str) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.message(OPENID, msg_type, {"MediaId": "m1", "Title": "t", "Url": "http://x"})
    assert posted.status == 200 and "请直接打字" in said(posted)


async def test_unknown_message_type_gets_a_polite_reply(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.message(OPENID, "hologram", {"Payload": "??"})
    assert posted.status == 200 and "请直接打字" in said(posted)


async def test_subscribe_welcomes_and_unsubscribe_marks_unreachable(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory()
    welcome = await hook.wechat.event(OPENID, "subscribe")
    assert "您好！我是开化县零工就业小助手" in said(welcome)
    assert hook.stored_account().reachable is True
    bye = await hook.wechat.event(OPENID, "unsubscribe", created=int(time.time()) + 1)
    assert (bye.status, bye.body) == (200, "success")
    assert hook.stored_account().reachable is False


@pytest.mark.parametrize(("key", "expected"), [("登记", "哪个乡镇"), ("我的信息", "您还没有登记")])
async def test_menu_click_runs_the_command_word(sqlite_webhook_factory: StartWebhook, key: str,
                                               expected: str) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.event(OPENID, "CLICK", key)
    assert expected in said(posted)


async def test_view_event_is_answered_success_without_dispatch(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.event(OPENID, "VIEW", "https://example.org/jobs")
    assert (posted.status, posted.body) == (200, "success")
    assert hook.account() is None


async def test_location_report_is_stored_and_answered_success(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory()
    posted = await hook.wechat.event(OPENID, "LOCATION", Latitude=29.28, Longitude=118.38, Precision=30.0)
    assert (posted.status, posted.body) == (200, "success")
    account = hook.stored_account()
    assert (account.latitude, account.longitude) == (29.28, 118.38)


async def test_subscribe_with_a_scene_is_a_subscribe(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.event(OPENID, "subscribe", "qrscene_huabu", Ticket="t")
    assert "您好！" in said(posted)


async def test_other_events_get_success(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    posted = await hook.wechat.event(OPENID, "TEMPLATESENDJOBFINISH", Status="success")
    assert (posted.status, posted.body) == (200, "success")


async def test_reply_text_cannot_break_out_of_cdata(sqlite_webhook_factory: StartWebhook) -> None:
    echo = Router("echo")

    @echo.command("复述", prefix=True)
    def repeat(ctx: Ctx) -> Reply:
        return Reply.of(f"您说：{ctx.update.text[2:]}")

    hook = sqlite_webhook_factory(routers=(echo,))
    posted = await hook.wechat.text(OPENID, "复述金星]]><MsgType>news</MsgType>村")
    reply = xmltodict.parse(posted.body)["xml"]
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "您说：金星]]><MsgType>news</MsgType>村"


# --- safe mode (AES) ---------------------------------------------------------------------------
async def test_safe_mode_round_trip_and_msg_signature(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory(wechat_aes_key=AES_KEY)
    posted = await hook.wechat.text(OPENID, "登记")
    assert "<Encrypt>" in posted.body and "哪个乡镇" not in posted.body
    assert "哪个乡镇" in said(posted)  # the simulator decrypted it with the same key

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    xml = message_xml(OPENID, "text", {"Content": "华埠"}, created=int(time.time()), msg_id=77)
    now = str(int(time.time()))
    sealed = xmltodict.parse(crypto.encrypt_message(xml, "n1", now))["xml"]
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    query = {"signature": sign(TOKEN, now, "n1"), "timestamp": now, "nonce": "n1", "encrypt_type": "aes"}
    async with httpx.AsyncClient() as http:
        forged = await http.post(hook.url, params={**query, "msg_signature": "0" * 40}, content=body)
        missing = await http.post(hook.url, params=query, content=body)
        good = await http.post(hook.url, params={**query, "msg_signature": sealed["MsgSignature"]}, content=body)
    assert forged.status_code == 403 and missing.status_code == 403
    assert good.status_code == 200
    inner = xmltodict.parse(good.text)["xml"]
    plain = crypto.decrypt_message(good.text, inner["MsgSignature"], inner["TimeStamp"], inner["Nonce"])
    assert "好的，华埠镇" in plain


async def test_compatible_mode_accepts_plaintext_too(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_aes_key=AES_KEY, wechat_encrypt_mode="compatible")
    hook.wechat.crypto = None  # WeChat in plain mode while the key is still configured
    posted = await hook.wechat.text(OPENID, "菜单")
    assert "请问您想做什么" in said(posted) and "<Encrypt>" not in posted.body


async def test_safe_mode_refuses_a_plaintext_body(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_aes_key=AES_KEY)  # safe mode is the default with a key
    hook.wechat.crypto = None  # a signed query reused with a plaintext body of one's own
    posted = await hook.wechat.text(OPENID, "我的信息")
    assert posted.status == 403 and hook.account() is None


# --- retries -----------------------------------------------------------------------------------
def _counting_router(calls: list[str]) -> Router:
    router = Router("counting")

    @router.command("计数")
    def count(ctx: Ctx) -> Reply:
        calls.append(ctx.update.dedup_key or "")
        return Reply.of(f"第{len(calls)}次")

    return router


async def test_a_retried_msgid_is_handled_once(webhook_factory: StartWebhook) -> None:
    calls: list[str] = []
    hook = webhook_factory(routers=(_counting_router(calls),))
    first = await hook.wechat.text(OPENID, "计数", msg_id=9001)
    again = await hook.wechat.text(OPENID, "计数", msg_id=9001)
    other = await hook.wechat.text(OPENID, "计数", msg_id=9002)
    assert (first.reply, again.reply, other.reply) == ("第1次", "第1次", "第2次")
    assert calls == [f"{OPENID}:9001", f"{OPENID}:9002"]


async def test_someone_else_s_msgid_is_not_their_retry(webhook_factory: StartWebhook) -> None:
    calls: list[str] = []
    hook = webhook_factory(routers=(_counting_router(calls),))
    mine = await hook.wechat.text(OPENID, "计数", msg_id=4242)
    theirs = await hook.wechat.text("oSomeoneElse_000000000000001", "计数", msg_id=4242)
    assert (mine.reply, theirs.reply) == ("第1次", "第2次")  # handled for them, not my stored reply


async def test_a_retried_registration_answer_does_not_advance_twice(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory()
    await hook.wechat.text(OPENID, "登记", msg_id=1)
    town = await hook.wechat.text(OPENID, "华埠", msg_id=2)
    retry = await hook.wechat.text(OPENID, "华埠", msg_id=2)
    assert retry.reply == town.reply and "哪个村" in said(town)
    conversation = hook.conversation()
    assert conversation is not None and conversation.step == "village"


async def test_retried_events_are_handled_once(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    created = int(time.time())
    first = await hook.wechat.event(OPENID, "subscribe", created=created)
    again = await hook.wechat.event(OPENID, "subscribe", created=created)
    assert first.reply == again.reply
    with Session(hook.engine) as session:
        keys = session.exec(select(col(InboundMessage.dedup_key))).all()
    assert keys == [f"{OPENID}:{created}:subscribe"]


# --- the 5-second rule -------------------------------------------------------------------------
def _slow_router(seconds: float, runs: list[int]) -> Router:
    router = Router("slow")

    @router.command("慢慢来")
    def slow(ctx: Ctx) -> Reply:
        runs.append(1)
        time.sleep(seconds)
        return Reply.of("让您久等了，这是回复。")

    return router


@pytest.mark.parametrize("retry_lands_elsewhere", [False, True])
async def test_a_slow_handler_replies_later_through_the_api_once(webhook_factory: StartWebhook,
                                                                 retry_lands_elsewhere: bool) -> None:
    runs: list[int] = []
    hook = webhook_factory(routers=(_slow_router(1.2, runs),), wechat_reply_budget=0.3)
    created = int(time.time()) - 5  # a retry carries the first attempt's MsgId and CreateTime
    started = time.monotonic()
    first = await hook.wechat.text(OPENID, "慢慢来", msg_id=5001, created=created)
    assert (first.status, first.body) == (200, "success")
    assert time.monotonic() - started < 1.0
    during = await hook.wechat.text(OPENID, "慢慢来", msg_id=5001, created=created)  # while it runs
    assert during.body == "success"
    for _ in range(100):
        if hook.fake.messages_for(OPENID):
            break
        await asyncio.sleep(0.05)
    if retry_lands_elsewhere:  # another process, which knows only what the database says
        hook.channel.replies._late_here.clear()
    after = await hook.wechat.text(OPENID, "慢慢来", msg_id=5001, created=created)  # once it is done
    assert after.body == "success"
    await asyncio.sleep(0.3)
    [sent] = hook.fake.messages_for(OPENID)
    assert (sent.kind, sent.text) == ("custom", "让您久等了，这是回复。")
    assert runs == [1]
    assert hook.stored_account().window_sends == 1  # the late reply used one customer-service slot


async def test_a_fast_handler_within_budget_is_passive(sqlite_webhook_factory: StartWebhook) -> None:
    runs: list[int] = []
    hook = sqlite_webhook_factory(routers=(_slow_router(0.2, runs),), wechat_reply_budget=2.0)
    posted = await hook.wechat.text(OPENID, "慢慢来")
    assert posted.reply == "让您久等了，这是回复。"
    assert hook.fake.messages_for(OPENID) == []


# --- the whole registration over /wechat ------------------------------------------------------
async def test_full_registration_over_wechat(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory()
    welcome = await hook.wechat.event(OPENID, "subscribe")
    assert "您好" in said(welcome)
    replies = [said(await hook.wechat.text(OPENID, line)) for line in REGISTRATION]
    assert "哪个乡镇" in replies[0] and "哪个村" in replies[1]
    assert "请核对" in replies[8] and "华埠镇 金星村" in replies[8]
    assert "登记好了" in replies[9]
    with Session(hook.engine) as session:
        [worker] = session.exec(select(Worker)).all()
    assert (worker.town, worker.village, worker.age) == ("华埠镇", "金星村", 62)
    assert hook.stored_account().worker_id == worker.id
    info = await hook.wechat.event(OPENID, "CLICK", "我的信息")
    assert "华埠镇 金星村" in said(info)


def test_signature_helper_matches_wechat() -> None:
    assert sign("t", "1", "n") == hashlib.sha1("".join(sorted(["t", "1", "n"])).encode()).hexdigest()
