"""A delivery process killed with SIGKILL in the middle of a large push batch, then restarted:
at the fake WeChat API no push arrives twice, and every push is accounted for.

What a dead process was sending at the moment it died cannot be known (WeChat cannot be
asked); those few rows are marked `doubt` for staff instead of being sent again.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import add_wechat_people, kill_midway, wechat_process_env
from fakes.server import serving
from sqlmodel import Session, select

from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from storage.db import make_engine, session_scope
from storage.models import Outbox, utcnow
from storage.outbox import Push, enqueue

PEOPLE = 400
CONCURRENCY = 4
APPID, SECRET = "wx_crash_test", "crash-secret"


def _people(db_url: str) -> None:
    add_wechat_people(db_url, PEOPLE, prefix="o-crash")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        enqueue(session, (Push(key=f"broadcast:1:{n}", worker_id=n, kind="broadcast", ref_id=1,
                               texts=(f"招聘会通知 {n}",)) for n in range(1, PEOPLE + 1)), now=utcnow())
    engine.dispose()


def _deliver(db_url: str, api: str, data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = wechat_process_env(db_url, api, data_dir, wechat_appid=APPID, wechat_secret=SECRET,
                             wechat_template_id="tmpl-crash", push_lease_seconds=1, push_concurrency=CONCURRENCY)
    return subprocess.Popen([sys.executable, "-m", "bot", "deliver", *extra], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_killed_delivery_process_sends_nothing_twice_and_loses_nothing_silently(db_url: str,
                                                                                 tmp_path: Path) -> None:
    fake = FakeWeChat(APPID, SECRET)
    for n in range(1, PEOPLE + 1):
        fake.user_wrote(f"o-crash-{n:04d}")
    _people(db_url)
    with serving(create_fake_api(fake)) as api:
        kill_midway(lambda *extra: _deliver(db_url, api, tmp_path, *extra), lambda: len(fake.messages), PEOPLE)

    received = Counter(m.openid for m in fake.messages)
    assert max(received.values()) == 1, "a push arrived twice"
    engine = make_engine(db_url)
    with Session(engine) as session:
        rows = {r.worker_id: r for r in session.exec(select(Outbox))}
    engine.dispose()
    by_status = Counter(r.status for r in rows.values())
    assert set(by_status) <= {"sent", "doubt"}, by_status
    assert by_status["doubt"] <= CONCURRENCY
    for worker_id, row in rows.items():
        openid = f"o-crash-{worker_id:04d}"
        if row.status == "sent":
            assert received[openid] == 1, openid
        else:
            assert received[openid] <= 1, openid
    assert len(received) >= PEOPLE - by_status["doubt"]
