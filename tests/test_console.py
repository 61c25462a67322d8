"""The staff console: no page or API answers without the admin token, the login cookie and its
limits, and the API end to end (fairs, broadcasts, workers masked, figures exported)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.routing import Mount, Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness, Clock, first_group, make_settings

from bot.cli import proxy_options
from bot.console import console_routes, demo_admin, demo_admin_token
from bot.console.auth import COOKIE
from bot.console.context import mask_phone
from bot.services import Services
from bot.settings import Settings
from storage import staff as store
from storage.db import make_engine, session_scope
from storage.models import ChatAccount, Job, PolicyQuestion, StaffAudit, Worker, WorkerSkill, saved_id
from storage.questions import log_question

TOKEN = "test-admin-token-0123456789"
TZ = ZoneInfo("Asia/Shanghai")


def build(settings: Settings, engine: Engine, clock: Clock | None = None) -> Starlette:
    services = Services(settings=settings, clock=clock or Clock())
    app = Starlette(routes=console_routes(settings, engine, services))
    app.state.engine = engine
    return app


def all_routes() -> list[tuple[str, str]]:
    """(method, path) of every console route but login, logout and the static files."""
    app = build(Settings(admin_token=TOKEN, database_url="sqlite://"), make_engine("sqlite://"))
    found: list[tuple[str, str]] = []

    def walk(routes: list, prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount) and route.routes:
                walk(route.routes, prefix + route.path)
            elif isinstance(route, Route):
                path = prefix + re.sub(r"\{[^}]+\}", "1", route.path)
                if path.endswith(("/login", "/logout", "/password")):
                    continue
                found.extend((m, path) for m in sorted(route.methods or ()) if m != "HEAD")

    walk(app.routes, "")
    return found


ROUTES = all_routes()
API_ROUTES = [r for r in ROUTES if r[1].startswith("/console/api/")]
PAGE_ROUTES = [r for r in ROUTES if not r[1].startswith("/console/api/")]


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    engine = make_engine(sqlite_url)
    with TestClient(build(make_settings(sqlite_url, tmp_path, admin_token=TOKEN), engine, clock)) as c:
        yield c
    engine.dispose()


def test_the_route_list_covers_the_console() -> None:
    assert len(API_ROUTES) >= 20 and ("POST", "/console/api/broadcasts/1/confirm") in API_ROUTES
    assert ("GET", "/console/") in PAGE_ROUTES and ("GET", "/console/workers") in PAGE_ROUTES


@pytest.mark.parametrize("method,path", API_ROUTES)
@pytest.mark.parametrize("credential", ["none", "wrong bearer", "empty bearer", "forged cookie", "ended session"])
def test_every_api_route_refuses_a_missing_or_wrong_credential(client: TestClient, method: str, path: str,
                                                               credential: str) -> None:
    headers = {}
    if credential == "wrong bearer":
        headers["Authorization"] = "Bearer " + TOKEN[:-1] + "x"
    elif credential == "empty bearer":
        headers["Authorization"] = "Bearer "
    elif credential == "forged cookie":
        client.cookies.set(COOKIE, "9999999999.deadbeef", path="/console")
    elif credential == "ended session":
        make_account(client, "kept-out", "admin")
        csrf = login(client, "kept-out")
        client.post("/console/logout", data={"csrf": csrf})
        use_cookie(client, LAST_SESSION[0])
        headers["X-CSRF-Token"] = csrf
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.json()["error"].startswith("需要登录")


@pytest.mark.parametrize("method,path", PAGE_ROUTES)
def test_every_page_sends_strangers_to_the_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")


@pytest.mark.parametrize("method,path", [*ROUTES, ("GET", "/console/login"), ("POST", "/console/login")])
def test_without_a_token_or_an_account_the_console_refuses_everything(sqlite_url: str, tmp_path: Path, method: str,
                                                                     path: str) -> None:
    engine = make_engine(sqlite_url)
    with TestClient(build(make_settings(sqlite_url, tmp_path), engine)) as c:
        response = c.request(method, path, follow_redirects=False)
    engine.dispose()
    assert response.status_code == 503 and "jobbot staff add" in response.text


PASSWORD = "kaihua-2026-staff"
LAST_SESSION: list[str] = []


def use_cookie(client: TestClient, session: str) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, session, path="/console")


def make_account(client: TestClient, name: str, role: str, town: str | None = None, village: str | None = None,
                 *, must_change: bool = False) -> None:
    engine: Engine = cast(Starlette, client.app).state.engine
    with session_scope(engine) as s:
        account = store.add_account(s, name=name, role=role, town=town, village=village, password=PASSWORD,
                                    now=datetime.now(TZ), must_change_password=must_change)
        assert account.id


def login(client: TestClient, name: str, password: str = PASSWORD, next_: str = "/console/") -> str:
    """Log in through the form as a browser would; the session's CSRF token, or "" if refused."""
    form = client.get("/console/login")
    token = first_group(r'name="csrf" value="([^"]+)"', form.text)
    response = client.post("/console/login", data={"name": name, "password": password, "next": next_,
                                                   "csrf": token}, follow_redirects=False)
    if response.status_code != 303:
        return ""
    LAST_SESSION[:] = [response.cookies.get(COOKIE) or ""]
    use_cookie(client, LAST_SESSION[0])
    page = client.get(response.headers["location"])
    found = re.search(r'data-csrf="([^"]*)"', page.text)
    return found.group(1) if found else ""


