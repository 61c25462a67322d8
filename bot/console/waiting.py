"""Console: the pushes that wait and why — for the person's next message (WeChat's 48-hour
window had no room), or held for tomorrow's digest — service messages first."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import Console, who
from bot.console.loop.shared import when
from bot.console.roles import Perm
from storage import waiting as store


class Waiting:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        return [Route("/waiting", self.c.api(self.listing, Perm.LOOP))]

    def pages(self) -> list[BaseRoute]:
        return [Route("/waiting", self.c.html(self.page, Perm.LOOP))]

    def _rows(self, session: Session, town: str | None) -> dict[str, Any]:
        rows = sorted(store.waiting(session, town=town), key=lambda r: not r["service"])
        return {"waiting": [{**r, "at": when(r["at"], self.c)} for r in rows]}

    async def listing(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._rows, who(request).place))

    async def page(self, request: Request) -> Response:
        return self.c.page(request, "waiting.html", **await self.c.db(self._rows, who(request).place))
