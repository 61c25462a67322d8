"""Two `jobbot serve` processes on one PostgreSQL database, as two hosts behind a load balancer
would run: one leads and runs the schedule, both deliver pushes from the shared outbox. The
leader is killed with SIGKILL; the other takes the lead within seconds, every scheduled task
ran once per tick throughout, every push reached the fake WeChat API exactly once, and one
access token served both processes. And `jobbot serve --workers 2` on SQLite: both workers
start, one of them runs the schedule.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from conftest import add_wechat_people, wechat_process_env
from fakes.server import serving
from sqlalchemy import text
from sqlmodel import Session, select

from bot import scheduler
from bot.channels.sandbox.fake_api import FakeWeChat, Sent, create_fake_api
from storage.db import make_engine, session_scope, throwaway_engine
from storage.models import Outbox, ScheduleRun, utcnow
from storage.outbox import Push, enqueue

PEOPLE = 120
TICK = 2  # seconds between two runs of each scheduled task (JOBBOT_SCHEDULE_TICK_SECONDS)
APPID, SECRET = "wx_two_servers", "two-servers-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@contextmanager
def _servers(db_url: str, api: str, tmp_path: Path, count: int,
             workers: int = 1) -> Iterator[list[tuple[subprocess.Popen[str], Path]]]:
    """`count` `jobbot serve --workers N` on the database, each on its own port, ready to serve;
    yields (process, its log file)."""
    started: list[tuple[subprocess.Popen[str], Path]] = []
    ports = []
    try:
        for n in range(count):
            port = _free_port()
            env = wechat_process_env(db_url, api, tmp_path / f"data{n}", host="127.0.0.1", port=port,
                                     wechat_token="t0ken", wechat_appid=APPID, wechat_secret=SECRET,
                                     wechat_template_id="tmpl-two", dispatch_processes=0,
                                     schedule_tick_seconds=TICK, leader_check_seconds=0.5)
            log = tmp_path / f"server{n}.log"
            with log.open("w") as out:
                started.append((subprocess.Popen([sys.executable, "-m", "bot", "serve", "--workers", str(workers)],
                                                 env=env, text=True, stdout=out, stderr=subprocess.STDOUT), log))
            ports.append(port)
        for (process, log), port in zip(started, ports, strict=False):
            _wait(lambda: _healthy(port) or process.poll() is not None,  # noqa: B023 - waited on at once
                  60, "a server did not start")
            assert process.poll() is None, log.read_text()
        yield started
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _leader_pid(db_url: str) -> int | None:
    """The pid of the process holding the schedule's advisory lock, from its connection's name."""
    engine = throwaway_engine(db_url)
    with engine.connect() as conn:
        name = conn.execute(text(
            "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid"
            " where l.locktype = 'advisory' and l.granted and a.datname = current_database()")).scalar()
    engine.dispose()
    return int(name.rsplit(":", 1)[1]) if name else None


def _runs(db_url: str) -> dict[str, ScheduleRun]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        runs = {run.task: run for run in session.exec(select(ScheduleRun))}
    engine.dispose()
    return runs


def _queue(db_url: str, workers: range, ref: int) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        enqueue(session, (Push(key=f"broadcast:{ref}:{n}", worker_id=n, kind="broadcast", ref_id=ref,
                               texts=(f"招聘会通知 {ref}-{n}",)) for n in workers), now=utcnow())
    engine.dispose()


def _broadcast(fake: FakeWeChat) -> list[Sent]:
    """The messages of the pushes the test queued, not the schedule's own (a fair's eve reminders)."""
    return [m for m in fake.messages if m.text.startswith("招聘会通知 ")]


def test_two_servers_share_the_schedule_and_the_outbox_and_survive_the_leader_being_killed(
        postgresql_url: str, tmp_path: Path) -> None:
    fake = FakeWeChat(APPID, SECRET)
    openids = add_wechat_people(postgresql_url, PEOPLE, prefix="o-two")
    for openid in openids:
        fake.user_wrote(openid)
    half = PEOPLE // 2
    launched = time.monotonic()  # the first server may lead from its own start, before the second is ready
    with serving(create_fake_api(fake)) as api, _servers(postgresql_url, api, tmp_path, 2) as servers:
        pids = {process.pid: (process, log) for process, log in servers}
        _wait(lambda: _leader_pid(postgresql_url) in pids, 30, "no server took the lead")
        leader = _leader_pid(postgresql_url)
        assert leader is not None
        [survivor] = set(pids) - {leader}

        _queue(postgresql_url, range(1, half + 1), ref=1)
        _wait(lambda: len(_broadcast(fake)) >= half, 60, "the first pushes were not delivered")
        time.sleep(2 * TICK)
        before_kill = _runs(postgresql_url)
        assert {run.owner.rsplit(":", 1)[1] for run in before_kill.values()} == {str(leader)}

        pids[leader][0].send_signal(signal.SIGKILL)
        pids[leader][0].wait(10)
        killed_at = time.monotonic()
        _wait(lambda: _leader_pid(postgresql_url) == survivor, 60, "nobody took over within a minute")
        takeover = time.monotonic() - killed_at

        _queue(postgresql_url, range(half + 1, PEOPLE + 1), ref=2)
        _wait(lambda: all(run.owner.endswith(f":{survivor}") and run.runs >= before_kill[task].runs + 2
                          for task, run in _runs(postgresql_url).items()), 60,
              "the new leader did not run the schedule")
        _wait(lambda: len(_broadcast(fake)) >= PEOPLE, 60, "the later pushes were not delivered")
        elapsed = time.monotonic() - launched
        survivor_log = pids[survivor][1].read_text()
        killed_log = pids[leader][1].read_text()

    # the schedule: one leader at a time, each task once per tick, the lead taken over quickly
    assert takeover < 10, f"took {takeover:.1f}s"  # candidates check every 0.5 s here, 10 s by default
    assert killed_log.count("leads: it runs the schedule") == 1
    assert survivor_log.count("leads: it runs the schedule") == 1
    runs = _runs(postgresql_url)
    assert {task.id for task in scheduler.TASKS} == set(runs)
    for task, run in runs.items():
        # each tick once, counted from the servers' launch; one tick of slack for the takeover
        assert run.runs <= elapsed / TICK + 2, (task, run.runs, elapsed)

    # the outbox: each push sent once, by whichever server took it; one token for both
    received = Counter((m.openid, m.text) for m in fake.messages)
    assert max(received.values()) == 1, "a push arrived twice"
    engine = make_engine(postgresql_url)
    with Session(engine) as session:
        # the pushes queued here; on the eve of a fair day the schedule also queues its reminders, and
        # sends them from 09:00 Beijing time (this failed on 12-07, the eve of the 8th, twice: once with
        # them still pending, once with them sent beside the broadcast)
        rows = list(session.exec(select(Outbox).where(Outbox.kind == "broadcast")))
    engine.dispose()
    assert len(rows) == PEOPLE
    assert Counter(row.status for row in rows) == {"sent": len(rows)}
    assert len(_broadcast(fake)) == len(rows)
    assert {m.openid for m in _broadcast(fake)} == set(openids)
    assert len(fake.token_fetches()) == 1


def test_the_workers_of_one_server_on_sqlite_run_the_schedule_once_and_all_start(sqlite_url: str,
                                                                                 tmp_path: Path) -> None:
    fake = FakeWeChat(APPID, SECRET)
    started = time.monotonic()  # a worker may lead from its own start, before the server is ready
    with serving(create_fake_api(fake)) as api, _servers(sqlite_url, api, tmp_path, 1, workers=2) as [(server, log)]:
        _wait(lambda: len(_runs(sqlite_url)) == len(scheduler.TASKS), 60, "the schedule did not run")
        time.sleep(3 * TICK)
        runs = _runs(sqlite_url)
        elapsed = time.monotonic() - started
        # both workers started, and neither was declared dead and replaced while it loaded
        assert log.read_text().count("Application startup complete") == 2, log.read_text()
        assert "died" not in log.read_text(), log.read_text()
        [owner] = {run.owner for run in runs.values()}  # one worker leads
        assert _parent(int(owner.rsplit(":", 1)[1])) == server.pid
    for task, run in runs.items():
        assert 2 <= run.runs <= elapsed / TICK + 2, (task, run.runs, elapsed)


def _parent(pid: int) -> int:
    """The parent of a running process, from /proc (Linux)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
