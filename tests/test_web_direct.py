"""The server's direct lane (bot.web.Server): GET and POST to a direct path skip Starlette's
middleware and routing; every other request goes through them as before."""

from __future__ import annotations

import httpx
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.web import Server


class _Raw:
    """A raw ASGI app answering with the method it got."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": f"direct {scope['method']}".encode()})


def _routed(request: Request) -> PlainTextResponse:
    return PlainTextResponse("routed")


class _Counting:
    """A middleware that counts the requests it sees."""

    seen: list[str] = []

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


async def test_get_and_post_to_a_direct_path_skip_middleware_and_routing() -> None:
    _Counting.seen = []
    raw = _Raw()
    app = Server(routes=[Route("/hook", raw, methods=["GET", "POST", "PUT"]), Route("/other", _routed)],
                 middleware=[Middleware(_Counting)], direct={"/hook": raw})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        post, get = await http.post("/hook", content=b"<xml/>"), await http.get("/hook")
        put, other, slash = await http.put("/hook"), await http.get("/other"), await http.post("/hook/")
    assert (post.text, get.text) == ("direct POST", "direct GET")
    assert (put.text, other.text) == ("direct PUT", "routed")
    assert slash.status_code in (307, 404)  # Starlette's answer, not the lane's
    assert _Counting.seen == ["PUT /hook", "GET /other", "POST /hook/"]
