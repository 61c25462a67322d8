"""What staff read on the console: job statuses in Chinese, which target year the dashboard
compares against, one report line per state a person can be in, and dates and times in forms
written the way Chinese staff write them, whatever language the browser speaks."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import Clock, make_settings
from test_console import PAGE_ROUTES, TOKEN, build

from bot.app import build_dispatcher
from bot.outreach.jobs import post_job
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import ChatAccount, Worker, saved_id

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def console(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, Engine, Clock]]:
    clock.now = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    engine = make_engine(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path, admin_token=TOKEN)
    with TestClient(build(settings, engine, clock), headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client, engine, clock
    engine.dispose()


def cells(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    return [row for row in rows if row]


def test_the_jobs_table_says_the_status_in_chinese(console: tuple[TestClient, Engine, Clock], sqlite_url: str,
                                                   tmp_path: Path) -> None:
    client, engine, clock = console
    services = build_dispatcher(make_settings(sqlite_url, tmp_path), engine=engine, clock=clock).services
    with session_scope(engine) as session:
        post_job(session, services, {"title": "春茶采摘工", "employer": "示范茶场", "town": "华埠"})
    rows = cells(client.get("/console/jobs").text, "jobs-table")
    title = re.sub(r"<[^>]+>", "", rows[0][1])  # the title links to the job page
    assert title == "春茶采摘工" and rows[0][7] == "招聘中"
    assert client.get("/console/api/jobs", params={"status": "open"}).json()["jobs"][0]["status_label"] == "招聘中"


@pytest.mark.parametrize(("year", "target_year", "carried_over"), [(2026, 2025, True), (2024, 2024, False)])
def test_the_dashboard_says_which_target_year_it_compares_with(console: tuple[TestClient, Engine, Clock], year: int,
                                                                target_year: int, carried_over: bool) -> None:
    client, _, clock = console
    clock.now = datetime(year, 6, 1, 10, 0, tzinfo=TZ)
    page = client.get("/console/").text
    compared = page.split('id="compared"', 1)[1].split("</p>", 1)[0]
    assert f"{year}年1月1日到今天的实际数字" in compared and "每年目标" in compared
    assert (f"沿用{target_year}年的年度目标" in compared) is carried_over
    assert f"<th>{year}年实际</th><th>年度目标（按{target_year}年）</th>" in page
    assert client.get("/console/api/stats").json()["target_year"] == target_year


def test_the_broadcast_report_has_one_line_per_state(console: tuple[TestClient, Engine, Clock]) -> None:
    client, engine, clock = console
    with session_scope(engine) as s:
        for n in range(3):
            worker = Worker(town="华埠镇", skills=["tea"], availability=["anytime"])
            s.add(worker)
            s.flush()
            s.add(ChatAccount(channel="wechat", user_id=f"oReport{n}", worker_id=worker.id))
    broadcast = client.post("/console/api/broadcasts", json={"texts": ["通知"], "audience": {"towns": ["华埠镇"]}},
                            headers={"X-Console": "1"}).json()["broadcast"]["id"]
    assert client.post(f"/console/api/broadcasts/{broadcast}/confirm", headers={"X-Console": "1"}).json()["queued"] == 3
    with session_scope(engine) as s:  # one row taken by the delivery worker, one of them already being sent
        taken = outbox.claim_due(s, now=clock.now + timedelta(days=1), limit=2, lease=timedelta(minutes=5))
        outbox.mark_sending(s, outbox_id=saved_id(taken[0]))
    report = client.get(f"/console/api/broadcasts/{broadcast}").json()["report"]
    assert report["counts"] == {"claimed": 1, "sending": 1, "pending": 1}
    labels = [r["label"] for r in report["rows"]]
    assert len(labels) == len(set(labels)) and {"row": "sending", "label": "发送中", "count": 2} in report["rows"]
    page = client.get(f"/console/broadcasts/{broadcast}").text
    table = page.split('class="report"', 1)[1].split("</table>", 1)[0]
    assert table.count("发送中") == 1 and re.search(r'data-count="sending">2<', table)


@pytest.mark.parametrize("method,path", [r for r in PAGE_ROUTES if "{" not in r[1] and r[1].count("/1") == 0])
def test_every_page_is_chinese_and_asks_no_date_in_the_browsers_format(console: tuple[TestClient, Engine, Clock],
                                                                        method: str, path: str) -> None:
    client, _, _ = console
    page = client.get(path).text
    assert '<html lang="zh-CN">' in page
    assert not re.search(r'type="(date|time|datetime-local|month|week)"', page), path


@pytest.mark.parametrize(("day", "start", "end", "shown"), [
    ("2026-03-20", "09:30", "14:00", ("09:30", "14:00")),
    ("2026年3月20日", "9点半", "下午2点", ("09:30", "14:00")),
    ("２０２６/３/２０", "９：３０", "十四点", ("09:30", "14:00")),
])
def test_fair_dates_and_times_are_read_as_chinese_staff_write_them(console: tuple[TestClient, Engine, Clock],
                                                                   day: str, start: str, end: str,
                                                                   shown: tuple[str, str]) -> None:
    client, _, _ = console
    fair = client.post("/console/api/fairs", headers={"X-Console": "1"}, json={
        "kind": "春风送岗", "title": "春风送岗·华埠镇专场", "town": "华埠镇", "venue": "华埠镇零工市场",
        "date": day, "start": start, "end": end})
    assert fair.status_code == 201, fair.text
    assert (fair.json()["date"], fair.json()["start"], fair.json()["end"]) == ("2026-03-20", *shown)


@pytest.mark.parametrize("day", ["20.3.", "2026-13-01", "明天", "2026年3月"])
def test_a_date_that_cannot_be_read_is_refused_with_the_accepted_forms(console: tuple[TestClient, Engine, Clock],
                                                                       day: str) -> None:
    client, _, _ = console
    refused = client.post("/console/api/fairs", headers={"X-Console": "1"}, json={
        "kind": "春风送岗", "title": "t", "venue": "v", "date": day, "start": "09:00"})
    assert refused.status_code == 400 and "2026年3月18日" in refused.json()["error"]
