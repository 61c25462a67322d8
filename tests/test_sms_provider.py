"""The SMS and voice provider clients: the real Alibaba Cloud SDKs against the fake provider on
loopback HTTP (success, throttling, per-number daily limit, wrong template, bad keys, no answer),
and the provider's callbacks (SmsReport, SmsUp, VoiceReport) POSTed to a receiver over HTTP."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.server import serving
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.channels.aliyun import MAX_CALLBACK_BODY, BadCallback
from bot.channels.phone_templates import render, templates, trim, variables
from bot.channels.sandbox.fake_aliyun import PARAM_LIMIT, FakeAliyun, create_fake_aliyun
from bot.channels.sms import provider as sms
from bot.channels.sms.text import ONE
from bot.channels.voice import provider as voice
from bot.settings import Settings

KEY_ID, KEY_SECRET, SIGN = "LTAI_test_key_id", "test-secret-never-logged", "开化就业"
PHONE, OTHER = "13905701234", "13905705678"
TEMPLATES = {
    "SMS_100001": "您的家人为您登记了开化零工就业小助手，验证码${code}，请告诉家人。",
    "SMS_100002": "${town}有新活：${title}，${pay}。回T退订",
    "SMS_100003": "开化就业通知：${text}。回T退订",
    "SMS_100004": templates("sms")["fair"].text,
    "TTS_200001": "您好，这里是开化县人力社保局。${when}，${venue}有招聘会，欢迎来看看。",
}


@dataclass
class Receiver:
    """The bot's side of the callbacks, as the channels branch serves them: parsed, or 400."""

    url: str = ""
    reports: list[sms.SmsReport] = field(default_factory=list)
    replies: list[sms.SmsUp] = field(default_factory=list)
    calls: list[voice.VoiceReport] = field(default_factory=list)


def receiver_app(got: Receiver) -> Starlette:
    def route(path: str, parse: Any, into: list[Any]) -> Route:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                into.extend(parse(await request.body()))
            except BadCallback as error:
                return JSONResponse({"code": 1, "msg": str(error)}, status_code=400)
            return JSONResponse({"code": 0, "msg": "成功"})
        return Route(path, endpoint, methods=["POST"])

    return Starlette(routes=[route("/sms/report", sms.parse_reports, got.reports),
                             route("/sms/up", sms.parse_uplink, got.replies),
                             route("/voice/report", voice.parse_reports, got.calls)])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()
    with serving(receiver_app(got), lifespan="off") as url:
        got.url = url
        yield got


@pytest.fixture
def fake(receiver: Receiver) -> Iterator[FakeAliyun]:
    provider = FakeAliyun(KEY_ID, KEY_SECRET, templates=TEMPLATES, sign_names={SIGN}, callback_base=receiver.url,
                          daily_limit=3)
    with serving(create_fake_aliyun(provider), lifespan="off") as url:
        provider.url = url
        yield provider


def settings_for(fake: FakeAliyun, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "sms_endpoint": fake.url,
        "voice_endpoint": fake.url,
        "sms_access_key_id": KEY_ID, "sms_access_key_secret": KEY_SECRET, "sms_sign_name": SIGN,
        "sms_template_consent": "SMS_100001", "sms_template_job": "SMS_100002", "sms_template_notice": "SMS_100003",
        "sms_template_fair": "SMS_100004",
        "voice_template_fair": "TTS_200001", "voice_show_number": "057112345678", **overrides}
    return Settings(**values)


@pytest.fixture
def texts(fake: FakeAliyun) -> sms.SmsProvider:
    return sms.SmsProvider.from_settings(settings_for(fake))


@pytest.fixture
def calls(fake: FakeAliyun) -> voice.VoiceProvider:
    return voice.VoiceProvider.from_settings(settings_for(fake))


# --- sending ------------------------------------------------------------------------------------

