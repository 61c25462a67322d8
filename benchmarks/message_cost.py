"""What one webhook message costs, per kind of message, measured in-process: the figure to
drive down for the webhook benchmark, free of a busy machine's noise.

On a scratch SQLite file and a scratch PostgreSQL database with the webhook benchmark's data
(demo data, a few thousand open jobs, half the villagers registered), each villager sends the
mixed workload's messages in order through the real dispatcher, one message per dispatch (the
webhook's case when idle) or `--batch` messages of one kind at a time (under load the webhook
hands over what queued up meanwhile as one batch). For each kind it prints
this process's CPU ms per message, on PostgreSQL the CPU ms of its server processes serving
these connections (read from /proc, so only for a server on this machine), the wall ms and the
SQL statements sent (commits not counted); then
what the /wechat HTTP path adds around the dispatch (signature, XML parse, reply XML), in CPU
µs per message.

    .venv/bin/python benchmarks/message_cost.py [--users 200] [--jobs 3000] [--batch 1] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch import scratch_databases  # noqa: E402
from wechat_traffic import MIXED, REGISTRATION, TOKEN, Traffic, signed_queries  # noqa: E402
from wechat_webhook import prepare_database, process_cpu  # noqa: E402

from bot.app import build_dispatcher  # noqa: E402
from bot.messages import Kind, Update  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import make_engine  # noqa: E402

KINDS = {"找工作": "找工作", "更多": "找工作 更多", "招聘会": "招聘会", "菜单": "菜单", "我的信息": "我的信息",
         "创业贷款能贷多少": "policy question", "我60多岁了还能找活干吗": "policy question",
         "欠薪了找谁": "policy question", "灵活就业的人交社保有补贴吗": "policy question"}


def kind_of(text: str, step: int, registering: bool) -> str:
    if registering:
        return "registration answer"
    if text == "1":
        return "job detail" if MIXED[step - 1] == "找工作" else "fair detail"
    return KINDS[text]


Cost = tuple[float, float, float, float]  # CPU ms here, CPU ms in PostgreSQL, wall ms, SQL statements


def dispatcher_costs(url: str, users: int, rounds: int, batch: int) -> dict[str, list[Cost]]:
    """(CPU ms, database server CPU ms, wall ms, SQL statements) of each message, by kind: a
    batch's share when messages of one kind are dispatched `batch` at a time."""
    traffic = Traffic("mixed", users, "C")
    engine = make_engine(url)
    statements = [0]
    backends: list[int] = []  # PostgreSQL server processes of this engine's connections

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_: object) -> None:
        statements[0] += 1

    @event.listens_for(engine, "connect")
    def backend(dbapi_connection: Any, _record: object) -> None:
        if engine.dialect.name == "postgresql":
            backends.append(dbapi_connection.info.backend_pid)

    def server_cpu() -> float:
        return sum(process_cpu(pid) for pid in backends)

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(database_url=url, data_dir=Path(data_dir), background=False, dispatch_processes=0)
        dispatcher = build_dispatcher(settings, engine=engine)
        dispatcher.warm()
        costs: dict[str, list[Cost]] = defaultdict(list)
        for round_ in range(len(REGISTRATION) + len(MIXED) * rounds):
            by_kind: dict[str, list[Update]] = defaultdict(list)
            for villager in range(users):
                n, step = round_ * users + villager, round_
                registering = not traffic.registered_already(villager) and step < len(REGISTRATION)
                if not traffic.registered_already(villager) and not registering:
                    step -= len(REGISTRATION)
                elif traffic.registered_already(villager) and step >= len(MIXED) * rounds:
                    continue
                text = traffic.text(n)
                by_kind[kind_of(text, step % len(MIXED), registering)].append(
                    Update("wechat", traffic.openid(villager), Kind.TEXT, text, dedup_key=str(traffic.base + n)))
            for kind, updates in by_kind.items():
                for start in range(0, len(updates), batch):
                    chunk = updates[start:start + batch]
                    cpu, server, wall, statements[0] = time.process_time(), server_cpu(), time.perf_counter(), 0
                    dispatcher.dispatch_many(chunk)
                    share = ((time.process_time() - cpu) * 1000 / len(chunk),
                             (server_cpu() - server) * 1000 / len(chunk),
                             (time.perf_counter() - wall) * 1000 / len(chunk), statements[0] / len(chunk))
                    costs[kind].extend([share] * len(chunk))
    engine.dispose()
    return costs


def http_path_cost(repeat: int = 2000) -> float:
    """CPU µs per message of the webhook's own work around the dispatch: verify the signature,
    parse the XML, build the update, render the passive reply."""
    import asyncio

    from bot.channels.wechat.envelope import Envelope
    from bot.channels.wechat.inbound import parse, translate
    from bot.channels.wechat.recognizer import RecognitionField
    from bot.channels.wechat.webhook import passive_text

    envelope = Envelope(TOKEN, None, None, window=10**9, compatible=False)
    traffic = Traffic("mixed", 100, "H")
    queries = [dict(pair.split("=") for pair in q.split("&")) for q in signed_queries()]
    bodies = [traffic.body(n).encode() for n in range(repeat)]
    recognizer = RecognitionField()
    loop = asyncio.new_event_loop()
    started = time.process_time()
    for n, body in enumerate(bodies):
        query = queries[n % len(queries)]
        envelope.verify(query)
        xml, encrypted = envelope.open(body, query)
        message = parse(xml)
        loop.run_until_complete(translate(message, recognizer))
        envelope.seal(passive_text(message, "请问您想做什么？回复编号：\n1 找工作\n2 招聘会"), query, encrypted)
    loop.close()
    return (time.process_time() - started) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="villagers writing")
    parser.add_argument("--rounds", type=int, default=2, help="times each villager goes round the loop")
    parser.add_argument("--jobs", type=int, default=3000, help="open jobs for 找工作")
    parser.add_argument("--batch", type=int, default=1, help="messages of one kind dispatched together")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(f"{args.users} villagers (half registered), {args.jobs} open jobs, {args.batch} message(s) per dispatch")
    for database, url in scratch_databases(args.only):
        prepare_database(url, Traffic("mixed", args.users, "C"), args.jobs, 0)
        costs = dispatcher_costs(url, args.users, args.rounds, args.batch)
        print(f"\n[{database}] {'kind':<22} {'n':>5} {'CPU ms':>8} {'DB CPU':>8} {'wall ms':>8} {'p99 wall':>9} "
              f"{'SQL':>5}")
        everything = [c for kind in costs.values() for c in kind]
        for kind, values in [*sorted(costs.items()), ("all (mixed workload)", everything)]:
            cpu, server = statistics.fmean(c[0] for c in values), statistics.fmean(c[1] for c in values)
            walls = sorted(c[2] for c in values)
            p99 = walls[min(len(walls) - 1, int(len(walls) * 0.99))]
            print(f"{'':<{len(database) + 3}}{kind:<22} {len(values):5d} {cpu:8.2f} {server:8.2f} "
                  f"{statistics.fmean(walls):8.2f} {p99:9.2f} {statistics.fmean(c[3] for c in values):5.1f}")
    print(f"\n/wechat around the dispatch (verify, parse, update, reply XML): {http_path_cost():.0f} µs CPU "
          "per message")


if __name__ == "__main__":
    main()
