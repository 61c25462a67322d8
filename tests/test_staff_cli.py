"""The staff commands as a newcomer meets them: one Chinese help text, local times, and
`jobbot jobs import` / `jobs list` that say clearly what they did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import typer
from conftest import touch_account
from typer.testing import CliRunner

from bot.app import prepare_database
from bot.cli import app
from bot.outreach.jobs import post_job
from bot.postings import COLUMNS
from bot.services import Services
from bot.settings import get_settings
from storage.db import session_scope
from storage.jobs import apply

HEADER = "岗位名称,用工单位,乡镇,招聘人数,工资"


@pytest.fixture
def staff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on a fresh SQLite database in tmp_path."""
    monkeypatch.setenv("JOBBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOBBOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("JOBBOT_TIMEZONE", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def sheet(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "岗位.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    return path


def test_a_headcount_that_is_not_a_number_is_a_bad_row_and_the_import_exits_1(staff: CliRunner,
                                                                           tmp_path: Path) -> None:
    path = sheet(tmp_path, "春茶采摘工,示范茶场,华埠,abc,150元/天", "帮厨,示范饭店,马金,三人,面议",
                 "保洁员,示范家政,芹阳,若干,面议")
    result = staff.invoke(app, ["jobs", "import", str(path)])
    assert result.exit_code == 1
    assert "新增 2 个岗位" in result.stdout
    assert re.search(r"第 2 行没有导入：.*abc", result.stdout)
    listed = staff.invoke(app, ["jobs", "list"]).stdout
    assert "春茶采摘工" not in listed and "招3人" in listed and "保洁员" in listed


def test_an_import_without_refused_rows_exits_0(staff: CliRunner, tmp_path: Path) -> None:
    result = staff.invoke(app, ["jobs", "import", str(sheet(tmp_path, "帮厨,示范饭店,马金,2,面议"))])
    assert result.exit_code == 0 and "新增 1 个岗位" in result.stdout


def test_a_missing_file_is_one_chinese_line(staff: CliRunner, tmp_path: Path) -> None:
    result = staff.invoke(app, ["jobs", "import", str(tmp_path / "没有这个.xlsx")])
    assert result.exit_code == 2
    assert "找不到文件" in result.stderr and "没有这个.xlsx" in result.stderr
    assert "does not exist" not in result.output and "Invalid value" not in result.output


def test_import_help_lists_the_column_names_and_exit_statuses(staff: CliRunner) -> None:
    text = staff.invoke(app, ["jobs", "import", "--help"], terminal_width=200).stdout
    for names in COLUMNS.values():
        assert all(name in text for name in names)
    assert "退出状态" in text and "1 有的行没有导入" in text


def test_jobs_list_starts_with_a_header_row_and_says_the_status_in_chinese(staff: CliRunner, tmp_path: Path) -> None:
    assert staff.invoke(app, ["jobs", "import", str(sheet(tmp_path, "帮厨,示范饭店,马金,2,面议"))]).exit_code == 0
    lines = staff.invoke(app, ["jobs", "list"]).stdout.splitlines()
    assert lines[0].split("\t") == ["编号", "状态", "乡镇", "岗位", "工种", "工资", "人数"]
    assert lines[1].split("\t")[1:4] == ["招聘中", "马金镇", "帮厨"]


@pytest.mark.parametrize(("zone", "shown"), [(None, "2026-03-10 10:05"), ("UTC", "2026-03-10 02:05"),
                                             ("Europe/Berlin", "2026-03-10 03:05")])
def test_application_times_are_in_jobbot_timezone(staff: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                   zone: str | None, shown: str) -> None:
    if zone:
        monkeypatch.setenv("JOBBOT_TIMEZONE", zone)
    settings = get_settings()
    applied_at = datetime(2026, 3, 10, 2, 5, tzinfo=UTC)
    services = Services(settings=settings, clock=lambda: applied_at)
    with session_scope(prepare_database(settings)) as session:
        job, _ = post_job(session, services, {"title": "帮厨", "employer": "示范饭店", "town": "马金"})
        assert job is not None
        account = touch_account(session, channel="wechat", user_id="oWorker01", now=applied_at)
        apply(session, job=job, account=account, now=applied_at)
    result = staff.invoke(app, ["jobs", "applications"])
    assert result.exit_code == 0 and result.stdout.startswith(shown), result.stdout


def test_log_lines_carry_jobbot_timezone_times(tmp_path: Path) -> None:
    code = ("from bot.app import configure_logging; import logging; "
            "configure_logging(); logging.getLogger('t').info('x')")
    env = {**os.environ, "TZ": "UTC", "JOBBOT_TIMEZONE": "Asia/Shanghai", "JOBBOT_DATA_DIR": str(tmp_path)}
    before = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H")
    logged = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60).stderr
    after = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H")
    assert logged.startswith((before, after)), logged


def _commands(command: Any, ctx: typer.Context, path: list[str]) -> Iterator[list[str]]:  # typer's click tree
    yield path
    for name in getattr(command, "commands", {}):
        sub = command.get_command(ctx, name)
        yield from _commands(sub, typer.Context(sub, parent=ctx, info_name=name), [*path, name])


def test_every_help_page_is_chinese_without_type_markers(staff: CliRunner) -> None:
    root = typer.main.get_command(app)
    pages = list(_commands(root, typer.Context(root, info_name="jobbot"), []))
    assert ["jobs", "import"] in pages and ["db", "upgrade"] in pages
    for path in pages:
        text = staff.invoke(app, [*path, "--help"], terminal_width=200).stdout
        assert "显示这段说明，然后退出" in text, path
        assert "Show this message" not in text and not re.search(r"<\w+>", text), (path, text)


def test_every_option_says_what_it_is_for(staff: CliRunner) -> None:
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="jobbot")
    missing = []
    for path in _commands(root, ctx, []):
        command: Any = root
        for name in path:
            command = command.get_command(ctx, name)
        missing += [f"{' '.join(path)} {p.name}" for p in command.params if not p.help]
    assert not missing
