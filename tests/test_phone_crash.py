"""A delivery process killed with SIGKILL in the middle of an SMS broadcast, then restarted: at
the fake provider no phone gets a message twice, and every push is accounted for — as for chat
pushes (test_push_crash). A message that was on its way when the process died is `doubt`, and
its money stays counted as spent: the budget is never overspent by a crash."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import add_people, kill_midway, wechat_process_env
from fakes.server import serving
from sqlalchemy import func
from sqlmodel import Session, select

from bot.channels.sandbox.fake_aliyun import FakeAliyun, create_fake_aliyun
from storage.db import make_engine, session_scope
from storage.models import Outbox, PhoneBudget, PhoneSend, utcnow
from storage.outbox import Push, enqueue

PEOPLE = 300
CONCURRENCY = 4
KEY_ID, KEY_SECRET = "LTAI_crash_test", "crash-secret"


def phone_of(n: int) -> str:
    return f"138{n:08d}"


def _people(db_url: str) -> None:
    add_people(db_url, [phone_of(n) for n in range(1, PEOPLE + 1)], channel="sms")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        enqueue(session, (Push(key=f"broadcast:1:{n}", worker_id=n, kind="broadcast", ref_id=1,
                               texts=(f"招聘会通知 {n}",)) for n in range(1, PEOPLE + 1)), now=utcnow())
    engine.dispose()


def _deliver(db_url: str, api: str, data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = wechat_process_env(db_url, api, data_dir, sms_endpoint=api, sms_access_key_id=KEY_ID,
                             sms_access_key_secret=KEY_SECRET, sms_sign_name="开化就业",
                             sms_template_notice="SMS_NOTICE", phone_monthly_budget=1000,
                             push_lease_seconds=1, push_concurrency=CONCURRENCY)
    return subprocess.Popen([sys.executable, "-m", "bot", "deliver", *extra], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_killed_delivery_process_sends_no_sms_twice(db_url: str, tmp_path: Path) -> None:
    _people(db_url)
    fake = FakeAliyun(KEY_ID, KEY_SECRET, templates={"SMS_NOTICE": "${content}"}, sign_names={"开化就业"})
    with serving(create_fake_aliyun(fake), lifespan="off") as api:
        kill_midway(lambda *extra: _deliver(db_url, api, tmp_path, *extra), lambda: len(fake.received), PEOPLE)

    received = Counter(r.phone for r in fake.received)
    assert max(received.values()) == 1, "an SMS arrived twice"
    engine = make_engine(db_url)
    with Session(engine) as session:
        rows = {r.worker_id: r for r in session.exec(select(Outbox))}
        sends = session.exec(select(func.count()).select_from(PhoneSend)).one()
        month = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
        spent = session.get_one(PhoneBudget, month).spent_milli
    engine.dispose()
    by_status = Counter(r.status for r in rows.values())
    assert set(by_status) <= {"sent", "doubt"}, by_status
    assert by_status["doubt"] <= CONCURRENCY
    for worker_id, row in rows.items():
        if row.status == "sent":
            assert received[phone_of(worker_id or 0)] == 1, worker_id
    assert len(received) >= PEOPLE - by_status["doubt"]
    # each push paid for at most once; what a doubtful one reserved stays spent
    assert PEOPLE - by_status["doubt"] <= sends <= PEOPLE and spent == 45 * sends