async def test_an_sms_is_sent_with_signature_template_and_parameters(fake: FakeAliyun, texts: sms.SmsProvider,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = await texts.send(PHONE, "SMS_100001", {"code": 482913}, out_id="outbox-7")
    assert result.ok and result.code == "OK" and not result.throttled and not result.permanent
    [got] = fake.received
    assert got.kind == "sms" and got.phone == PHONE and got.biz_id == result.biz_id and got.out_id == "outbox-7"
    assert got.text == "【开化就业】您的家人为您登记了开化零工就业小助手，验证码482913，请告诉家人。"
    assert got.params == {"code": "482913"}  # numbers go as strings, as the provider requires
    logged = caplog.text
    assert "139****1234" in logged and PHONE not in logged and KEY_SECRET not in logged and "482913" not in logged


FAIR = {"title": "3月定期招聘会", "date": "3月18日", "time": "上午9点", "place": "县人力资源市场", "text": "明天招聘会"}


def test_each_kind_fills_its_own_template_or_the_notice(texts: sms.SmsProvider, calls: voice.VoiceProvider) -> None:
    fair = texts.templates.fill("fair", FAIR)
    assert fair is not None and (fair.code, fair.params) == (
        "SMS_100004", {"date": "3月18日", "time": "上午9点", "place": "县人力资源市场"})  # only its own variables
    assert fair.text == "招聘会提醒：3月18日上午9点，在县人力资源市场，欢迎来找活。回T退订"
    consent = texts.templates.fill("consent", {"code": "123456", "text": "验证码123456"})
    assert consent is not None and (consent.code, consent.params) == ("SMS_100001", {"code": "123456"})
    # a push without its kind's fields, or a kind without a template of its own: the notice, with its words
    for kind in ("fair", "broadcast", "course"):
        notice = texts.templates.fill(kind, {"text": "明天招聘会"})
        assert notice is not None and (notice.code, notice.params) == ("SMS_100003", {"text": "明天招聘会"})
    assert calls.templates.fill("consent", {"code": "123456"}) is None  # no TTS consent template set
    call = calls.templates.fill("fair", FAIR)
    assert call is not None and call.params == {"date": "3月18日", "time": "上午9点", "place": "县人力资源市场"}


def test_long_fields_are_trimmed_to_each_variables_limit_and_one_message() -> None:
    job = templates("sms")["job"]
    params = job.fill({"title": "高山有机茶园春茶采摘及鲜叶分拣包装临时工", "place": "苏庄镇古田村毛坦自然村",
                       "pay": "每天150元另加计件奖励", "contact": "村干部"})
    assert params is not None and all(len(params[name]) <= limit for name, limit in job.limits.items())
    assert params["title"] == "高山有机茶园春茶采摘…" and params["place"].endswith("…")
    empty_place = {"title": "采茶", "place": " ", "pay": "面议", "contact": "村干部"}
    assert job.fill(empty_place) is None  # an empty variable is refused
    assert trim("县人力资源市场", 7) == "县人力资源市场" and trim("县人力资源市场", 6) == "县人力资源…"


@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_every_template_fits_the_providers_rules(channel: str) -> None:
    """Each variable within the provider's limit, and an SMS with every variable at its longest
    still one message with the signature."""
    cap = PARAM_LIMIT["SendSms" if channel == "sms" else "SingleCallByTts"]
    for template in templates(channel).values():
        assert set(template.limits) == set(variables(template.text)) and max(template.limits.values()) <= cap
        longest = render(template.text, {name: "字" * limit for name, limit in template.limits.items()})
        assert channel == "voice" or len(f"【{'签' * 15}】{longest}") <= ONE, template.kind  # as README says
        assert channel == "voice" or template.kind == "consent" or longest.endswith("回T退订")


async def test_throttling_is_a_later_not_a_never(fake: FakeAliyun, texts: sms.SmsProvider) -> None:
    fake.fail("SendSms", "isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isv.DAY_LIMIT_CONTROL")
    minute = await texts.send(PHONE, "SMS_100003", {"text": "明天招聘会"})
    assert (minute.ok, minute.throttled, minute.permanent) == (False, True, False)
    assert minute.code == "isv.BUSINESS_LIMIT_CONTROL" and minute.retry_after == 60
    api = await texts.send(PHONE, "SMS_100003", {"text": "明天招聘会"})  # HTTP 400, raised by the SDK
    assert (api.ok, api.throttled, api.permanent, api.code) == (False, True, False, "Throttling.User")
    assert api.retry_after == 1
    account_day = await texts.send(PHONE, "SMS_100003", {"text": "明天招聘会"})
    assert account_day.throttled and account_day.retry_after is not None and 0 < account_day.retry_after <= 86400
    assert fake.received == []
    assert (await texts.send(PHONE, "SMS_100003", {"text": "明天招聘会"})).ok
    fake.fail("SendSms", ("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"))
    assert (await texts.send(PHONE, "SMS_100003", {"text": "明天招聘会"})).retry_after == 3600


async def test_a_numbers_daily_limit_holds_it_until_tomorrow(fake: FakeAliyun, texts: sms.SmsProvider) -> None:
    for _ in range(3):
        assert (await texts.send(PHONE, "SMS_100003", {"text": "通知"})).ok
    held = await texts.send(PHONE, "SMS_100003", {"text": "通知"})
    assert held.throttled and not held.permanent and held.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert "天级" in held.message and held.retry_after is not None and held.retry_after > 60
    assert (await texts.send(OTHER, "SMS_100003", {"text": "通知"})).ok  # another number is not held
    assert len(fake.sent_to(PHONE)) == 3


async def test_a_wrong_template_or_parameters_never_go(fake: FakeAliyun, texts: sms.SmsProvider) -> None:
    wrong = await texts.send(PHONE, "SMS_999999", {"code": "1"})
    assert (wrong.ok, wrong.permanent, wrong.throttled, wrong.code) == (False, True, False, "isv.SMS_TEMPLATE_ILLEGAL")
    missing = await texts.send(PHONE, "SMS_100002", {"town": "华埠镇"})
    assert missing.permanent and missing.code == "isv.TEMPLATE_MISSING_PARAMETERS"
    too_long = await texts.send(PHONE, "SMS_100003", {"text": "长" * 36})
    assert too_long.permanent and too_long.code == "isv.PARAM_LENGTH_LIMIT"
    extra = await texts.send(PHONE, "SMS_100001", {"code": "1", "content": "验证码1"})
    assert extra.permanent and extra.code == "isv.INVALID_PARAMETERS"
    unsigned = sms.SmsProvider.from_settings(settings_for(fake, sms_sign_name="别的签名"))
    assert (await unsigned.send(PHONE, "SMS_100001", {"code": "1"})).code == "isv.SMS_SIGNATURE_ILLEGAL"
    assert fake.received == []
    assert (await texts.send(PHONE, "SMS_100003", {"text": "长" * 35})).ok  # at the limit it goes


async def test_numbers_that_are_not_mobiles(fake: FakeAliyun, texts: sms.SmsProvider) -> None:
    local = await texts.send("0570-1234567", "SMS_100001", {"code": "1"})
    assert local.permanent and local.code == "isv.MOBILE_NUMBER_ILLEGAL" and fake.calls == []  # not paid for
    remote = await texts.send("12000000000", "SMS_100001", {"code": "1"})  # looks right, the provider refuses
    assert remote.permanent and remote.code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert fake.calls == [("SendSms", "isv.MOBILE_NUMBER_ILLEGAL")]


async def test_wrong_keys_are_the_accounts_fault_not_the_messages(fake: FakeAliyun) -> None:
    stranger = sms.SmsProvider.from_settings(settings_for(fake, sms_access_key_id="LTAI_someone_else"))
    unknown = await stranger.send(PHONE, "SMS_100001", {"code": "1"})
    assert (unknown.ok, unknown.permanent, unknown.throttled) == (False, False, False)
    assert unknown.code == "InvalidAccessKeyId.NotFound"
    forged = sms.SmsProvider.from_settings(settings_for(fake, sms_access_key_secret="not-the-secret"))
    assert (await forged.send(PHONE, "SMS_100001", {"code": "1"})).code == "SignatureDoesNotMatch"
    unset = await sms.SmsProvider.from_settings(settings_for(fake, sms_access_key_id=None)).send(PHONE, "SMS_100001")
    assert (unset.ok, unset.permanent, unset.code) == (False, False, "InvalidCredentials")  # the SDK refuses
    assert fake.received == [] and len(fake.calls) == 2


def test_an_unsigned_request_is_refused(fake: FakeAliyun) -> None:
    answer = httpx.post(fake.url + "/", params={
        "PhoneNumbers": PHONE, "SignName": SIGN, "TemplateCode": "SMS_100001"},
        headers={"x-acs-action": "SendSms", "x-acs-version": "2017-05-25"})
    assert answer.status_code == 400 and answer.json()["Code"] == "IncompleteSignature"
    assert fake.received == []


async def test_no_answer_is_a_passing_fault() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = Settings(sms_endpoint=f"http://127.0.0.1:{port}", sms_access_key_id=KEY_ID,
                        sms_access_key_secret=KEY_SECRET, sms_sign_name=SIGN)
    result = await sms.SmsProvider.from_settings(settings).send(PHONE, "SMS_100001", {"code": "1"})
    assert (result.ok, result.permanent, result.throttled) == (False, False, False)


async def test_polling_the_status_of_a_message(fake: FakeAliyun, texts: sms.SmsProvider) -> None:
    sent = await texts.send(PHONE, "SMS_100001", {"code": "123456"})
    assert sent.biz_id
    status = await texts.status(PHONE, sent.biz_id, date.today())
    assert isinstance(status, sms.SmsReport) and status.delivered and status.biz_id == sent.biz_id
    missing = await texts.status(PHONE, "nope^0", date.today())
    assert isinstance(missing, sms.ProviderResult) and not missing.ok
    fake.fail("QuerySendDetails", "Throttling.User")
    throttled = await texts.status(PHONE, sent.biz_id, date.today())
    assert isinstance(throttled, sms.ProviderResult) and throttled.throttled
    fake.fail("QuerySendDetails", "isv.MOBILE_NUMBER_ILLEGAL")  # in an HTTP 200 body
    refused = await texts.status(PHONE, sent.biz_id, date.today())
    assert isinstance(refused, sms.ProviderResult) and refused.permanent


async def test_a_call_reads_the_template(fake: FakeAliyun, calls: voice.VoiceProvider) -> None:
    result = await calls.call(PHONE, "TTS_200001", {"when": "明天上午九点", "venue": "县人力资源市场"})
    assert result.ok and result.biz_id
    [got] = fake.received
    assert got.kind == "call" and got.biz_id == result.biz_id
    assert got.text == "您好，这里是开化县人力社保局。明天上午九点，县人力资源市场有招聘会，欢迎来看看。"
    wrong = await calls.call(PHONE, "TTS_000000", {"when": "明天"})
    assert wrong.permanent and not wrong.throttled
    long_place = await calls.call(PHONE, "TTS_200001", {"when": "明天", "venue": "长" * 21})
    assert long_place.permanent and long_place.code == "isv.PARAM_LENGTH_LIMIT"
    fake.fail("SingleCallByTts", "isv.BUSINESS_LIMIT_CONTROL")
    assert (await calls.call(PHONE, "TTS_200001", {"when": "明天", "venue": "市场"})).throttled


def test_the_readme_table_is_what_the_bot_sends() -> None:
    """The table an admin applies with says each template's setting, wording and variables."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for channel in ("sms", "voice"):
        for kind, t in templates(channel).items():
            limits = "，".join(f"`{name}` ≤{limit}" for name, limit in t.limits.items())
            row = f"| `JOBBOT_{channel.upper()}_TEMPLATE_{kind.upper()}` | {t.name} | {t.type} | {t.text} | {limits} |"
            assert row in readme, row


# --- callbacks ----------------------------------------------------------------------------------

async def test_receipts_replies_and_call_reports_reach_the_bot(fake: FakeAliyun, receiver: Receiver,
                                                              texts: sms.SmsProvider,
                                                              calls: voice.VoiceProvider) -> None:
    ok = await texts.send(PHONE, "SMS_100001", {"code": "1"}, out_id="o-1")
    bounced = await texts.send(OTHER, "SMS_100001", {"code": "2"})
    called = await calls.call(PHONE, "TTS_200001", {"when": "明天", "venue": "市场"})
    first, second, call = fake.received
    assert await fake.report(first) == 200
    assert await fake.report(second, delivered=False) == 200
    assert await fake.report(call) == 200
    assert await fake.reply(PHONE, "TD") == 200
    assert [(r.phone, r.biz_id, r.delivered, r.out_id) for r in receiver.reports] == [
        (PHONE, ok.biz_id, True, "o-1"), (OTHER, bounced.biz_id, False, "")]
    assert receiver.reports[0].err_code == "DELIVERED" and receiver.reports[1].err_code != "DELIVERED"
    [up] = receiver.replies
    assert (up.phone, up.content, up.sign_name) == (PHONE, "TD", SIGN) and up.sequence_id
    [report] = receiver.calls
    assert (report.phone, report.call_id, report.answered, report.duration) == (PHONE, called.biz_id, True, 18)
    assert fake.sent_to(PHONE)[-1].kind == "up"  # the sandbox's phone shows what was typed


async def test_receipts_come_by_themselves_when_asked(fake: FakeAliyun, receiver: Receiver,
                                                     texts: sms.SmsProvider) -> None:
    fake.auto_report = True
    sent = await texts.send(PHONE, "SMS_100001", {"code": "1"})
    for _ in range(200):
        if receiver.reports:
            break
        await asyncio.sleep(0.01)
    assert [r.biz_id for r in receiver.reports] == [sent.biz_id]


HOSTILE = [
    b"", b"not json", b"\xff\xfe\x00", b"{}", b'{"phone_number": "13905701234"}', b"null", b"42", b'"text"',
    b"[" * 100_000 + b"]" * 100_000, b"[" + b'{"a": 1},' * 40_000 + b"{}]",
]


@pytest.mark.parametrize("path", ["/sms/report", "/sms/up", "/voice/report"])
def test_hostile_callback_bodies_are_refused_not_crashed_on(receiver: Receiver, path: str) -> None:
    for body in HOSTILE:
        answer = httpx.post(receiver.url + path, content=body)
        assert answer.status_code == 400, body[:40]
    wrong_types = (b'[1, "x", null, [], {"phone_number": 13905701234, "content": "T"},'
                   b' {"phone_number": "13905701234", "content": ["T"]},'
                   b' {"phone_number": "13905701234", "biz_id": {"x": 1}, "success": "yes"},'
                   b' {"callee": true, "call_id": "1", "status_code": "200000"},'
                   b' {"phone_number": "1390570123456789", "content": "T", "biz_id": "1", "success": true}]')
    assert httpx.post(receiver.url + path, content=wrong_types).status_code == 200
    assert receiver.reports == receiver.replies == receiver.calls == []


def test_good_items_are_kept_beside_bad_ones() -> None:
    body = (b'[{"phone_number": "13905701234", "content": "T", "sequence_id": 77},'
            b' {"phone_number": "139****1234", "content": "T"},'
            b' {"phone_number": "13905705678", "content": "\\u9000\\u8ba2"}]')
    assert [(u.phone, u.content, u.sequence_id) for u in sms.parse_uplink(body)] == [
        (PHONE, "T", "77"), (OTHER, "退订", "")]
    report = b'[{"phone_number": "13905701234", "biz_id": "9^1", "success": "true", "err_code": "DELIVERED"}]'
    assert sms.parse_reports(report)[0].delivered
    call = b'[{"callee": "13905701234", "call_id": "5^2", "status_code": "200005", "duration": "x"}]'
    assert voice.parse_reports(call) == [voice.VoiceReport(phone=PHONE, call_id="5^2", answered=False,
                                                           status_code="200005")]
    with pytest.raises(BadCallback):
        sms.parse_uplink(b"[" + b" " * MAX_CALLBACK_BODY + b"]")


# --- settings -----------------------------------------------------------------------------------

def test_phone_settings_are_checked_when_they_load() -> None:
    defaults = Settings()
    assert defaults.sms_endpoint == "dysmsapi.aliyuncs.com" and defaults.voice_endpoint == "dyvmsapi.aliyuncs.com"
    assert Settings(sms_endpoint="http://127.0.0.1:9000/").sms_endpoint == "http://127.0.0.1:9000"
    for bad in ({"sms_endpoint": "ftp://x"}, {"voice_endpoint": "https://host/path?x=1"},
                {"sms_template_job": "SMS 1"}, {"sms_price": -1}, {"phone_monthly_budget": -5}):
        with pytest.raises(ValidationError):
            Settings(**bad)
