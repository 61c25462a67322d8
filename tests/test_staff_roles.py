"""Staff accounts for the county, the towns and the villages: every console route walked as each
role (refused where the role may not go), and a town's or a village's staff kept to their own
place at the data layer — lists, ID guessing, writes and broadcasts — on SQLite and PostgreSQL,
with an audit entry naming the account for each audited action."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import Clock, first_group, make_settings
from test_console import API_ROUTES, PAGE_ROUTES, build
from test_console import add_worker as console_worker

from storage import cases
from storage.db import make_engine, session_scope
from storage.models import Job, RightsCase, StaffAccount, StaffAudit

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "kaihua-2026-staff"
HASHED = PasswordHasher().hash(PASSWORD)  # once: argon2 is slow on purpose
ALL = {"admin", "county", "town", "village", "leader"}
WORK = {"admin", "county", "town"}
# Who may use which part of the console, written from the issue rather than from the code.
ALLOWED = [
    ("/console/api/stats", ALL), ("/console/api/questions", ALL),
    ("/console/api/workers", WORK | {"village"}), ("/console/api/villagers", WORK | {"village"}),
    ("/console/api/jobs", WORK), ("/console/api/applications", WORK), ("/console/api/employers", WORK),
    ("/console/api/fairs", WORK),
    ("/console/api/audience", WORK), ("/console/api/broadcasts", WORK),
    ("/console/api/cases", WORK), ("/console/api/courses", WORK), ("/console/api/silver", WORK),
    ("/console/api/graduates", WORK), ("/console/api/internship-bases", WORK), ("/console/api/hardship", WORK),
    ("/console/api/waiting", WORK), ("/console/waiting", WORK),
    ("/console/api/sms-replies", WORK), ("/console/sms-replies", WORK),
    ("/console/api/staff", {"admin"}), ("/console/api/audit", {"admin"}),
    ("/console/jobs", WORK), ("/console/fairs", WORK), ("/console/broadcasts", WORK),
    ("/console/workers", WORK | {"village"}), ("/console/villagers", WORK | {"village"}),
    ("/console/courses", WORK), ("/console/cases", WORK),
    ("/console/silver", WORK), ("/console/graduates", WORK), ("/console/hardship", WORK),
    ("/console/staff", {"admin"}), ("/console/audit", {"admin"}), ("/console/", ALL),
]


def allowed(path: str) -> set[str]:
    return next(roles for prefix, roles in ALLOWED
                if path == prefix or (prefix != "/console/" and path.startswith(prefix)))


@pytest.fixture
def console(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, Engine]]:
    clock.now = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        for name, role, town, village in [("admin-1", "admin", None, None), ("county-1", "county", None, None),
                                          ("huabu-1", "town", "华埠镇", None), ("majin-1", "town", "马金镇", None),
                                          ("jinxing-1", "village", "华埠镇", "金星村"),
                                          ("leader-1", "leader", None, None)]:
            s.add(StaffAccount(name=name, role=role, town=town, village=village, password_hash=HASHED,
                               must_change_password=False, created_at=clock.now))
    with TestClient(build(make_settings(db_url, tmp_path), engine, clock)) as c:
        yield c, engine
    engine.dispose()


def try_login(client: TestClient, name: str, password: str = PASSWORD) -> int:
    client.cookies.clear()
    form = client.get("/console/login")
    token = first_group(r'name="csrf" value="([^"]+)"', form.text)
    status: int = client.post("/console/login", data={"name": name, "password": password, "csrf": token},
                              follow_redirects=False).status_code
    return status


def log_in(client: TestClient, name: str) -> str:
    """Log in as a browser would; the session's CSRF token."""
    assert try_login(client, name) == 303
    page = client.get("/console/")
    return first_group(r'data-csrf="([^"]+)"', page.text)


ROLE_ACCOUNTS = {"admin": "admin-1", "county": "county-1", "town": "huabu-1", "village": "jinxing-1",
                 "leader": "leader-1"}


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_every_route_as_each_role(console: tuple[TestClient, Engine], role: str) -> None:
    client, _ = console
    csrf = log_in(client, ROLE_ACCOUNTS[role])
    for method, path in API_ROUTES:
        response = client.request(method, path, headers={"X-CSRF-Token": csrf}, json={})
        if role in allowed(path) and not (role == "leader" and method != "GET"):
            assert response.status_code not in (401, 403), (role, method, path, response.text)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
    for method, path in PAGE_ROUTES:
        response = client.request(method, path, follow_redirects=False)
        expected = 200 if role in allowed(path) else 403
        assert response.status_code in ((expected, 404, 400) if expected == 200 else (403,)), (role, path)


def add_worker(engine: Engine, town: str, village: str, phone: str, openid: str) -> int:
    return console_worker(engine, town, phone, openid, datetime(2026, 2, 1, tzinfo=TZ), village=village)


