"""The staff console at /console: HTML pages and a JSON API for jobs, fairs, broadcasts,
workers, the closed loop around the job (training, rights, 数字银龄, graduates, hardship; see
`bot.console.loop`) and the plan's figures, all behind JOBBOT_ADMIN_TOKEN.

`console_routes(settings, engine, services)` gives the routes to add to the web app;
`demo_admin_token(settings)` gives the demo a token to print.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.console import loop
from bot.console.api import Api
from bot.console.context import HERE, PREFIX, Console
from bot.console.pages import Pages
from bot.console.waiting import Waiting
from bot.services import Services
from bot.settings import Settings

MAX_BODY = 6 * 1024 * 1024  # a spreadsheet upload and a little more
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class _SecurityHeaders:
    """Locks the pages to our own scripts and styles; pages and API answers are never cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(PREFIX + "/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def console_routes(settings: Settings, engine: Engine, services: Services) -> list[BaseRoute]:
    console = Console(settings, engine, services)
    api = Api(console)
    pages = Pages(console, api)
    loop_api, loop_pages = loop.routes(console)
    waiting = Waiting(console)
    routes: list[BaseRoute] = [
        Mount("/api", routes=api.routes() + loop_api + waiting.api()),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
        *pages.routes(), *loop_pages, *waiting.pages(),
    ]
    return [Mount(PREFIX, routes=routes, middleware=[Middleware(_SecurityHeaders)], max_body_size=MAX_BODY)]


def demo_admin_token(settings: Settings) -> str:
    """The configured admin token, or one made once for the demo and kept in the data folder."""
    if settings.admin_token:
        return settings.admin_token
    path = Path(settings.data_dir) / "console-token"
    if path.exists():
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token)
    return token
