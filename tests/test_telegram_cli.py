"""`jobbot telegram poll | set-webhook | delete-webhook` against the fake Bot API: poll as a process
(stopped with Ctrl-C), the one-shot commands through the same entry point in this process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import JobbotCommand, Ran
from fakes.telegram_api import FakeTelegram, message_update

JOBBOT = [sys.executable, "-m", "bot"]


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def environment(data_dir: Path, api: FakeTelegram, **env: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")}
    return {**environ, "JOBBOT_DATA_DIR": str(data_dir), "JOBBOT_TELEGRAM_TOKEN": api.token,
            "JOBBOT_TELEGRAM_API_BASE": api.url, "JOBBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret", **env}


def telegram(jobbot: JobbotCommand, api: FakeTelegram, *args: str, **env: str) -> Ran:
    """`jobbot telegram <args>` with the fake API's token and address, the secret s3cret, and `env`."""
    return jobbot("telegram", *args, **{"JOBBOT_TELEGRAM_TOKEN": api.token, "JOBBOT_TELEGRAM_API_BASE": api.url,
                                        "JOBBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret", **env})


def test_set_webhook_passes_the_secret_and_the_update_types(jobbot: JobbotCommand, api: FakeTelegram) -> None:
    result = telegram(jobbot, api, "set-webhook", "https://jobs.example.org/telegram")
    assert result.returncode == 0, result.stderr
    assert api.webhook is not None
    assert api.webhook["url"] == "https://jobs.example.org/telegram"
    assert api.webhook["secret_token"] == "s3cret"
    assert api.webhook["allowed_updates"] == ["message", "my_chat_member"]
    assert [c["command"] for c in api.commands or []] == ["start", "help", "stop"]

    result = telegram(jobbot, api, "delete-webhook")
    assert result.returncode == 0, result.stderr
    assert api.webhook is None


def test_set_webhook_refuses_without_a_secret_or_a_token(jobbot: JobbotCommand, api: FakeTelegram) -> None:
    result = telegram(jobbot, api, "set-webhook", "https://jobs.example.org/telegram",
                      JOBBOT_TELEGRAM_WEBHOOK_SECRET="")
    assert result.returncode == 1 and "JOBBOT_TELEGRAM_WEBHOOK_SECRET" in result.stderr
    result = telegram(jobbot, api, "poll", JOBBOT_TELEGRAM_TOKEN="")
    assert result.returncode == 1 and "JOBBOT_TELEGRAM_TOKEN" in result.stderr
    assert api.calls_to("setWebhook") == [] and api.calls_to("getUpdates") == []


def test_set_webhook_reports_a_refusal(jobbot: JobbotCommand, api: FakeTelegram) -> None:
    api.fail("setWebhook", status=400, description="Bad Request: bad webhook: HTTPS url must be provided")
    result = telegram(jobbot, api, "set-webhook", "http://jobs.example.org/telegram")
    assert result.returncode == 1 and "https url must be provided" in result.stderr.lower()


def test_poll_answers_updates_and_stops_on_ctrl_c(tmp_path: Path, api: FakeTelegram) -> None:
    api.push_update(message_update(1, 321, text="/start"))
    api.push_update(message_update(2, 321, text="1 登记找活"))
    process = subprocess.Popen([*JOBBOT, "telegram", "poll"], env=environment(tmp_path, api),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        api.wait_for(lambda: any("开始登记" in t for t in api.texts(321)), timeout=30)
        api.push_update(message_update(2, 321, text="1 登记找活"))  # delivered again: not answered again
        api.push_update(message_update(3, 321, text="华埠"))
        api.wait_for(lambda: any("哪个村" in t for t in api.texts(321)), timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert sum("开始登记" in t for t in api.texts(321)) == 1
    assert api.calls_to("deleteWebhook")  # polling and a webhook exclude each other
    polls = api.calls_to("getUpdates")
    assert polls and all(c.params.get("allowed_updates") in (None, ["message", "my_chat_member"]) for c in polls)
