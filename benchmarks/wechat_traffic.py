"""The villagers' traffic of the webhook benchmark, and the checks of what jobbot answered.

Request number n comes from villager n % users and is that villager's (n // users)-th
message, with MsgId base + n; benchmarks/wechat_load.lua (wrk) computes the same from the
plan file `write_lua_plan` writes, so every stored reply can be traced back to the text it
answers. Two workloads:

- "registration": every villager goes through registration (登记, town, village, age …, confirm);
- "mixed": half the villagers are registered already and go round the everyday loop (找工作 and
  its next page and a job's details, 招聘会 and a fair's details, 菜单, policy questions,
  我的信息); the other half register first, then join the loop.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]
MIXED = ["找工作", "更多", "招聘会", "1", "菜单", "创业贷款能贷多少", "我的信息", "我60多岁了还能找活干吗",
         "找工作", "1", "菜单", "欠薪了找谁", "菜单", "灵活就业的人交社保有补贴吗"]
TOKEN = "bench-token-0001"
SORRY = "系统刚才出了点问题"
QUERIES = 256  # signed query strings at least; the server takes each with one message only
MAX_RATE = 10_000  # requests a second no server here answers on 2 cores: a query for each
RUN_SPAN = 10**8  # MsgIds one run may use

# what the reply to a message must contain (any other message: a reply, and no error)
EXPECTED = {
    "找工作": ("活",), "招聘会": ("招聘会",), "我的信息": ("您的登记信息",), "菜单": ("请问您想做什么",),
    # after 我的信息 a registered person is offered 银龄 with its measure named inline, not an 出处 line
    "创业贷款能贷多少": ("出处：",), "我60多岁了还能找活干吗": ("13条",), "欠薪了找谁": ("出处：",),
    # the plan names no social-insurance subsidy for flexible workers: the honest no-answer is right
    "灵活就业的人交社保有补贴吗": ("方案里没有提到",),
}


@dataclass(frozen=True)
class Traffic:
    workload: str  # "mixed" or "registration"
    users: int
    prefix: str  # tells this run's villagers apart from another run's
    # the MsgId of request 0: a random multiple of 10^8, so runs never share MsgIds (WeChat
    # retries share theirs) and every MsgId stays exact in wrk's Lua numbers (below 2^53)
    base: int = field(default_factory=lambda: secrets.randbelow(2**53 // RUN_SPAN - 1) * RUN_SPAN)

    def openid(self, villager: int) -> str:
        return f"o{self.prefix}{villager:021d}"

    def registered_already(self, villager: int) -> bool:
        return self.workload == "mixed" and villager % 2 == 0

    def text(self, n: int) -> str:
        villager, step = n % self.users, n // self.users
        if self.workload == "registration":
            return REGISTRATION[step % len(REGISTRATION)]
        if not self.registered_already(villager):
            if step < len(REGISTRATION):
                return REGISTRATION[step]
            step -= len(REGISTRATION)
        return MIXED[step % len(MIXED)]

    def body(self, n: int) -> str:
        return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
                f"<FromUserName><![CDATA[{self.openid(n % self.users)}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{self.text(n)}]]></Content><MsgId>{self.base + n}</MsgId></xml>")

    def write_lua_plan(self, path: Path, threads: int, seconds: float) -> None:
        """The plan wrk's script reads: the same numbers and texts, as a Lua table, and a
        signed query for each request the run could send."""
        def lua(values: list[str]) -> str:
            return "{" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "}"

        path.write_text(
            f"return {{ users = {self.users}, prefix = {json.dumps(self.prefix)}, base = {self.base},\n"
            f"  workload = {json.dumps(self.workload)}, threads = {threads},\n"
            f"  registration = {lua(REGISTRATION)},\n  mixed = {lua(MIXED)},\n"
            f"  queries = {lua(signed_queries(round(seconds * MAX_RATE)))} }}\n", encoding="utf-8")


def signed_queries(count: int = QUERIES) -> list[str]:
    """Query strings with a valid signature (it covers token, timestamp and nonce, not the body),
    none used before: jobbot accepts a signed query with one message only (bot/channels/wechat/replay.py)."""
    timestamp, run = str(int(time.time())), secrets.token_hex(4)
    queries = []
    for nonce in (f"{run}{k}" for k in range(max(count, QUERIES))):
        signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
        queries.append(f"signature={signature}&timestamp={timestamp}&nonce={nonce}")
    return queries


@dataclass
class Checked:
    handled: int = 0  # messages in the inbound log marked done
    late: int = 0  # answered after the 5-second budget, through the customer-service API
    wrong: Counter[str] = field(default_factory=Counter)  # message text → replies that miss the mark
    example: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        late = f", {self.late} answered late" if self.late else ""
        if not self.wrong:
            return f"{self.handled} replies checked, all as expected{late}"
        worst = ", ".join(f"{t} ×{c}" for t, c in self.wrong.most_common(4))
        first = next(iter(self.example.items()))
        return f"{self.handled} replies checked, {sum(self.wrong.values())} wrong ({worst}){late}; e.g. {first}"


def check_replies(engine: Engine, traffic: Traffic) -> Checked:
    """Each of this run's messages in the inbound log, its stored reply against its text."""
    checked = Checked()
    with engine.connect() as conn:
        rows = conn.execute(text("select dedup_key, status, reply from inbound_message "
                                 "where channel = 'wechat' and user_id like :who"), {"who": f"o{traffic.prefix}%"})
        for key, status, reply in rows:
            if "#" in key:  # a mark beside a message (storage/late_replies.py)
                checked.late += key.endswith("#late")
                continue
            sent = traffic.text(int(key.rsplit(":", 1)[1]) - traffic.base)  # the key is "openid:MsgId"
            if isinstance(reply, str):
                reply = json.loads(reply)
            answer = "\n".join([*(reply or {}).get("texts", ()), *(reply or {}).get("choices", ())])
            checked.handled += status == "done"
            if status != "done" or not answer or SORRY in answer or not all(
                    mark in answer for mark in EXPECTED.get(sent, ())):
                checked.wrong[sent] += 1
                checked.example.setdefault(sent, answer[:60].replace("\n", " ") or f"<{status}, no reply>")
    return checked
