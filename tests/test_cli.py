"""The `jobbot` program as people script it: chat over a pipe, seed twice, db upgrade. What
is about the process itself (a second process, what lands on its stderr) runs `python -m bot`;
the rest runs the same entry point in this process (`jobbot`), seconds quicker a command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import JobbotCommand
from sqlmodel import Session, select

from storage.db import make_engine
from storage.models import Course, Employer, Fair, Job, Worker

JOBBOT = [sys.executable, "-m", "bot"]


def run(args: list[str], data_dir: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "JOBBOT_DATA_DIR": str(data_dir), **env}
    environ.pop("JOBBOT_DATABASE_URL", None) if "JOBBOT_DATABASE_URL" not in env else None
    return subprocess.run([*JOBBOT, *args], input=stdin, capture_output=True, text=True, env=environ, timeout=120)


def test_chat_reads_lines_from_a_pipe_and_a_second_process_continues(tmp_path: Path) -> None:
    first = run(["chat", "--user", "u1"], tmp_path, "登记\n华埠\n金星村\n")
    assert first.returncode == 0, first.stderr
    assert "哪个乡镇" in first.stdout and "岁数" in first.stdout
    second = run(["chat", "--user", "u1"], tmp_path, "六十二\n1\n1\n2\n1\n1\n1\n")
    assert second.returncode == 0, second.stderr
    assert "会做哪些活" in second.stdout and "登记好了" in second.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'jobbot.sqlite3'}")
    with Session(engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (worker.town, worker.age) == ("华埠镇", 62)


def test_seed_twice_changes_nothing(jobbot: JobbotCommand, tmp_path: Path) -> None:
    first = jobbot("seed")
    assert first.returncode == 0, first.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'jobbot.sqlite3'}")

    def counts() -> tuple[int, ...]:
        with Session(engine) as session:
            return tuple(len(session.exec(select(m)).all()) for m in (Employer, Job, Fair, Course))

    once = counts()
    assert all(once)
    second = jobbot("seed")
    assert second.returncode == 0 and "jobs +0" in second.stdout
    assert counts() == once


def test_db_upgrade_on_postgresql(jobbot: JobbotCommand, postgres_url: str) -> None:
    result = jobbot("db", "upgrade", JOBBOT_DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stderr


def test_a_policy_question_in_the_terminal_prints_no_library_debug_lines(tmp_path: Path) -> None:
    result = run(["chat"], tmp_path, "创业贷款能贷多少\n")
    assert result.returncode == 0, result.stderr
    assert "2100" in result.stdout
    assert "DEBUG" not in result.stderr and "Building index" not in result.stderr


def test_the_readme_says_how_to_reach_the_installed_command() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    using = readme.split("## Using it", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in using and ".venv/bin/jobbot" in using


def test_demo_on_a_busy_port_says_so_in_one_line_and_makes_nothing(tmp_path: Path) -> None:
    with socket.socket() as other:  # another program already listening there
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run(["demo", "--port", str(port), "--host", "127.0.0.1"], tmp_path / "data")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert f"端口 {port} 已经被别的程序占用" in result.stderr and f"--port {port + 1}" in result.stderr
    assert "密码" not in result.stdout and "/sandbox/" not in result.stdout and "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # no database, no console token


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run(["serve"], tmp_path, JOBBOT_PORT=str(port), JOBBOT_HOST="127.0.0.1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"端口 {port} 已经被别的程序占用" in result.stderr and f"JOBBOT_PORT={port + 1}" in result.stderr


def test_staff_accounts_from_the_command_line(jobbot: JobbotCommand) -> None:
    made = jobbot("staff", "add", "华埠-工作人员", "--role", "town", "--town", "华埠")
    assert made.returncode == 0, made.stderr
    password = made.stdout.split("临时密码：")[1].split("（")[0]
    assert "华埠镇" in made.stdout and len(password) >= 10
    assert jobbot("staff", "add", "无镇", "--role", "town").returncode == 1
    assert "角色" in jobbot("staff", "add", "错角色", "--role", "boss").stderr
    admin = jobbot("staff", "add", "县管理员", "--role", "admin", "--password-stdin", stdin="county-admin-2026\n")
    assert admin.returncode == 0 and "临时密码" not in admin.stdout
    listed = jobbot("staff", "list").stdout
    assert "华埠-工作人员\t乡镇工作人员\t华埠镇\t待改初始密码" in listed and "县管理员\t县级管理员\t全县" in listed
    reset = jobbot("staff", "reset-password", "华埠-工作人员")
    assert reset.returncode == 0 and password not in reset.stdout
    assert jobbot("staff", "disable", "华埠-工作人员").returncode == 0
    assert "已停用" in jobbot("staff", "list").stdout
    assert jobbot("staff", "disable", "没有这人").returncode == 1
