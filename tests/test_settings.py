"""Settings are checked when they load: a wrong value stops `jobbot serve` at start with one
clear line per mistake, instead of failing hours later inside a scheduled task."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe

GOOD_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def problems(**values: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Settings(**values)
    return describe(caught.value)


@pytest.mark.parametrize(("values", "variable"), [
    ({"quiet_start": "25:00"}, "JOBBOT_QUIET_START=25:00"),
    ({"elderly_quiet_end": "9点"}, "JOBBOT_ELDERLY_QUIET_END=9点"),
    ({"digest_at": "09:5"}, "JOBBOT_DIGEST_AT=09:5"),
    ({"fair_remind_eve": "12:60"}, "JOBBOT_FAIR_REMIND_EVE=12:60"),
    ({"wechat_template_fields": "thing1,,thing2"}, "JOBBOT_WECHAT_TEMPLATE_FIELDS=thing1,,thing2"),
    ({"wechat_template_fields": "thing1:abc"}, "JOBBOT_WECHAT_TEMPLATE_FIELDS=thing1:abc"),
    ({"wechat_template_fields": "时间"}, "JOBBOT_WECHAT_TEMPLATE_FIELDS=时间"),
    ({"timezone": "Asia/Kaihua"}, "JOBBOT_TIMEZONE=Asia/Kaihua"),
    ({"port": 70000}, "JOBBOT_PORT=70000"),
    ({"wechat_reply_budget": 6}, "JOBBOT_WECHAT_REPLY_BUDGET=6"),
    ({"job_daily_cap": 0}, "JOBBOT_JOB_DAILY_CAP=0"),
    ({"fair_start": "13:00"}, "JOBBOT_FAIR_END=12:00"),
])
def test_a_wrong_setting_is_named_with_its_value_and_a_chinese_reason(values: dict[str, object], variable: str) -> None:
    lines = problems(**values)
    assert len(lines) == 1 and variable in lines[0], lines
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0].split(variable, 1)[1])


@pytest.mark.parametrize("key", [GOOD_AES_KEY[:42], GOOD_AES_KEY + "H", GOOD_AES_KEY[:42] + "="])
def test_an_aes_key_of_the_wrong_shape_is_refused_without_printing_it(key: str) -> None:
    lines = problems(wechat_aes_key=key)
    assert lines[0].startswith("JOBBOT_WECHAT_AES_KEY：") and "43" in lines[0]
    assert key not in lines[0]


def test_good_values_load_and_times_are_written_one_way() -> None:
    settings = Settings(quiet_start="8:00", quiet_end=" 07:30 ", wechat_aes_key=GOOD_AES_KEY,
                        wechat_template_fields="thing1, thing2:15", timezone="Asia/Shanghai")
    assert (settings.quiet_start, settings.quiet_end) == ("08:00", "07:30")
    assert settings.wechat_template_fields == "thing1,thing2:15"
    assert Settings().wechat_aes_key is None and Settings(wechat_aes_key="").wechat_aes_key is None


def test_serve_with_a_wrong_setting_stops_at_once_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "JOBBOT_DATA_DIR": str(tmp_path), "JOBBOT_QUIET_START": "25:00",
           "JOBBOT_WECHAT_AES_KEY": "not-a-key-at-all", "JOBBOT_PORT": str(free_port())}
    env.pop("JOBBOT_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "bot", "serve"], capture_output=True, text=True, env=env,
                            timeout=30)  # without the check the server would run on
    assert result.returncode == 2
    assert "设置有误" in result.stderr and "JOBBOT_QUIET_START=25:00" in result.stderr
    assert "JOBBOT_WECHAT_AES_KEY" in result.stderr and "not-a-key-at-all" not in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("url", "set_to", "children"),
    [(None, None, 1), ("postgresql+psycopg://u@h/db", None, 2), ("postgresql+psycopg://u@h/db", 0, 0),
     ("postgresql+psycopg://u@h/db", 3, 3), (None, 2, 2)],
)
def test_dispatch_children_default_to_one_on_sqlite_and_two_on_postgresql(
    tmp_path: Path, url: str | None, set_to: int | None, children: int
) -> None:
    settings = Settings(database_url=url, data_dir=tmp_path, dispatch_processes=set_to)
    assert settings.dispatch_children == children
