"""The echo servers jobbot's webhook is measured against: what a Python developer would write
with wechatpy alone (check the signature, parse, echo the text back), once as a Starlette app
and once as a bare ASGI callable. Run under uvicorn, 1 worker, by benchmarks/wechat_webhook.py:

    uvicorn benchmarks.wechat_echo:starlette_echo   |   uvicorn benchmarks.wechat_echo:raw_echo
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wechatpy import create_reply, parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

TOKEN = "bench-token-0001"


def echo(query: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """(status, body) of the echo reply to one signed message."""
    try:
        check_signature(TOKEN, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
    except InvalidSignatureException:
        return 403, b"forbidden"
    message = parse_message(body)
    return 200, create_reply(message.content, message).render().encode()


async def _wechat(request: Request) -> Response:
    status, payload = echo(dict(request.query_params), await request.body())
    return Response(payload, status_code=status, media_type="application/xml")


starlette_echo = Starlette(routes=[Route("/wechat", _wechat, methods=["POST"])])


async def raw_echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The same echo as a bare ASGI callable, without a framework."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, payload = echo(dict(parse_qsl(scope["query_string"].decode())), body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/xml"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
