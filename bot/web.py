"""The HTTP server (`jobbot serve`): channel webhooks, the staff console and the health check on
one ASGI app, with push delivery and the schedule running beside them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import background
from bot.channels.base import Channel
from bot.channels.registry import build_channels
from bot.console import console_routes
from bot.dispatch import Dispatcher
from bot.settings import Settings


async def healthz(request: Request) -> JSONResponse:
    """Ready once everything has started and warmed up (503 before that, and while stopping)."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "starting", "ready": False}, status_code=503)
    return JSONResponse({"status": "ok", "ready": True})


class Server(Starlette):
    """Starlette with a direct lane: a GET or POST to a path in `direct` goes straight to its
    ASGI app, skipping the middleware and the route table (py-spy: about a sixth of the event
    loop's time on /wechat); every other request is Starlette's as before."""

    def __init__(self, *, direct: dict[str, ASGIApp], **kwargs: Any):
        super().__init__(**kwargs)
        self.direct = direct

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "POST"):
            handler = self.direct.get(scope["path"])
            if handler is not None:
                await handler(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, dispatcher: Dispatcher, *, routes: Iterable[BaseRoute] = (),
               lifespans: Iterable[Callable[[], AbstractAsyncContextManager[None]]] = (),
               channels: Iterable[Channel] = ()) -> Starlette:
    """The ASGI app: /healthz plus each channel's routes, started and stopped with the server.

    `routes` adds more (the demo's sandbox, a staff console) and `lifespans` more things to
    start and stop with it; `channels` replace the default channels of the same name (tests).
    """
    configured = build_channels(settings, dispatcher, replace=channels)
    all_routes: list[BaseRoute] = [Route("/healthz", healthz)]
    for channel in configured:
        all_routes += channel.routes()
    all_routes += console_routes(settings, dispatcher.engine, dispatcher.services)  # staff console at /console
    all_routes += list(routes)
    starters: list[Callable[[], AbstractAsyncContextManager[None]]] = [lambda: _warm(dispatcher)]
    starters += [channel.running for channel in configured]
    if settings.background:
        starters.append(lambda: background.running(dispatcher, configured))
    starters += list(lifespans)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for start in starters:
                await stack.enter_async_context(start())
            app.state.ready = True
            yield
            app.state.ready = False

    direct = {path: handler for channel in configured for path, handler in channel.direct().items()}
    app = Server(routes=all_routes, lifespan=lifespan, direct=direct)
    app.state.ready = False
    app.state.channels = {channel.name: channel for channel in configured}
    return app


@contextlib.asynccontextmanager
async def _warm(dispatcher: Dispatcher) -> AsyncIterator[None]:
    """First of the start-up: what handlers load on first use is loaded before any request
    (the dispatch processes warm their own; bot.dispatch_process)."""
    await asyncio.to_thread(dispatcher.warm)
    yield


def serve_app() -> Starlette:
    """The production app from the environment's settings (uvicorn's factory for `jobbot serve`).

    The database is not migrated here: `jobbot serve` does that once before starting the
    workers (SQLite), and PostgreSQL is migrated with `jobbot db upgrade`.
    """
    from bot.app import build_dispatcher
    from bot.settings import get_settings
    from storage.db import make_engine

    settings = get_settings()
    return create_app(settings, build_dispatcher(settings, engine=make_engine(settings.db_url)))
