"""The console in a real headless Chromium against a live server: log in, add a fair, broadcast
it to one town, watch the delivery report update itself, and stop the rest; a town's staff
logs in, must change the first password, and sees only their town's people."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from conftest import CHROMIUM, CHROMIUM_ARGS, make_settings, require_chromium
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.console import console_routes
from bot.services import Services
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import Fair, Outbox, Worker, WorkerSkill, saved_id, utcnow
from storage.staff import add_account

PASSWORD = "kaihua-2026-staff"
require_chromium()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    engine = make_engine(sqlite_url)
    settings = make_settings(sqlite_url, tmp_path)
    with session_scope(engine) as s:
        add_account(s, name="county-admin", role="admin", password=PASSWORD, now=utcnow(), must_change_password=False)
        add_account(s, name="huabu-staff", role="town", town="华埠镇", password=PASSWORD, now=utcnow())
    app = Starlette(routes=console_routes(settings, engine, Services(settings=settings)))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", engine
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_log_in_add_a_fair_broadcast_it_to_one_town_and_watch_the_report(live: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = live
    with session_scope(engine) as s:
        for town in ("华埠镇", "华埠镇", "华埠镇", "马金镇", "马金镇"):
            worker = Worker(town=town, skills=["tea"], birth_year=1965, availability=["anytime"])
            s.add(worker)
            s.flush()
            s.add(WorkerSkill(worker_id=saved_id(worker), skill="tea"))
    fair_day = (utcnow() + timedelta(days=9)).date()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # the wrong password's 401 is the one resource failure expected
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 401" not in m.text
                else None)

        page.goto(base + "/console/fairs")
        expect(page).to_have_url(base + "/console/login?next=/console/fairs")
        page.fill("input[name=name]", "county-admin")
        page.fill("input[name=password]", "wrong-password-1")
        page.click("button[type=submit]")
        expect(page.locator("#login-error")).to_contain_text("账号或密码不对")
        page.fill("input[name=name]", "county-admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(base + "/console/fairs")

        form = page.locator("#add-fair")
        form.locator("select[name=kind]").select_option("春风送岗")
        form.locator("input[name=title]").fill("春风送岗·华埠镇专场（测试）")
        form.locator("select[name=town]").select_option("华埠镇")
        form.locator("input[name=venue]").fill("华埠镇零工市场")
        form.locator("input[name=date]").fill(fair_day.isoformat())
        form.locator("button[type=submit]").click()
        expect(form.locator(".result")).to_contain_text("已保存")
        row = page.locator("tr.fair", has_text="春风送岗·华埠镇专场（测试）")
        expect(row).to_have_count(1)  # shown after the page reloads itself

        row.get_by_role("link", name="发通知").click()
        expect(page.locator("#compose textarea").first).to_contain_text("春风送岗·华埠镇专场（测试）")
        page.select_option("select[name=fair_id]", "")  # not "people its jobs suit": one town
        page.check("input[name=towns][value='华埠镇']")
        page.click("#count-button")
        expect(page.locator("#count-result")).to_contain_text("将发给 3 人")
        page.click("#compose button[type=submit]")
        expect(page.locator("#preview")).to_be_visible()
        expect(page.locator("#preview-total")).to_have_text("3")
        expect(page.locator("#preview-bubbles .bubble").first).to_contain_text("招聘会通知")
        page.click("#confirm-button")
        expect(page).to_have_url(f"{base}/console/broadcasts/1")
        expect(page.locator("[data-count=pending]")).to_have_text("3")

        with session_scope(engine) as s:  # the delivery worker sends one of them
            row_id = saved_id(outbox.claim_due(s, now=utcnow(), limit=1, lease=timedelta(minutes=5))[0])
            outbox.finish(s, outbox_id=row_id, status=outbox.SENT, now=utcnow())
        expect(page.locator("[data-count=sent]")).to_have_text("1", timeout=10_000)  # the report refreshes itself
        page.click("#stop-button")
        expect(page.locator("#stop-result")).to_contain_text("已停止")
        expect(page.locator("[data-count=cancelled]")).to_have_text("2", timeout=10_000)

        page.goto(base + "/console/")
        expect(page.locator("svg.chart").first).to_be_visible()
        browser.close()
    assert not errors

    with session_scope(engine) as s:
        fair = s.exec(select(Fair).where(col(Fair.title) == "春风送岗·华埠镇专场（测试）")).one()
        assert fair.town == "华埠镇"
        rows = s.exec(select(Outbox).where(col(Outbox.kind) == "broadcast")).all()
        towns = {s.get_one(Worker, r.worker_id).town for r in rows}
        assert len(rows) == 3 and towns == {"华埠镇"}
        assert sorted(r.status for r in rows) == ["cancelled", "cancelled", "sent"]


def test_a_town_account_changes_its_first_password_and_sees_only_its_town(live: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = live
    with session_scope(engine) as s:
        for town, village in (("华埠镇", "金星村"), ("马金镇", "霞田村")):
            s.add(Worker(town=town, village=village, skills=["tea"], birth_year=1965, availability=["anytime"],
                         phone="13800001234"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/console/workers")
        page.fill("input[name=name]", "huabu-staff")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(base + "/console/password")
        page.fill("input[name=old]", PASSWORD)
        page.fill("input[name=new]", "huabu-own-pass-9")
        page.fill("input[name=again]", "huabu-own-pass-9")
        page.click("main button[type=submit]")
        expect(page).to_have_url(base + "/console/")
        expect(page.locator("nav")).not_to_contain_text("账号")
        page.goto(base + "/console/workers")
        rows = page.locator("#workers-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("金星村")
        expect(rows.first).not_to_contain_text("13800001234")  # masked until revealed
        page.goto(base + "/console/staff")
        expect(page.locator("#refused")).to_contain_text("没有这个权限")
        page.click("form.logout button")
        expect(page).to_have_url(base + "/console/login")
        browser.close()
