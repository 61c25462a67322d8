"""`jobbot demo`'s server: the real webhook app plus the sandbox page and the fake WeChat and
Alibaba Cloud (SMS, voice) APIs.

One process, one port: `/wechat` (the production webhook app), `/sandbox/` (the chat page and
its phone), `/fake-wechat` (the fake API that JOBBOT_WECHAT_API_BASE points to), POST `/` (the
fake SMS and voice API that JOBBOT_SMS_ENDPOINT and JOBBOT_VOICE_ENDPOINT point to: the SDK
posts every action to its endpoint's root), `/healthz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route

from bot.channels.phone_templates import templates
from bot.channels.sandbox.fake_aliyun import FakeAliyun, create_fake_aliyun
from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from bot.channels.sandbox.page import create_sandbox_app
from bot.channels.sandbox.simulator import WeChatSimulator
from bot.channels.wechat import WeChatChannel
from bot.channels.wechat.menu import MENU
from bot.console import demo_admin_token
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.web import create_app

log = logging.getLogger(__name__)

FAKE_API = "/fake-wechat"
DEMO_TEMPLATE = "demo-service-notice"
DEMO_SIGN = "开化就业"
PREFIX = {"sms": "SMS_DEMO_", "voice": "TTS_DEMO_"}


def demo_code(channel: str, kind: str) -> str:
    """The demo account's code of a template: SMS_DEMO_JOB, TTS_DEMO_FAIR …"""
    return PREFIX[channel] + kind.upper()


# the demo account has every template of bot/channels/data/phone_templates.json approved
DEMO_PHONE_TEMPLATES = {demo_code(channel, kind): template.text
                        for channel in PREFIX for kind, template in templates(channel).items()}


def local_base(settings: Settings) -> str:
    """How this process reaches its own server."""
    host = settings.host if settings.host not in ("0.0.0.0", "::", "", "localhost") else "127.0.0.1"
    return f"http://{host}:{settings.port}"


def demo_settings(settings: Settings) -> Settings:
    """The settings with WeChat credentials made up where none are set, the API pointed at the
    fake one in this process, a template message for what the 48-hour window cannot take (so
    that path shows in the sandbox), and a staff console token (kept in the data folder)."""
    update = {"wechat_api_base": local_base(settings) + FAKE_API, "admin_token": demo_admin_token(settings)}
    if not settings.wechat_token:
        update["wechat_token"] = secrets.token_hex(16)
    if not settings.wechat_appid:
        update["wechat_appid"] = "wx" + secrets.token_hex(8)
    if not settings.wechat_secret:
        update["wechat_secret"] = secrets.token_hex(16)
    if not settings.wechat_template_id:
        update["wechat_template_id"] = DEMO_TEMPLATE
        update["wechat_template_fields"] = "thing1,thing2,thing3,thing4"
    return settings.model_copy(update={**update, **_phone_settings(settings)})


def _phone_settings(settings: Settings) -> dict[str, object]:
    """SMS and calls go to the fake provider in this process, with the demo account's templates;
    keys are made up unless set (a test sets them to send as the bot would)."""
    return {
        "sms_endpoint": local_base(settings), "voice_endpoint": local_base(settings),
        "sms_access_key_id": settings.sms_access_key_id or "LTAI_demo_" + secrets.token_hex(6),
        "sms_access_key_secret": settings.sms_access_key_secret or secrets.token_hex(15),
        "voice_access_key_id": None, "voice_access_key_secret": None,  # the SMS account's
        "sms_sign_name": DEMO_SIGN,
        **{f"{channel}_template_{kind}": demo_code(channel, kind) for channel in PREFIX for kind in templates(channel)},
        # the provider's callbacks must carry this token (JOBBOT_PHONE_CALLBACK_TOKEN, the channels')
        "phone_callback_token": secrets.token_hex(16),
    }


def create_demo_app(settings: Settings, dispatcher: Dispatcher) -> Starlette:
    """The demo server for `settings` (already passed through `demo_settings`)."""
    fake = FakeWeChat(settings.wechat_appid or "", settings.wechat_secret or "")
    simulator = WeChatSimulator(local_base(settings) + "/wechat", settings.wechat_token or "",
                                appid=settings.wechat_appid or "", aes_key=settings.wechat_aes_key, fake=fake)
    wechat = WeChatChannel(settings, dispatcher)
    token = getattr(settings, "phone_callback_token", "")
    phone = FakeAliyun(settings.sms_access_key_id or "", settings.sms_access_key_secret or "",
                       templates=DEMO_PHONE_TEMPLATES, sign_names={DEMO_SIGN}, auto_report=True,
                       callback_base=f"{local_base(settings)}/?token={token}")

    @contextlib.asynccontextmanager
    async def menu_and_simulator() -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(_create_menu(wechat))
        yield
        task.cancel()
        await simulator.aclose()

    routes = [
        Route("/", lambda request: RedirectResponse("/sandbox/")),
        *create_fake_aliyun(phone).routes,  # POST /: the SDK's calls (GET / is the redirect above)
        Mount("/sandbox", create_sandbox_app(simulator, fake, phone, fake_api_path=FAKE_API)),
        Mount(FAKE_API, create_fake_api(fake)),
    ]
    app = create_app(settings, dispatcher, routes=routes, lifespans=[menu_and_simulator], channels=[wechat])
    app.state.fake = fake
    app.state.phone = phone
    return app


async def _create_menu(wechat: WeChatChannel) -> None:
    """Create the menu through the API, as `jobbot wechat menu` does, once the server listens."""
    for _ in range(50):
        await asyncio.sleep(0.2)
        if wechat.client is None:
            return
        try:
            await wechat.client.create_menu(MENU)
            log.info("demo: menu created through the fake WeChat API")
            return
        except Exception as exc:  # not listening yet: try again
            log.debug("demo: menu not created yet (%s)", exc)
