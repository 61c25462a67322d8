"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, a fixed clock,
and a chat harness that drives the real dispatcher (`chat.send("登记")` → reply texts)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, SQLModel, select
from starlette.applications import Starlette
from starlette.testclient import TestClient
from typer.testing import CliRunner

from bot.app import build_dispatcher
from bot.cli import app as jobbot_app
from bot.console import console_routes
from bot.dispatch import Dispatcher
from bot.messages import Kind, Reply, Update
from bot.router import Ctx, Router
from bot.services import Services
from bot.settings import Settings, get_settings
from storage.db import make_engine, session_scope, throwaway_engine, upgrade
from storage.models import ChatAccount, Outbox, Worker, utcnow
from storage.outbox import Push, enqueue
from storage.sql import table_of
from storage.workers import touch_accounts

PG_ADMIN_URL = os.environ.get("JOBBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_answers() -> bool:
    try:
        with throwaway_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file each test copies, so every test starts from a clean schema."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database created for this test run, migrated, and dropped at the end.

    Skipped only where no PostgreSQL server answers; under CI a missing server is a failure.
    """
    if not _postgres_answers():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL does not answer at {PG_ADMIN_URL}; CI must run the PostgreSQL tests")
        pytest.skip("no PostgreSQL server answers")
    name = f"jobbot_test_{uuid.uuid4().hex[:12]}"
    admin = throwaway_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))  # the schedule's own table


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A clean, migrated database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "jobbot.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = throwaway_engine(url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def postgresql_url(postgres_url: str) -> Iterator[str]:
    """A clean, migrated PostgreSQL database only (several servers sharing one database)."""
    yield postgres_url
    engine = throwaway_engine(postgres_url)
    _truncate_all(engine)
    engine.dispose()


def add_wechat_people(db_url: str, count: int, *, prefix: str) -> list[str]:
    """`count` registered workers, each with a WeChat account `<prefix>-0001`…; their openids."""
    return add_people(db_url, [f"{prefix}-{n:04d}" for n in range(1, count + 1)], channel="wechat")


def add_people(db_url: str, user_ids: list[str], *, channel: str) -> list[str]:
    """A registered worker (ids 1, 2 …) for each user id, with an account on `channel`."""
    now = utcnow()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(table_of(Worker)), [{
            "id": n, "town": "华埠镇", "birth_year": 1980, "skills": ["tea"], "availability": ["anytime"],
            "travel_range": "town", "want_job_push": True, "want_fair_push": True, "subscribed": True,
            "created_at": now, "updated_at": now} for n in range(1, len(user_ids) + 1)])
        conn.execute(insert(table_of(ChatAccount)), [{
            "channel": channel, "user_id": user_id, "worker_id": n, "last_inbound_at": now,
            "window_sends": 0, "reachable": True, "created_at": now} for n, user_id in enumerate(user_ids, 1)])
    engine.dispose()
    return user_ids


def queue_broadcast(db_url: str, count: int) -> None:
    """One broadcast push to each of the workers 1 … count."""
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        enqueue(session, (Push(key=f"broadcast:1:{n}", worker_id=n, kind="broadcast", ref_id=1,
                               texts=(f"招聘会通知 {n}",)) for n in range(1, count + 1)), now=utcnow())
    engine.dispose()


def deliver_process(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    """`jobbot deliver` in a process of its own, its errors kept for the test to show."""
    return subprocess.Popen([sys.executable, "-m", "bot", "deliver", *extra], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def each_once(db_url: str, received: list[str], user_of: Callable[[int], str], *, most_doubt: int) -> Counter[str]:
    """After a killed delivery: no user got a push twice, each `sent` row arrived, the rest are
    `doubt` (at most `most_doubt`, what was in flight) and maybe arrived; the rows by status."""
    got = Counter(received)
    assert max(got.values()) == 1, "a push arrived twice"
    engine = make_engine(db_url)
    with Session(engine) as session:
        rows = {r.worker_id or 0: r for r in session.exec(select(Outbox))}
    engine.dispose()
    by_status = Counter(r.status for r in rows.values())
    assert set(by_status) <= {"sent", "doubt"}, by_status
    assert by_status["doubt"] <= most_doubt
    assert all(got[user_of(n)] == 1 for n, row in rows.items() if row.status == "sent")
    assert len(got) >= len(rows) - by_status["doubt"]
    return by_status


def kill_midway(deliver: Callable[..., subprocess.Popen[str]], arrived: Callable[[], int], total: int) -> None:
    """Start a delivery process, SIGKILL it once a third of `total` pushes arrived, let its
    leases run out, then finish the rest with `deliver --once`."""
    first = deliver()
    deadline = time.monotonic() + 90
    while arrived() < total // 3:
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        assert time.monotonic() < deadline, "delivery did not start"
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert arrived() < total, "the batch finished before the kill; make it larger"
    time.sleep(1.5)  # let the dead process's leases run out (a 1-second lease)
    second = deliver("--once")
    assert second.wait(180) == 0, second.stderr.read() if second.stderr else ""


def wechat_process_env(db_url: str, api: str, data_dir: Path, **settings: object) -> dict[str, str]:
    """The environment of a `jobbot` subprocess pushing through the WeChat API at `api`, with
    no quiet hours (a test means the same at any hour), plus `settings` as `JOBBOT_<NAME>`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")}
    env.update({"JOBBOT_DATABASE_URL": db_url, "JOBBOT_DATA_DIR": str(data_dir), "JOBBOT_WECHAT_API_BASE": api,
                "JOBBOT_QUIET_START": "00:00", "JOBBOT_QUIET_END": "00:00",
                "JOBBOT_ELDERLY_QUIET_START": "00:00", "JOBBOT_ELDERLY_QUIET_END": "00:00"})
    env.update({f"JOBBOT_{name.upper()}": str(value) for name, value in settings.items()})
    return env


@dataclass(frozen=True)
class Ran:
    """What one `jobbot` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


JobbotCommand = Callable[..., Ran]


@pytest.fixture
def jobbot(tmp_path: Path, sqlite_template: Path) -> JobbotCommand:
    """`jobbot(*args, stdin="", **env)`: the command run through the program's own entry point,
    in this process (a subprocess would start Python and load the knowledge base again, seconds
    each), with JOBBOT_DATA_DIR=tmp_path holding a migrated SQLite copy, JOBBOT_DATABASE_URL
    unset unless in `env`. An error the command did not handle is raised, not made exit status 1."""
    shutil.copy(sqlite_template, tmp_path / "jobbot.sqlite3")

    def run(*args: str, stdin: str = "", **env: str) -> Ran:
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(jobbot_app, list(args), input=stdin, catch_exceptions=False,
                                        env={"JOBBOT_DATABASE_URL": None, "JOBBOT_DATA_DIR": str(tmp_path), **env})
        finally:
            get_settings.cache_clear()
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A clean SQLite database, for tests whose subject is not the database."""
    path = tmp_path / "jobbot.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class Clock:
    """A settable clock handed to the app instead of the wall clock."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 10, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def advance(services: Services, delta: timedelta) -> None:
    """Move the test's clock on (the harness hands the app a `Clock`)."""
    assert isinstance(services.clock, Clock)
    services.clock.now += delta


def first_group(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text`; the test fails when it is not there."""
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def make_settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: no push delivery or schedule in the background, and messages
    dispatched in the test's own process (its clock, its extra routers), unless asked for."""
    return Settings(**{"database_url": url, "data_dir": data_dir, "background": False, "dispatch_processes": 0,
                       **overrides})


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    """Called at the top of a browser test module: without Debian's Chromium the module is
    skipped, except under CI, where the browser tests must run and its absence fails."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


def touch_account(session: Session, *, channel: str, user_id: str, now: datetime) -> ChatAccount:
    """The account of someone who has just written (created if new), as the dispatcher marks it."""
    ref = touch_accounts(session, [(channel, user_id)], now=now)[(channel, user_id)]
    return session.get_one(ChatAccount, ref.id, populate_existing=True)


def broken_router() -> Router:
    """A router whose command 出错 writes into the person's state, then fails."""
    broken = Router("broken")

    @broken.command("出错")
    def fail(ctx: Ctx) -> Reply:
        ctx.data["half"] = "written"
        raise RuntimeError("boom")

    return broken


@dataclass
class ChatHarness:
    """Push a message as a person, pop the reply: the real dispatcher on a real database."""

    dispatcher: Dispatcher
    channel: str = "console"
    user: str = "villager-1"

    @property
    def engine(self) -> Engine:
        return self.dispatcher.engine

    def send(self, text: str = "", *, user: str | None = None, kind: Kind = Kind.TEXT,
             dedup_key: str | None = None, latitude: float | None = None,
             longitude: float | None = None) -> Reply | None:
        return self.dispatcher.dispatch(Update(self.channel, user or self.user, kind, text,
                                               latitude=latitude, longitude=longitude, dedup_key=dedup_key))

    def say(self, text: str, **kw: Any) -> str:
        """Send and return the whole reply as one text (what a WeChat user would read)."""
        reply = self.send(text, **kw)
        assert reply is not None
        return reply.as_text()

    def conversation(self, *lines: str, **kw: object) -> list[str]:
        return [self.say(line, **kw) for line in lines]


@pytest.fixture
def chat(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[ChatHarness]:
    """A chat harness on SQLite and on PostgreSQL."""
    engine = make_engine(db_url)
    yield ChatHarness(build_dispatcher(make_settings(db_url, tmp_path), engine=engine, clock=clock))
    engine.dispose()


@pytest.fixture
def sqlite_chat(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[ChatHarness]:
    """A chat harness on SQLite only, for tests about wording rather than storage."""
    engine = make_engine(sqlite_url)
    yield ChatHarness(build_dispatcher(make_settings(sqlite_url, tmp_path), engine=engine, clock=clock))
    engine.dispose()


STAFF_TOKEN = "staff-test-token-0123456789"


@pytest.fixture
def staff(chat: ChatHarness) -> Iterator[TestClient]:
    """The staff console API over the `chat` fixture's database, logged in with a bearer token."""
    services = chat.dispatcher.services
    settings = services.settings.model_copy(update={"admin_token": STAFF_TOKEN})
    app = Starlette(routes=console_routes(settings, chat.engine, services))
    with TestClient(app, headers={"Authorization": f"Bearer {STAFF_TOKEN}"}) as client:
        yield client
