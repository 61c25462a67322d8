"""A delivery process killed with SIGKILL in the middle of a large push batch, then restarted:
at the fake WeChat API no push arrives twice, and every push is accounted for.

What a dead process was sending at the moment it died cannot be known (WeChat cannot be
asked); those few rows are marked `doubt` for staff instead of being sent again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import add_wechat_people, deliver_process, each_once, kill_midway, queue_broadcast, wechat_process_env
from fakes.server import serving

from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api

PEOPLE = 400
CONCURRENCY = 4
APPID, SECRET = "wx_crash_test", "crash-secret"


def _people(db_url: str) -> None:
    add_wechat_people(db_url, PEOPLE, prefix="o-crash")
    queue_broadcast(db_url, PEOPLE)


def _deliver(db_url: str, api: str, data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = wechat_process_env(db_url, api, data_dir, wechat_appid=APPID, wechat_secret=SECRET,
                             wechat_template_id="tmpl-crash", push_lease_seconds=1, push_concurrency=CONCURRENCY)
    return deliver_process(env, *extra)


def test_a_killed_delivery_process_sends_nothing_twice_and_loses_nothing_silently(db_url: str,
                                                                                 tmp_path: Path) -> None:
    fake = FakeWeChat(APPID, SECRET)
    for n in range(1, PEOPLE + 1):
        fake.user_wrote(f"o-crash-{n:04d}")
    _people(db_url)
    with serving(create_fake_api(fake)) as api:
        kill_midway(lambda *extra: _deliver(db_url, api, tmp_path, *extra), lambda: len(fake.messages), PEOPLE)

    each_once(db_url, [m.openid for m in fake.messages], lambda n: f"o-crash-{n:04d}", most_doubt=CONCURRENCY)
