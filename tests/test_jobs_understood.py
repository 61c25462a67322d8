"""Jobs as staff write them: what the free text says is read at posting by every path (sheet,
CLI, console form), shown to staff first, and applied in 找工作 and in pushes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import ChatHarness, JobbotCommand, Ran, advance
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.outreach.jobs import import_jobs
from storage.db import make_engine, session_scope
from storage.models import Job, Outbox

SHEET = "\n".join([
    "岗位名称,用工单位,乡镇,村,说明,结束日期",
    "茶园施肥工,示范茶场,华埠,,要扛化肥上山，体力要好，年龄18到48周岁,",
    "夜班保安,示范物业,全县,,22点到早上6点，只要工作日,",
    "来料加工串珠,示范饰品厂,各乡镇,,来料加工送料上门,",
    "秋茶采摘工,示范茶场,华埠,下溪,秋茶，包午饭,",
    "储备干部,示范公司,开化县,,大专以上,",
    "春茶采摘工,示范茶场,华埠,,,2020-04-30",
]).encode("utf-8")


def register(chat: ChatHarness, *answers: str, user: str = "villager-1") -> None:
    """登记: town, village, age, skills, free time, range, then yes to pushes, no to fairs, confirm."""
    chat.conversation("登记", *answers, "1", "2", "1", user=user)


def test_a_sheet_is_read_into_the_jobs_and_an_ended_row_is_reported(chat: ChatHarness) -> None:
    with session_scope(chat.engine) as session:
        checked = import_jobs(session, chat.dispatcher.services, SHEET, "岗位.csv", check=True)
        assert session.exec(select(Job)).all() == []
        report = import_jobs(session, chat.dispatcher.services, SHEET, "岗位.csv")
    assert checked.added == report.added == 5
    assert report.errors == [(7, "结束日期 2020-04-30 已经过了，没有发布")]
    said = {title: text for _, title, text in report.understood}
    assert "体力：重" in said["茶园施肥工"] and "年龄：18～48岁" in said["茶园施肥工"]
    assert "夜班" in said["夜班保安"] and "只要工作日" in said["夜班保安"] and "地点：全县" in said["夜班保安"]
    assert "未归类" in said["储备干部"]
    with Session(chat.engine) as session:
        jobs = {j.title: j for j in session.exec(select(Job))}
    fertiliser, guard, beads = jobs["茶园施肥工"], jobs["夜班保安"], jobs["来料加工串珠"]
    assert (fertiliser.physical, fertiliser.age_min, fertiliser.age_max) == ("重", 18, 48)
    assert guard.night_shift and guard.days == "weekdays" and guard.town is None and guard.skills == ["security"]
    assert beads.at_door and beads.town is None and beads.skills == ["handcraft"]
    assert jobs["秋茶采摘工"].season == "秋季" and jobs["秋茶采摘工"].village == "下溪"
    assert jobs["储备干部"].skills == [] and jobs["储备干部"].town is None  # 开化县 is the county, not 芹阳
    assert report.unclassified == [jobs["储备干部"].id]


def test_found_jobs_follow_what_the_text_said(chat: ChatHarness) -> None:
    register(chat, "华埠", "下溪村", "63", "采茶 手工", "春茶季", "本村")
    with session_scope(chat.engine) as session:
        import_jobs(session, chat.dispatcher.services, SHEET, "岗位.csv")
    listed = chat.say("找工作")
    assert "来料加工串珠" in listed and "送料上门" in listed  # at her door though she works only in her village
    assert "秋茶采摘工" not in listed  # free only in the spring tea season
    assert "茶园施肥工" not in listed and "储备干部" not in listed and "夜班保安" not in listed


def test_an_unclassified_job_waits_for_staff_to_pick_its_kind(chat: ChatHarness, staff: TestClient) -> None:
    register(chat, "华埠", "跳过", "45", "采茶", "随时", "本乡镇")
    register(chat, "华埠", "跳过", "40", "啥都行", "随时", "本乡镇", user="anyone")
    checked = staff.post("/console/api/jobs", json={"title": "储备干部", "employer": "示范公司", "town": "华埠",
                                                    "check": True}).json()
    assert checked["unclassified"] and "未归类" in checked["understood"]
    posted = staff.post("/console/api/jobs", json={"title": "储备干部", "employer": "示范公司", "town": "华埠"}).json()
    assert posted["added"] and posted["unclassified"] and posted["pushes"] == 0
    assert "储备干部" not in chat.say("找工作")
    assert "储备干部" in chat.say("找工作", user="anyone")
    assert "未归类" in staff.get("/console/jobs").text
    assert staff.post(f"/console/api/jobs/{posted['id']}/skills", json={"skills": "胡乱"}).status_code == 400
    picked = staff.post(f"/console/api/jobs/{posted['id']}/skills", json={"skills": "采茶"}).json()
    assert picked["skills"] == "采茶/茶叶加工" and picked["pushes"] == 2
    assert "储备干部" in chat.say("找工作")


def test_a_job_past_its_end_date_is_not_listed_before_the_hourly_task(chat: ChatHarness) -> None:
    register(chat, "华埠", "跳过", "45", "采茶", "随时", "本乡镇")
    today = chat.dispatcher.services.local_now().date()
    rows = f"岗位名称,用工单位,乡镇,结束日期\n采茶工,示范茶场,华埠,{today}\n".encode()
    with session_scope(chat.engine) as session:
        import_jobs(session, chat.dispatcher.services, rows, "岗位.csv")
    assert "采茶工" in chat.say("找工作")
    advance(chat.dispatcher.services, timedelta(days=1))
    assert "结束" in chat.say("1")  # the list shown yesterday: its detail says the job has ended
    assert "没有适合您的活" in chat.say("找工作")


def test_another_town_is_named_never_called_near(chat: ChatHarness) -> None:
    register(chat, "芹阳", "跳过", "45", "采茶", "随时", "全县都行")
    rows = "岗位名称,用工单位,乡镇,村\n采茶工,示范茶场,华埠,金星村\n本地采茶,示范茶场,芹阳,\n".encode()
    with session_scope(chat.engine) as session:
        import_jobs(session, chat.dispatcher.services, rows, "岗位.csv")
    listed = chat.say("找工作")
    assert "离您近" not in listed and "在邻近的华埠镇" in listed
    assert listed.index("本地采茶") < listed.index("采茶工（")
    with Session(chat.engine) as session:
        texts = [str(row.payload) for row in session.exec(select(Outbox))]
    assert texts and not any("离您近" in t for t in texts)


def test_cli_shows_what_it_read_and_staff_pick_a_kind(jobbot: JobbotCommand, tmp_path: Path) -> None:
    def run(*args: str) -> Ran:
        return jobbot("jobs", *args)

    checked = run("add", "--title", "夜班保安", "--employer", "示范物业", "--town", "全县",
                  "--note", "通宵，要求50岁以内", "--check")
    assert checked.returncode == 0, checked.stderr
    assert "夜班" in checked.stdout and "16～50岁" in checked.stdout and "已发布" not in checked.stdout
    added = run("add", "--title", "储备干部", "--employer", "示范公司", "--town", "华埠")
    assert "未归类" in added.stdout and "jobbot jobs classify" in added.stdout
    assert "未归类" in run("list").stdout
    assert run("classify", "1", "胡乱").returncode == 2
    picked = run("classify", "1", "文员")
    assert picked.returncode == 0 and "会计/出纳/文员" in picked.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'jobbot.sqlite3'}")
    with Session(engine) as session:
        assert [j.skills for j in session.exec(select(Job))] == [["office"]]
    engine.dispose()


def test_a_sheet_with_its_own_headers_and_the_place_in_the_address(chat: ChatHarness) -> None:
    rows = "\n".join([
        "岗位名称（必填）,招聘单位,工作地点,备注,岗位要求,截止日期",
        "采茶工,示范茶场,华埠镇下溪村,包午饭,要求45岁以下,长期",
        "保洁员,示范物业,全县各乡镇,,周六周日休息,10月20日",
    ]).encode("utf-8")
    with session_scope(chat.engine) as session:
        report = import_jobs(session, chat.dispatcher.services, rows, "岗位.csv")
    assert report.added == 2 and report.errors == []
    with Session(chat.engine) as session:
        jobs = {j.title: j for j in session.exec(select(Job))}
    tea, cleaner = jobs["采茶工"], jobs["保洁员"]
    assert (tea.town, tea.village, tea.age_max, tea.end_date) == ("华埠镇", "下溪村", 45, None)
    assert tea.description == "包午饭；要求45岁以下"
    assert cleaner.town is None and cleaner.days == "weekdays" and cleaner.end_date is not None
