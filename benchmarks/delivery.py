"""Push delivery throughput with the platforms' rate limits on, against the fake APIs.

Queues one push for each of N WeChat users and M Telegram users in a scratch SQLite database,
then runs the real delivery worker with the real WeChat client and Telegram sender pointed at
the fake WeChat API and the fake Bot API (both real HTTP servers on loopback), and prints how
fast each channel drained, and the fastest rate Telegram saw overall and per chat.

    .venv/bin/python benchmarks/delivery.py [--wechat 2000] [--telegram 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.server import serving  # noqa: E402
from fakes.telegram_api import FakeTelegram  # noqa: E402

from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api  # noqa: E402
from bot.delivery import Deliverer  # noqa: E402
from bot.senders import open_senders  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import ChatAccount, Worker  # noqa: E402
from storage.outbox import Push, counts, enqueue  # noqa: E402
from storage.sql import table_of  # noqa: E402

APPID, SECRET = "wx_bench", "bench-secret"
NOW = datetime.now(UTC)


def people(engine, wechat: int, telegram: int) -> None:
    total = wechat + telegram
    with engine.begin() as conn:
        conn.execute(insert(table_of(Worker)), [{
            "id": n, "town": "华埠镇", "birth_year": 1980, "skills": ["tea"], "availability": ["anytime"],
            "travel_range": "town", "want_job_push": True, "want_fair_push": True, "subscribed": True,
            "created_at": NOW, "updated_at": NOW} for n in range(1, total + 1)])
        conn.execute(insert(table_of(ChatAccount)), [{
            "channel": "wechat" if n <= wechat else "telegram",
            "user_id": f"oBench{n:06d}" if n <= wechat else str(700000 + n), "worker_id": n,
            "last_inbound_at": NOW, "window_sends": 0, "reachable": True, "created_at": NOW}
            for n in range(1, total + 1)])
    with session_scope(engine) as session:
        enqueue(session, (Push(key=f"broadcast:1:{n}", worker_id=n, kind="broadcast", ref_id=1,
                               texts=("下周一华埠镇零工市场有招聘会，欢迎参加。",))
                          for n in range(1, total + 1)), now=NOW)


async def drain(deliverer: Deliverer) -> None:
    while await deliverer.run_once():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wechat", type=int, default=2000)
    parser.add_argument("--telegram", type=int, default=300)
    args = parser.parse_args()
    wechat_fake = FakeWeChat(APPID, SECRET)
    for n in range(1, args.wechat + 1):
        wechat_fake.user_wrote(f"oBench{n:06d}")
    with tempfile.TemporaryDirectory() as folder, serving(create_fake_api(wechat_fake)) as wechat_api, \
            FakeTelegram() as telegram_fake:
        url = f"sqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        engine = make_engine(url)
        people(engine, args.wechat, args.telegram)
        settings = Settings(database_url=url, data_dir=Path(folder), wechat_appid=APPID, wechat_secret=SECRET,
                            wechat_api_base=wechat_api, telegram_token=telegram_fake.token,
                            telegram_api_base=telegram_fake.url, quiet_start="00:00", quiet_end="00:00",
                            elderly_quiet_start="00:00", elderly_quiet_end="00:00")
        services = Services(settings=settings)

        async def run() -> float:
            async with open_senders(settings, engine) as senders:
                deliverer = Deliverer(engine, services, senders, concurrency=settings.push_concurrency, batch=100)
                start = time.perf_counter()
                await drain(deliverer)
                return time.perf_counter() - start

        elapsed = asyncio.run(run())
        with session_scope(engine) as session:
            statuses = counts(session, kind="broadcast", ref_id=1)
        engine.dispose()
        wechat_times = sorted(m.at for m in wechat_fake.messages)
        telegram_times = sorted(c.at for c in telegram_fake.sent())
    print(f"{args.wechat + args.telegram:,} pushes delivered in {elapsed:.1f} s; outbox: {statuses}")
    if wechat_times:
        span = max(wechat_times[-1] - wechat_times[0], 1e-9)
        print(f"wechat:   {len(wechat_times):,} messages at the fake API, {len(wechat_times) / span:.0f}/s")
    if telegram_times:
        span = max(telegram_times[-1] - telegram_times[0], 1e-9)
        peak = max(sum(1 for t in telegram_times if start <= t < start + 1) for start in telegram_times)
        per_chat: dict[int, list[float]] = defaultdict(list)
        for call in telegram_fake.sent():
            per_chat[int(call.params["chat_id"])].append(call.at)
        print(f"telegram: {len(telegram_times):,} messages, {len(telegram_times) / span:.1f}/s on average, "
              f"at most {peak} in any one second (limit 30), at most "
              f"{max(len(v) for v in per_chat.values())} per chat")


if __name__ == "__main__":
    main()
