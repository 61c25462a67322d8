"""The sandbox page in a real browser: `jobbot demo` started on a free port, Debian's
Chromium driven headless by Playwright, a villager registered by typing on the page, and the
phone beside the chat receiving an SMS and a call sent through the real SDKs."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium
from fakes.server import Started, jobbot_running

from bot.channels.sandbox.demo import DEMO_SIGN
from bot.channels.sms.provider import SmsProvider
from bot.channels.voice.provider import VoiceProvider
from bot.settings import Settings

APPID, SECRET = "wx_browser_test", "browser-secret"
SMS_KEY, SMS_SECRET = "LTAI_browser_test", "browser-sms-secret"
require_chromium()

from playwright import sync_api  # noqa: E402  (only once we know a browser is there)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Started]:
    """`jobbot demo` as a person would start it, in a fresh data folder."""
    env = {"JOBBOT_WECHAT_APPID": APPID, "JOBBOT_WECHAT_SECRET": SECRET,
           "JOBBOT_SMS_ACCESS_KEY_ID": SMS_KEY, "JOBBOT_SMS_ACCESS_KEY_SECRET": SMS_SECRET}
    with jobbot_running("demo", tmp_path, env) as started:
        yield started
    printed = started.log.read_text()
    url = started.url
    assert f"{url}/sandbox/" in printed and f"{url}/console/" in printed and "账号：admin  密码：" in printed


def test_register_a_worker_on_the_sandbox_page(demo: Started) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.goto(demo.url + "/")
        bot = page.locator(".bubble.bot")

        def say(text: str) -> str:
            before = bot.count()
            page.fill("#msg", text)
            page.click("#send")
            sync_api.expect(bot).to_have_count(before + 1)
            return bot.last.inner_text()

        page.click("#follow")
        sync_api.expect(bot.last).to_contain_text("您好！我是开化县零工就业小助手")
        assert page.locator(".bubble.me").count() == 0

        assert "哪个乡镇" in say("登记")
        assert "好的，华埠镇" in say("华埠")
        assert "岁数" in say("金星村")
        for line in ["62", "1 3", "1", "2", "1", "1"]:
            last = say(line)
        assert "请核对" in last and "华埠镇 金星村" in last
        assert "登记好了" in say("1")
        sync_api.expect(page.locator(".bubble.me").last).to_have_text("1")

        # the menu the demo created through the (fake) API, and its sub-button
        page.get_by_role("button", name=re.compile("更多")).click()
        before = bot.count()
        page.locator("#submenu").get_by_role("button", name="我的信息").click()
        sync_api.expect(bot).to_have_count(before + 1)
        assert "华埠镇 金星村" in bot.last.inner_text()

        # a location share
        page.select_option("#town", "马金镇")
        before = bot.count()
        page.click("#send-location")
        sync_api.expect(bot).to_have_count(before + 1)
        assert "马金镇" in bot.last.inner_text()

        # a push from another process reaches the page through the fake API
        openid = page.locator("#user").input_value()
        token = httpx.post(demo.url + "/fake-wechat/cgi-bin/stable_token", json={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET}).json()["access_token"]
        sent = httpx.post(demo.url + "/fake-wechat/cgi-bin/message/custom/send", params={"access_token": token},
                          json={"touser": openid, "msgtype": "text",
                                "text": {"content": "新岗位：马金镇采茶，日结150元"}})
        assert sent.json()["errcode"] == 0
        sync_api.expect(bot.last).to_have_text("新岗位：马金镇采茶，日结150元")
        sync_api.expect(page.locator(".tag").last).to_have_text("客服消息")

        # another person has a conversation of their own
        page.select_option("#user", index=1)
        sync_api.expect(bot).to_have_count(0)
        assert "哪个乡镇" in say("登记")
        browser.close()


def test_the_phone_beside_the_chat_gets_sms_and_calls_and_replies(demo: Started) -> None:
    settings = Settings(sms_endpoint=demo.url, voice_endpoint=demo.url, sms_access_key_id=SMS_KEY,
                        sms_access_key_secret=SMS_SECRET, sms_sign_name=DEMO_SIGN,
                        sms_template_notice="SMS_DEMO_NOTICE", voice_template_fair="TTS_DEMO_FAIR")

    async def send_as_the_bot() -> None:  # the demo's fake provider, reached through the real SDKs
        sent = await SmsProvider.from_settings(settings).send(
            "13905701234", "SMS_DEMO_JOB",
            {"place": "华埠镇", "title": "采茶工", "pay": "每天150元", "contact": "村干部"})
        called = await VoiceProvider.from_settings(settings).call(
            "13905701234", "TTS_DEMO_FAIR", {"date": "3月11日", "time": "上午9点", "place": "县人力资源市场"})
        assert sent.ok and called.ok

    asyncio.run(send_as_the_bot())  # before Playwright's own event loop runs in this thread
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.set_default_timeout(15_000)
        page.goto(demo.url + "/sandbox/")
        sync_api.expect(page.locator("#number")).to_have_value("13905701234")
        sync_api.expect(page.locator("#inbox .sms-in")).to_have_text(
            "【开化就业】新活儿：华埠镇招采茶工，每天150元，问村干部。回T退订")
        sync_api.expect(page.locator("#inbox .call-card .call-text")).to_have_text(
            "您好，这里是开化县人力社保局。3月11日上午9点，在县人力资源市场有招聘会，欢迎您去找活。")

        page.fill("#sms-msg", "T")
        page.click("#sms-send")
        sync_api.expect(page.locator("#inbox .sms-out")).to_have_text("T")

        # another number has nothing yet; the first one keeps its messages
        page.fill("#new-number", "13905705678")
        page.press("#new-number", "Enter")
        sync_api.expect(page.locator("#number")).to_have_value("13905705678")
        sync_api.expect(page.locator("#inbox .sms-in")).to_have_count(0)
        page.select_option("#number", "13905701234")
        sync_api.expect(page.locator("#inbox .sms-in")).to_have_count(1)
        # the WeChat chat beside it is untouched
        sync_api.expect(page.locator("#chat .bubble")).to_have_count(0)
        browser.close()