def test_login_sets_a_strict_httponly_session_cookie_and_writes_need_its_csrf_token(client: TestClient) -> None:
    make_account(client, "county-a", "county")
    form = client.get("/console/login")
    token = first_group(r'name="csrf" value="([^"]+)"', form.text)
    response = client.post("/console/login", data={"name": "county-a", "password": PASSWORD, "csrf": token,
                                                   "next": "/console/fairs"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/fairs"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert PASSWORD not in response.headers["set-cookie"]
    page = client.get("/console/fairs")
    assert page.status_code == 200
    csrf = first_group(r'data-csrf="([^"]+)"', page.text)
    body = {"texts": ["通知"], "audience": {}}
    assert client.post("/console/api/broadcasts", json=body).status_code == 403  # a cross-site form could do this
    assert client.post("/console/api/broadcasts", json=body, headers={"X-CSRF-Token": "x" + csrf}).status_code == 403
    assert client.post("/console/api/broadcasts", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_a_login_form_posted_from_elsewhere_is_refused(client: TestClient) -> None:
    make_account(client, "county-a", "county")
    response = client.post("/console/login", data={"name": "county-a", "password": PASSWORD, "csrf": "guess"},
                           follow_redirects=False)
    assert response.status_code == 403 and COOKIE not in response.headers.get("set-cookie", "")


def test_logout_ends_the_session_on_the_server_and_cannot_be_triggered_cross_site(client: TestClient) -> None:
    make_account(client, "county-a", "county")
    csrf = login(client, "county-a")
    session = LAST_SESSION[0]
    assert client.post("/console/logout", data={}).status_code == 403  # a form on another site has no token
    assert client.get("/console/", follow_redirects=False).status_code == 200
    client.post("/console/logout", data={"csrf": csrf})
    assert client.get("/console/", follow_redirects=False).status_code == 303
    use_cookie(client, session)  # the old cookie, kept by someone
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_wrong_passwords_lock_the_account_not_the_colleagues_behind_the_same_address(client: TestClient) -> None:
    make_account(client, "town-a", "town", "华埠镇")
    make_account(client, "town-b", "town", "华埠镇")
    assert login(client, "town-a", "wrong-password-1") == ""
    assert login(client, "nobody", PASSWORD) == ""
    for _ in range(4):
        login(client, "town-a", "wrong-password-1")
    assert login(client, "town-a") == ""  # even the right password waits now
    assert login(client, "town-b") != ""  # a colleague at the next desk is not locked out
    engine: Engine = cast(Starlette, client.app).state.engine
    with session_scope(engine) as s:
        fails = s.exec(select(StaffAudit).where(col(StaffAudit.action) == "login.fail")).all()
        assert {a.actor for a in fails} == {"town-a", "nobody"}


def test_login_never_redirects_away(client: TestClient) -> None:
    make_account(client, "county-a", "county")
    for target in ("https://evil.example/", "//evil.example/"):
        form = client.get("/console/login")
        token = first_group(r'name="csrf" value="([^"]+)"', form.text)
        response = client.post("/console/login", data={"name": "county-a", "password": PASSWORD, "csrf": token,
                                                       "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/console/"


def test_wrong_bearer_tokens_are_counted_and_slowed(client: TestClient) -> None:
    for _ in range(30):
        assert client.get("/console/api/stats", headers={"Authorization": "Bearer guess"}).status_code == 401
    refused = client.get("/console/api/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429


def test_a_session_ends_after_idle_time_and_after_its_longest_life(sqlite_url: str, tmp_path: Path,
                                                                   clock: Clock) -> None:
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    engine = make_engine(sqlite_url)
    with TestClient(build(make_settings(sqlite_url, tmp_path, admin_token=TOKEN), engine, clock)) as c:
        make_account(c, "county-a", "county")
        login(c, "county-a")
        for _ in range(11):  # busy all day: a request every 25 minutes keeps the session
            clock.now += timedelta(minutes=25)
            assert c.get("/console/", follow_redirects=False).status_code == 200
        clock.now += timedelta(hours=1, minutes=10)  # past 12 hours in all
        assert c.get("/console/", follow_redirects=False).status_code == 303
        login(c, "county-a")
        clock.now += timedelta(minutes=31)  # away from the desk
        assert c.get("/console/", follow_redirects=False).status_code == 303
    engine.dispose()


def test_first_login_must_change_the_password_and_a_change_ends_other_sessions(client: TestClient) -> None:
    make_account(client, "new-staff", "county", must_change=True)
    form = client.get("/console/login")
    token = first_group(r'name="csrf" value="([^"]+)"', form.text)
    response = client.post("/console/login", data={"name": "new-staff", "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.headers["location"] == "/console/password"
    other_desk = response.cookies.get(COOKIE) or ""
    assert client.get("/console/api/stats").json()["error"] == "请先修改初始密码。"
    assert client.get("/console/jobs", follow_redirects=False).headers["location"] == "/console/password"
    page = client.get("/console/password")
    csrf = first_group(r'name="csrf" value="([^"]+)"', page.text)
    weak = client.post("/console/password", data={"csrf": csrf, "old": PASSWORD, "new": "12345", "again": "12345"})
    assert weak.status_code == 400 and "至少" in weak.text
    changed = client.post("/console/password", data={"csrf": csrf, "old": PASSWORD, "new": "new-pass-2026x",
                                                      "again": "new-pass-2026x"}, follow_redirects=False)
    assert changed.status_code == 303
    assert client.get("/console/api/stats").status_code == 200  # this browser has a new session
    use_cookie(client, other_desk)
    assert client.get("/console/api/stats").status_code == 401  # the old one is over
    assert login(client, "new-staff", "new-pass-2026x") != ""


def test_the_demo_administrator_is_made_once(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path)
    engine = make_engine(sqlite_url)
    services = Services(settings=settings)
    name, password = demo_admin(settings, engine, services)
    assert demo_admin(settings, engine, services) == (name, password)
    assert (tmp_path / "console-admin-password").stat().st_mode & 0o077 == 0
    with TestClient(build(settings, engine)) as c:
        assert login(c, name, password) != ""
    engine.dispose()


def test_forwarded_headers_are_believed_only_from_configured_proxies() -> None:
    assert proxy_options(Settings()) == {"proxy_headers": False, "forwarded_allow_ips": None}
    assert proxy_options(Settings(trusted_proxies="10.0.0.5")) == {"proxy_headers": True,
                                                                  "forwarded_allow_ips": "10.0.0.5"}


def test_masking_helpers() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("123") == "***" and mask_phone(None) == ""


def test_demo_token_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = demo_admin_token(settings)
    assert len(token) >= 24 and demo_admin_token(settings) == token
    assert (tmp_path / "console-token").stat().st_mode & 0o077 == 0
    assert demo_admin_token(Settings(data_dir=tmp_path, admin_token="set")) == "set"


# --- the API end to end, on both databases --------------------------------------------------------------
@pytest.fixture
def staff(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, Engine]]:
    clock.now = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    engine = make_engine(db_url)
    app = build(make_settings(db_url, tmp_path, admin_token=TOKEN), engine, clock)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c, engine
    engine.dispose()


def add_worker(engine: Engine, town: str, phone: str, openid: str, created: datetime,
               village: str | None = None) -> int:
    with session_scope(engine) as s:
        worker = Worker(town=town, village=village, skills=["tea"], birth_year=1960, age=66, availability=["anytime"],
                        phone=phone, created_at=created, updated_at=created)
        s.add(worker)
        s.flush()
        s.add(WorkerSkill(worker_id=saved_id(worker), skill="tea"))
        s.add(ChatAccount(channel="wechat", user_id=openid, worker_id=worker.id))
        return saved_id(worker)


def test_fairs_and_broadcasts_through_the_api(staff: tuple[TestClient, Engine]) -> None:
    client, engine = staff
    created = datetime(2026, 2, 1, tzinfo=TZ)
    huabu = [add_worker(engine, "华埠镇", f"1380000000{i}", f"oWx-openid-{i:04d}", created) for i in range(3)]
    add_worker(engine, "马金镇", "13900000000", "oWx-openid-9999", created)

    fair = client.post("/console/api/fairs", json={
        "kind": "春风送岗", "title": "春风送岗·华埠镇专场", "town": "华埠镇", "venue": "华埠镇零工市场",
        "date": "2026-03-20", "start": "09:00", "end": "11:30", "employer_names": "华埠果蔬家庭农场，开化茶厂",
        "request_id": "req-1"})
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["id"]
    assert client.post("/console/api/fairs", json={"kind": "春风送岗", "title": "重复", "venue": "x",
                                                   "date": "2026-03-20", "request_id": "req-1"}).json()["id"] == fair_id
    bad = client.post("/console/api/fairs", json={"kind": "春风送岗", "title": "t", "venue": "v", "date": "20.3."})
    assert bad.status_code == 400 and "格式" in bad.json()["error"]
    listed = client.get("/console/api/fairs").json()["fairs"]
    assert any(f["id"] == fair_id and f["when"] == "3月20日（星期五）上午9点到11点半" for f in listed)
    detail = client.get(f"/console/api/fairs/{fair_id}").json()
    assert sorted(e["name"] for e in detail["employers"]) == ["华埠果蔬家庭农场", "开化茶厂"]

    draft = client.post("/console/api/broadcasts", json={
        "texts": ["3月20日华埠镇零工市场有招聘会。"], "audience": {"towns": ["华埠镇"]}, "fair_id": fair_id})
    assert draft.status_code == 201 and draft.json()["reach"]["total"] == 3
    broadcast_id = draft.json()["broadcast"]["id"]
    assert client.post("/console/api/audience", json={"audience": {"towns": ["马金镇"]}}).json()["total"] == 1
    assert client.post("/console/api/audience", json={"audience": {"towns": ["火星"]}}).status_code == 400
    assert client.post(f"/console/api/broadcasts/{broadcast_id}/confirm").json() == {"queued": 3, "first": True}
    assert client.post(f"/console/api/broadcasts/{broadcast_id}/confirm").json() == {"queued": 0, "first": False}
    report = client.get(f"/console/api/broadcasts/{broadcast_id}").json()
    assert report["report"]["counts"] == {"pending": 3} and report["audience_label"] == "乡镇：华埠镇"

    moved = client.post(f"/console/api/fairs/{fair_id}/move",
                        json={"date": "2026-03-27", "start": "09:00", "reason": "下大雨"}).json()
    assert moved["changed"] and moved["notified"] == 3  # everyone the broadcast was queued for
    assert client.get(f"/console/api/broadcasts/{broadcast_id}").json()["report"]["counts"] == {"cancelled": 3}
    cancelled = client.post(f"/console/api/fairs/{fair_id}/cancel", json={"reason": "场地维修"}).json()
    assert cancelled["notified"] == 3 and cancelled["fair"]["status"] == "cancelled"

    workers = client.get("/console/api/workers", params={"town": "华埠镇"}).json()["workers"]
    assert len(workers) == 3 and {w["phone"] for w in workers} == {f"138****000{i}" for i in range(3)}
    assert all("openid" not in a for w in workers for a in w["accounts"])
    page = client.get("/console/workers", params={"town": "华埠镇"}).text
    assert "13800000001" not in page and "oWx-openid-0001" not in page and "138****0001" in page
    contact = client.get(f"/console/api/workers/{huabu[1]}/contact").json()
    assert contact["phone"] == "13800000001"
    with session_scope(engine) as s:
        actions = [a.action for a in s.exec(select(StaffAudit).order_by(col(StaffAudit.id)))]
    assert actions == ["fair.add", "broadcast.create", "broadcast.confirm", "fair.move", "fair.cancel",
                       "worker.contact"]
    counts = client.get("/console/api/workers/counts").json()
    assert counts["total"] == 4 and counts["by_town"][0] == {"town": "华埠镇", "count": 3}
    assert {"code": "60s", "label": "60到69岁", "count": 4} in counts["by_age"]


def test_figures_and_their_exports(staff: tuple[TestClient, Engine]) -> None:
    client, engine = staff
    with session_scope(engine) as s:
        s.add(Job(source_key="j", title="采茶", town="华埠镇", skills=["tea"], headcount=30,
                  created_at=datetime(2026, 2, 3, tzinfo=TZ)))
        s.add(Job(source_key="old", title="去年的", town="华埠镇", skills=["tea"], headcount=5,
                  created_at=datetime(2025, 12, 3, tzinfo=TZ)))
        log_question(s, "我60多岁了还能找活干吗", True, datetime(2026, 3, 1, tzinfo=TZ))
        log_question(s, "电话13812345678，火星上有工作吗" + "啊" * 200, False, datetime(2026, 3, 2, tzinfo=TZ))
    client.get("/console/fairs")  # the fixed fairs are made ahead when staff look
    stats = {f["key"]: f for f in client.get("/console/api/stats").json()["figures"]}
    assert stats["fairs_held"]["value"] == 0 and stats["fairs_held"]["target"] == 50
    assert stats["jobs_posted"]["value"] == 30 and stats["jobs_posted"]["percent"] == 0
    assert stats["questions_unanswered"]["value"] == 1 and stats["questions_answered"]["value"] == 1
    assert stats["elderly_placed"]["value"] == 0 and "开始计数" in stats["elderly_placed"]["note"]
    with session_scope(engine) as s:
        question = s.exec(select(PolicyQuestion).where(col(PolicyQuestion.answered) == False)).one()  # noqa: E712
    assert "13812345678" not in question.text and len(question.text) <= 100

    dashboard = client.get("/console/").text
    assert "<svg" in dashboard and "火星上有工作吗" in dashboard and "已举办招聘会" in dashboard
    assert "<script" not in dashboard.split("<main>")[1]  # no inline script: the page's policy forbids it

    csv_text = client.get("/console/api/stats.csv").content.decode("utf-8-sig")
    assert "发布岗位（个，按招聘人数）,30,10000,0%" in csv_text and "2月,0,30,0,0" in csv_text
    book = load_workbook(io.BytesIO(client.get("/console/api/stats.xlsx").content))
    assert book.sheetnames == ["年度指标", "按月"]
    rows = {r[0]: r for r in book["年度指标"].iter_rows(values_only=True)}
    assert rows["已举办招聘会（场）"][2] == 50
    assert list(book["按月"].iter_rows(values_only=True))[2] == ("2月", 0, 30, 0, 0)


def test_jobs_through_the_api(staff: tuple[TestClient, Engine]) -> None:
    client, engine = staff
    made = client.post("/console/api/jobs", json={"title": "春茶采摘工", "employer": "开化茶厂", "town": "华埠",
                                                  "pay": "150元/天", "headcount": "20", "age": "18-70"})
    assert made.status_code == 200 and made.json()["added"], made.text
    assert client.post("/console/api/jobs", json={"title": "x", "employer": "y", "town": "火星"}).status_code == 400
    sheet = "岗位名称,用工单位,乡镇,工资\n采茶,开化茶厂,华埠镇,150元/天\n炒茶,开化茶厂,不存在的镇,200元/天\n".encode()
    imported = client.post("/console/api/jobs/import", params={"filename": "jobs.csv"}, content=sheet,
                           headers={"Content-Type": "application/octet-stream"}).json()
    assert imported["added"] == 1 and imported["errors"][0]["row"] == 3
    wrong = client.post("/console/api/jobs/import", params={"filename": "jobs.csv"}, content=b"a,b\n1,2\n")
    assert wrong.status_code == 400 and "缺少" in wrong.json()["error"]
    jobs = client.get("/console/api/jobs", params={"status": "open"}).json()["jobs"]
    assert len(jobs) == 2 and jobs[1]["pay"] == "每天150元"
    assert client.post(f"/console/api/jobs/{jobs[0]['id']}/close", json={}).json() == {"ok": True}
    assert len(client.get("/console/api/jobs", params={"status": "open"}).json()["jobs"]) == 1
    assert "春茶采摘工" in client.get("/console/jobs", params={"status": "all"}).text


def test_what_people_and_staff_typed_is_escaped_in_the_pages(client: TestClient, sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        s.add(Worker(town="华埠镇", village="<script>alert(1)</script>", skills=[], birth_year=1970))
        log_question(s, "<img src=x onerror=alert(1)>", False, datetime(2026, 3, 9, tzinfo=TZ))
    engine.dispose()
    make_account(client, "county-a", "admin")
    login(client, "county-a")
    for path in ("/console/workers", "/console/"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "&lt;" in page


def test_the_jobs_page_shows_who_applied(sqlite_url: str, tmp_path: Path, clock: Clock) -> None:
    from bot.app import build_dispatcher
    from bot.outreach.jobs import post_job
    from storage.db import session_scope

    engine = make_engine(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path, admin_token=TOKEN)
    dispatcher = build_dispatcher(settings, engine=engine, clock=clock)
    with session_scope(engine) as session:
        post_job(session, dispatcher.services, {"title": "春茶采摘工", "employer": "示范茶场", "town": "华埠"})
    chat = ChatHarness(dispatcher, channel="wechat", user="oVillagerOpenid0001")
    chat.conversation("找工作", "全县都看", "什么活都看", "报名 1")
    with TestClient(build(settings, engine, clock)) as c:
        page = c.get("/console/jobs", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "最新报名" in page and "春茶采摘工" in page and "oVi…01" in page and "oVillagerOpenid0001" not in page
    engine.dispose()


# --- absurd input: a 400 in Chinese, never a 500 ----------------------------------------------------------
HUGE_ID = "9" * 20
ID_ROUTES = [(m, "/".join(HUGE_ID if part == "1" else part for part in p.split("/")))
             for m, p in ROUTES if "/1" in p]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_an_id_of_twenty_digits_is_a_400_on_every_route(staff: tuple[TestClient, Engine], method: str,
                                                        path: str) -> None:
    client, _ = staff
    response = client.request(method, path, json={}, headers={"X-Console": "1"})
    assert response.status_code == 400, path
    assert CHINESE.search(response.text)


JOB = {"title": "春茶采摘工", "employer": "某茶场", "town": "华埠", "pay": "150元/天"}


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/console/api/jobs?page=99999999999999999999", None),
    ("GET", "/console/api/workers?page=99999999999999999999", None),
    ("GET", "/console/api/cases?page=99999999999999999999", None),
    ("GET", "/console/jobs?page=99999999999999999999", None),
    ("GET", "/console/api/fairs?from=9999-12-31", None),
    ("GET", "/console/api/fairs?from=2026-03-01&to=0001-01-01", None),
    ("POST", "/console/api/jobs", {**JOB, "headcount": 1e23}),
    ("POST", "/console/api/jobs", {**JOB, "headcount": "100000000000000000000000"}),
    ("POST", "/console/api/jobs", {**JOB, "age": "18-99999999999999999999"}),
    ("POST", "/console/api/jobs", '{"title": "t", "employer": "e", "town": "华埠", "headcount": NaN}'),
    ("POST", "/console/api/fairs/1/offer", {"job_ids": list(range(1, 200_001))}),
    ("POST", "/console/api/fairs/1/offer", {"job_ids": [10**20]}),
    ("POST", "/console/api/fairs", {"kind": "春风送岗", "title": "t", "venue": "v", "date": "9999-12-31"}),
    ("POST", "/console/api/broadcasts", {"texts": ["x"], "fair_id": 10**20}),
])
def test_absurd_numbers_dates_and_lists_get_a_400_in_chinese(staff: tuple[TestClient, Engine], method: str,
                                                             path: str, body: object) -> None:
    client, _ = staff
    if isinstance(body, str):  # JSON as Python writes it, NaN included
        response = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    else:
        response = client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert CHINESE.search(response.text)
