"""One process leads the schedule: a second waits until the first lets go or dies, a leader
whose database connection is cut stops its schedule, and a task's tick is claimed once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from pydantic import ValidationError
from sqlalchemy import text

from bot.app import build_dispatcher
from bot.leader import ScheduleLeader
from bot.settings import Settings
from storage.db import make_engine, session_scope, throwaway_engine
from storage.models import ScheduleRun
from storage.schedule_runs import claim_run


@pytest.fixture
def new_leader(tmp_path: Path) -> Iterator[Callable[[str], ScheduleLeader]]:
    made: list[ScheduleLeader] = []
    engines = []

    def make(url: str) -> ScheduleLeader:
        engine = make_engine(url)
        engines.append(engine)
        dispatcher = build_dispatcher(make_settings(url, tmp_path, leader_check_seconds=0.2), engine=engine)
        leader = ScheduleLeader(engine, dispatcher.services)
        made.append(leader)
        return leader

    yield make
    for leader in made:
        leader.stop()
    for engine in engines:
        engine.dispose()


def _wait(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_one_process_leads_and_the_next_takes_over_when_it_stops(
        db_url: str, new_leader: Callable[[str], ScheduleLeader]) -> None:
    first, second = new_leader(db_url), new_leader(db_url)
    first.start()
    assert _wait(lambda: first.leading)
    second.start()
    time.sleep(1)
    assert not second.leading, "two leaders at once"
    first.stop()
    assert not first.leading
    assert _wait(lambda: second.leading, 5), "nobody took over"


def test_a_leader_whose_connection_is_cut_stops_its_schedule_and_leads_again(
        postgresql_url: str, new_leader: Callable[[str], ScheduleLeader], caplog: pytest.LogCaptureFixture) -> None:
    leader = new_leader(postgresql_url)
    leader.start()
    assert _wait(lambda: leader.leading)
    admin = throwaway_engine(postgresql_url)
    with caplog.at_level(logging.INFO, logger="bot.leader"), admin.connect() as conn:
        killed = conn.execute(text(
            "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted"
            " and database = (select oid from pg_database where datname = current_database())")).all()
        assert killed == [(True,)]
        assert _wait(lambda: "lost the lead" in caplog.text), "the cut connection went unnoticed"
        assert _wait(lambda: leader.leading)
        assert conn.execute(text(
            "select count(*) from pg_locks where locktype = 'advisory' and granted"
            " and database = (select oid from pg_database where datname = current_database())")).scalar() == 1
    admin.dispose()


def test_a_tick_is_claimed_once(db_url: str) -> None:
    engine = make_engine(db_url)
    at = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    gap = timedelta(seconds=300)

    def claim(owner: str, seconds: float) -> bool:
        with session_scope(engine) as session:
            return claim_run(session, task="fairs", owner=owner, now=at + timedelta(seconds=seconds), min_gap=gap)

    assert claim("host-a:1", 0)
    assert not claim("host-b:2", 0)
    assert not claim("host-b:2", 299)
    assert claim("host-b:2", 600)
    with session_scope(engine) as session:
        run = session.get_one(ScheduleRun, "fairs")
        assert (run.owner, run.runs, run.last_started_at) == ("host-b:2", 2, at + timedelta(seconds=600))
    engine.dispose()


@pytest.mark.parametrize("setting", [{"schedule_tick_seconds": 0}, {"leader_check_seconds": 0},
                                     {"leader_check_seconds": 120}])
def test_a_bad_schedule_setting_stops_start_up(setting: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings(**setting)