def test_a_town_account_sees_and_changes_only_its_own_town(console: tuple[TestClient, Engine]) -> None:
    client, engine = console
    huabu = add_worker(engine, "华埠镇", "金星村", "13800000001", "oWx-huabu-0001")
    add_worker(engine, "华埠镇", "下溪村", "13800000002", "oWx-huabu-0002")
    majin = add_worker(engine, "马金镇", "霞田村", "13900000003", "oWx-majin-0003")
    with session_scope(engine) as s:
        theirs = cases.open_case(s, account_id=None, worker_id=majin, employer="某工地", amount=8800, owed_since=None,
                                 town="马金镇", phone="13900000003", year=2026, now=datetime.now(TZ)).id
        ours = cases.open_case(s, account_id=None, worker_id=huabu, employer="某茶厂", amount=3000, owed_since=None,
                               town="华埠镇", phone="13800000001", year=2026, now=datetime.now(TZ)).id
    csrf = log_in(client, "huabu-1")
    h = {"X-CSRF-Token": csrf}

    listed = client.get("/console/api/workers").json()["workers"]
    assert {w["town"] for w in listed} == {"华埠镇"} and len(listed) == 2
    assert client.get("/console/api/workers?town=马金镇").status_code == 404
    assert client.get(f"/console/api/workers/{majin}/contact").status_code == 404  # guessing an id
    assert client.get(f"/console/api/workers/{huabu}/contact").json()["phone"] == "13800000001"

    assert [c["id"] for c in client.get("/console/api/cases").json()["cases"]] == [ours]
    assert client.get(f"/console/api/cases/{theirs}").status_code == 404
    assert client.get(f"/console/api/cases/{theirs}/contact").status_code == 404
    assert client.post(f"/console/api/cases/{theirs}/status", headers=h, json={"status": "resolved"}).status_code == 404
    with session_scope(engine) as s:
        assert s.get_one(RightsCase, theirs).status == "received"

    refused = client.post("/console/api/jobs", headers=h, json={"title": "采茶工", "employer": "马金茶场",
                                                                "town": "马金"})
    assert refused.status_code == 400 and "华埠镇" in refused.json()["error"]
    posted = client.post("/console/api/jobs", headers=h, json={"title": "采茶工", "employer": "华埠茶场",
                                                               "town": "华埠"})
    assert posted.status_code == 200 and posted.json()["added"]
    with session_scope(engine) as s:
        other = Job(title="挖机师傅", town="马金镇", skills=["construction"], source_key="test-majin-digger")
        s.add(other)
        s.flush()
        other_id = other.id
    assert client.post(f"/console/api/jobs/{other_id}/close", headers=h, json={}).status_code == 404
    assert {j["town"] for j in client.get("/console/api/jobs").json()["jobs"]} == {"华埠镇"}

    everyone = client.post("/console/api/audience", headers=h, json={"audience": {}}).json()
    assert everyone["total"] == 2 and [t["town"] for t in everyone["by_town"]] == ["华埠镇"]
    assert client.post("/console/api/audience", headers=h,
                       json={"audience": {"towns": ["马金镇"]}}).status_code == 404
    made = client.post("/console/api/broadcasts", headers=h, json={"texts": ["华埠镇的通知"], "audience": {}})
    assert made.status_code == 201
    county_made = client.post("/console/api/broadcasts", headers={"X-CSRF-Token": log_in(client, "county-1")},
                              json={"texts": ["全县通知"], "audience": {}}).json()["broadcast"]["id"]
    csrf = log_in(client, "huabu-1")
    listed = client.get("/console/api/broadcasts").json()["broadcasts"]
    assert [b["id"] for b in listed] == [made.json()["broadcast"]["id"]]
    assert client.get(f"/console/api/broadcasts/{county_made}").status_code == 404
    assert client.post(f"/console/api/broadcasts/{county_made}/confirm",
                       headers={"X-CSRF-Token": csrf}).status_code == 404


def test_a_village_account_sees_only_its_village_and_a_leader_never_sees_a_phone(
        console: tuple[TestClient, Engine]) -> None:
    client, engine = console
    ours = add_worker(engine, "华埠镇", "金星村", "13800000001", "oWx-huabu-0001")
    other = add_worker(engine, "华埠镇", "下溪村", "13800000002", "oWx-huabu-0002")
    log_in(client, "jinxing-1")
    assert [w["id"] for w in client.get("/console/api/workers").json()["workers"]] == [ours]
    assert client.get(f"/console/api/workers/{other}/contact").status_code == 404
    assert client.get("/console/api/jobs").status_code == 403
    log_in(client, "leader-1")
    assert client.get("/console/api/stats").status_code == 200
    assert client.get(f"/console/api/workers/{ours}/contact").status_code == 403
    assert client.get("/console/api/workers").status_code == 403


def test_audited_actions_name_the_account_and_never_a_whole_phone(console: tuple[TestClient, Engine]) -> None:
    client, engine = console
    worker = add_worker(engine, "华埠镇", "金星村", "13800000001", "oWx-huabu-0001")
    csrf = log_in(client, "admin-1")
    h = {"X-CSRF-Token": csrf}
    client.get(f"/console/api/workers/{worker}/contact")
    client.post("/console/api/jobs", headers=h, json={"title": "采茶工", "employer": "华埠茶场", "town": "华埠"})
    made = client.post("/console/api/staff", headers=h, json={"name": "changhong-1", "role": "town", "town": "长虹"})
    assert made.status_code == 201 and made.json()["town"] == "长虹乡" and len(made.json()["password"]) >= 10
    assert client.post("/console/api/staff", headers=h, json={"name": "x", "role": "town"}).status_code == 400
    client.post(f"/console/api/staff/{made.json()['id']}/disable", headers=h)
    entries = client.get("/console/api/audit").json()["entries"]
    assert {(e["actor"], e["action"]) for e in entries} >= {
        ("admin-1", "login"), ("admin-1", "worker.contact"), ("admin-1", "job.add"), ("admin-1", "staff.add"),
        ("admin-1", "staff.disable")}
    exported = client.get("/console/api/audit.csv").text
    assert "查看电话" in exported and "admin-1" in exported
    with session_scope(engine) as s:
        text = " ".join(str((a.target, a.detail)) for a in s.exec(select(StaffAudit)))
    assert "13800000001" not in text and made.json()["password"] not in text
    assert try_login(client, "changhong-1", made.json()["password"]) == 401  # disabled
