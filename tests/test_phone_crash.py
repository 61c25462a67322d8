"""A delivery process killed with SIGKILL in the middle of an SMS broadcast, then restarted: at
the fake provider no phone gets a message twice, and every push is accounted for — as for chat
pushes (test_push_crash). A message that was on its way when the process died is `doubt`, and
its money stays counted as spent: the budget is never overspent by a crash."""

from __future__ import annotations

import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import add_people, deliver_process, each_once, kill_midway, queue_broadcast, wechat_process_env
from fakes.server import serving
from sqlalchemy import func
from sqlmodel import Session, select

from bot.channels.phone_templates import templates
from bot.channels.sandbox.fake_aliyun import FakeAliyun, create_fake_aliyun
from storage.db import make_engine
from storage.models import PhoneBudget, PhoneSend, utcnow

PEOPLE = 300
CONCURRENCY = 4
KEY_ID, KEY_SECRET = "LTAI_crash_test", "crash-secret"


def phone_of(n: int) -> str:
    return f"138{n:08d}"


def _people(db_url: str) -> None:
    add_people(db_url, [phone_of(n) for n in range(1, PEOPLE + 1)], channel="sms")
    queue_broadcast(db_url, PEOPLE)


def _deliver(db_url: str, api: str, data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = wechat_process_env(db_url, api, data_dir, sms_endpoint=api, sms_access_key_id=KEY_ID,
                             sms_access_key_secret=KEY_SECRET, sms_sign_name="开化就业",
                             sms_template_notice="SMS_NOTICE", phone_monthly_budget=1000,
                             push_lease_seconds=1, push_concurrency=CONCURRENCY)
    return deliver_process(env, *extra)


def test_a_killed_delivery_process_sends_no_sms_twice(db_url: str, tmp_path: Path) -> None:
    _people(db_url)
    fake = FakeAliyun(KEY_ID, KEY_SECRET, templates={"SMS_NOTICE": templates("sms")["notice"].text},
                      sign_names={"开化就业"})
    with serving(create_fake_aliyun(fake), lifespan="off") as api:
        kill_midway(lambda *extra: _deliver(db_url, api, tmp_path, *extra), lambda: len(fake.received), PEOPLE)

    by_status = each_once(db_url, [r.phone for r in fake.received], phone_of, most_doubt=CONCURRENCY)
    engine = make_engine(db_url)
    with Session(engine) as session:
        sends = session.exec(select(func.count()).select_from(PhoneSend)).one()
        month = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
        spent = session.get_one(PhoneBudget, month).spent_milli
    engine.dispose()
    # each push paid for at most once; what a doubtful one reserved stays spent
    assert PEOPLE - by_status["doubt"] <= sends <= PEOPLE and spent == 45 * sends
