"""Console: what people wrote back by SMS that is not 退订 (SMS replies are not answered by the
bot, which would cost money): for staff to read and follow up by phone."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import Console, mask_phone, who
from bot.console.loop.shared import when
from bot.console.roles import Perm
from storage import phone


class Replies:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        return [Route("/sms-replies", self.c.api(self.listing, Perm.LOOP))]

    def pages(self) -> list[BaseRoute]:
        return [Route("/sms-replies", self.c.html(self.page, Perm.LOOP))]

    def _rows(self, session: Session, town: str | None) -> dict[str, Any]:
        return {"replies": [{"worker_id": up.worker_id, "name": worker.name if worker else None,
                             "town": worker.town if worker else None, "phone": mask_phone(up.user_id),
                             "content": up.content, "at": when(up.received_at, self.c)}
                            for up, worker in phone.uplinks(session, town=town)]}

    async def listing(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._rows, who(request).place))

    async def page(self, request: Request) -> Response:
        return self.c.page(request, "sms_replies.html", **await self.c.db(self._rows, who(request).place))
