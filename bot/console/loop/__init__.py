"""The console's part for the closed loop around the job (登记-培训-就业-维权-补贴): training
courses, unpaid-wage cases, 数字银龄, returning graduates and internship bases, hardship and
残疾人之家 — pages and JSON API routes, for county and town staff (Perm.LOOP), a town's staff
kept to their town's records and people."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.console.context import Console
from bot.console.loop.graduates import Graduates
from bot.console.loop.hardship import Hardship
from bot.console.loop.rights import Rights
from bot.console.loop.silver import Silver
from bot.console.loop.training import Training

ACTIONS = {"course.add": "新增培训", "course.complete": "培训结业", "case.status": "维权进展",
           "case.contact": "查看维权电话",
           "silver.need": "新增银龄需求", "silver.close": "关闭银龄需求", "silver.placed": "记录银龄再就业",
           "graduate.guidance": "毕业生职业指导", "graduate.training": "毕业生技能培训",
           "graduate.recommend": "毕业生岗位推荐", "base.add": "新增见习基地",
           "base.change": "修改见习基地", "home.add": "新增残疾人之家"}


class Part(Protocol):
    def api(self) -> list[BaseRoute]: ...

    def pages(self) -> list[BaseRoute]: ...


def routes(console: Console) -> tuple[list[BaseRoute], list[BaseRoute]]:
    """(API routes, page routes) of every closed-loop part."""
    parts: list[Part] = [Training(console), Rights(console), Silver(console), Graduates(console), Hardship(console)]
    return [r for part in parts for r in part.api()], [r for part in parts for r in part.pages()]
