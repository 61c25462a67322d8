"""Posting jobs (one by one and from sheets), the 找工作 chat, and 报名."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import ChatHarness, JobbotCommand, make_settings
from openpyxl import Workbook
from sqlalchemy import text
from sqlmodel import Session, select

from bot.outreach.jobs import import_jobs, post_job
from bot.postings import PostingError
from bot.services import Services
from storage.db import session_scope
from storage.jobs import applications
from storage.models import Job, JobApplication, Outbox

HEADER = ["岗位名称", "用工单位", "乡镇", "村", "技能", "工资", "招聘人数", "年龄要求", "体力要求", "联系电话"]
ROWS = [
    ["春茶采摘工", "示范茶场", "华埠", "金星村", "采茶", "150元/天", "20", "18-70", "轻", "0570-1234567"],
    ["泥水小工", "示范工程队", "火星镇", "", "泥工", "260元/天", "2", "", "重", ""],
    ["保洁员", "示范家政", "芹阳", "", "打扫卫生", "每小时二十五元", "3", "60岁以下", "轻", "13800001111"],
    ["", "没有名字的单位", "马金", "", "", "面议", "1", "", "", ""],
    ["帮厨", "示范饭店", "马金", "", "做饭", "一百五十元一天", "1", "三十到五十", "中", "abc"],
]


def services_for(chat: ChatHarness) -> Services:
    return chat.dispatcher.services


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REGISTER = ["登记", "华埠", "金星村", "45", "采茶", "1", "3", "1", "1", "1"]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "gbk-csv"])
def test_import_reports_bad_rows_and_adds_nothing_twice(chat: ChatHarness, kind: str) -> None:
    data = {"csv": lambda: csv_bytes(ROWS), "xlsx": lambda: xlsx_bytes(ROWS),
            "gbk-csv": lambda: csv_bytes(ROWS, "gb18030")}[kind]()
    name = "jobs.xlsx" if kind == "xlsx" else "jobs.csv"
    with session_scope(chat.engine) as session:
        report = import_jobs(session, services_for(chat), data, name)
    assert report.added == 2
    assert [row for row, _ in report.errors] == [3, 5, 6]
    reasons = dict(report.errors)
    assert "火星镇" in reasons[3] and "岗位名称" in reasons[5] and "电话" in reasons[6]
    with session_scope(chat.engine) as session:
        again = import_jobs(session, services_for(chat), data, name)
    assert again.added == 0 and again.duplicates == 2
    with Session(chat.engine) as session:
        jobs = {j.title: j for j in session.exec(select(Job))}
    assert set(jobs) == {"春茶采摘工", "保洁员"}
    tea = jobs["春茶采摘工"]
    assert (tea.town, tea.pay_amount, tea.pay_unit) == ("华埠镇", 150, "元/天")
    assert jobs["保洁员"].skills == ["housekeeping"] and jobs["保洁员"].pay_unit == "元/小时"
    assert jobs["保洁员"].pay_amount == 25 and jobs["保洁员"].age_max == 60


def test_a_sheet_with_the_wrong_columns_is_refused_clearly(sqlite_chat: ChatHarness) -> None:
    data = "姓名,电话\n张,1\n".encode()
    with session_scope(sqlite_chat.engine) as session, pytest.raises(PostingError, match="缺少这些列"):
        import_jobs(session, services_for(sqlite_chat), data, "x.csv")
    with session_scope(sqlite_chat.engine) as session, pytest.raises(PostingError, match="打不开"):
        import_jobs(session, services_for(sqlite_chat), b"not a zip", "x.xlsx")
    with session_scope(sqlite_chat.engine) as session, pytest.raises(PostingError, match="只支持"):
        import_jobs(session, services_for(sqlite_chat), b"", "x.pdf")


def test_a_new_job_is_queued_once_for_each_matching_worker(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*["登记", "马金", "跳过", "45", "采茶", "1", "2", "1", "1", "1"], user="far-away")
    spec = {"title": "春茶采摘工", "employer": "示范茶场", "town": "华埠", "skills": "采茶", "pay": "150元/天"}
    with session_scope(chat.engine) as session:
        job, pushes = post_job(session, services_for(chat), spec)
    assert job is not None and pushes == 1
    with session_scope(chat.engine) as session:
        again, pushes_again = post_job(session, services_for(chat), spec)
    assert again is None and pushes_again == 0
    with Session(chat.engine) as session:
        [row] = session.exec(select(Outbox)).all()
    # 150元/天: by the day, not 日结
    assert row.kind == "job" and "春茶采摘工" in row.payload["texts"][0] and "每天150元" in row.payload["texts"][0]


def test_find_jobs_lists_details_pages_and_applies(chat: ChatHarness) -> None:
    with session_scope(chat.engine) as session:
        for n in range(7):
            post_job(session, services_for(chat), {"title": f"采茶工{n}", "employer": "示范茶场", "town": "华埠",
                                                   "skills": "采茶", "pay": "150元/天", "phone": "0570-1234567"})
        post_job(session, services_for(chat), {"title": "重活", "employer": "示范工程队", "town": "华埠",
                                               "skills": "采茶", "physical": "重"})
    chat.conversation(*["登记", "华埠", "金星村", "62", "采茶", "1", "2", "1", "1", "1"])
    listing = chat.say("找工作")
    assert "找到7个活" in listing and "在本乡镇 · 需要采茶 · 每天150元" in listing and "重活" not in listing
    assert "回复“更多”" in listing
    assert "6. " in chat.say("更多")
    detail = chat.say("1")
    assert "【采茶工" in detail and "0570" not in detail
    applied = chat.say("报名")
    assert "已为您报名" in applied and "0570-1234567" in applied
    assert "已经报过名" in chat.say("报名 1")
    with Session(chat.engine) as session:
        assert len(session.exec(select(JobApplication)).all()) == 1
        [seen] = applications(session)
    assert seen.job_title.startswith("采茶工") and seen.channel == "console" and seen.user_id == "villager-1"


def test_find_jobs_sees_every_change_to_the_jobs_however_it_is_written(chat: ChatHarness) -> None:
    """找工作 keeps the open jobs in memory: a change by staff, by a plain SQL statement from
    another connection, or an emptied table, shows at the next 找工作 all the same."""
    def post(title: str) -> None:
        with session_scope(chat.engine) as session:
            post_job(session, services_for(chat), {"title": title, "employer": "示范茶场", "town": "华埠",
                                                   "skills": "采茶", "pay": "150元/天"})

    chat.conversation(*["登记", "华埠", "金星村", "45", "采茶", "1", "2", "1", "1", "1"])
    post("采茶工甲")
    assert "找到1个活" in chat.say("找工作")
    post("采茶工乙")
    assert "找到2个活" in chat.say("找工作")
    with chat.engine.begin() as conn:
        conn.execute(text("update job set status = 'closed' where title = '采茶工乙'"))
    listing = chat.say("找工作")
    assert "找到1个活" in listing and "采茶工甲" in listing
    with chat.engine.begin() as conn:
        conn.execute(text("update job set end_date = '2000-01-01' where title = '采茶工甲'"))
    assert "还没有适合您的活" in chat.say("找工作")
    with chat.engine.begin() as conn:
        conn.execute(text("delete from job_application"))
        conn.execute(text("delete from job"))
    post("采茶工丙")
    listing = chat.say("找工作")
    assert "找到1个活" in listing and "采茶工丙" in listing


def test_apply_without_a_list_asks_to_look_first(sqlite_chat: ChatHarness) -> None:
    assert "请先回复“找工作”" in sqlite_chat.say("报名 2")


def test_someone_not_registered_can_browse_by_town_and_skill(sqlite_chat: ChatHarness) -> None:
    with session_scope(sqlite_chat.engine) as session:
        post_job(session, services_for(sqlite_chat), {"title": "帮厨", "employer": "示范饭店", "town": "马金",
                                                      "skills": "做饭"})
        post_job(session, services_for(sqlite_chat), {"title": "采茶", "employer": "示范茶场", "town": "马金",
                                                      "skills": "采茶"})
    assert "哪个乡镇" in sqlite_chat.say("找工作")
    assert "哪类活" in sqlite_chat.say("马今")
    listing = sqlite_chat.say("做饭")
    assert "帮厨" in listing and "采茶" not in listing and "登记" in listing


def test_jobs_cli_add_list_close_import(jobbot: JobbotCommand, tmp_path: Path) -> None:
    added = jobbot("jobs", "add", "--title", "春茶采摘工", "--employer", "示范茶场", "--town", "华埠", "--pay",
                   "150元/天")
    assert added.returncode == 0 and "已发布岗位 1" in added.stdout, added.stderr
    bad = jobbot("jobs", "add", "--title", "x", "--employer", "y", "--town", "火星")
    assert bad.returncode == 2 and "火星" in bad.stderr
    assert "春茶采摘工" in jobbot("jobs", "list").stdout
    assert "已关闭" in jobbot("jobs", "close", "1").stdout
    assert "没有岗位" in jobbot("jobs", "list").stdout
    assert jobbot("jobs", "close", "99").returncode == 1
    sheet = tmp_path / "jobs.csv"
    sheet.write_bytes(csv_bytes(ROWS))
    imported = jobbot("jobs", "import", str(sheet))
    assert "新增 2 个岗位" in imported.stdout and "第 3 行没有导入" in imported.stdout


def test_services_settings_are_per_test(tmp_path: Path) -> None:
    assert make_settings("sqlite://", tmp_path).data_dir == tmp_path


@pytest.mark.parametrize("wish", ["俺想找点活", "有没有活干", "帮我找个工作", "你好，我想找份工作！", "有啥活干吗"])
def test_a_wish_for_work_said_as_a_sentence_opens_the_job_list(sqlite_chat: ChatHarness, wish: str) -> None:
    assert "想看哪个乡镇的活" in sqlite_chat.say(wish)  # not registered yet: the browse flow asks the town


@pytest.mark.parametrize("question", ["找活有补贴吗", "我60多了还能找活吗"])
def test_a_question_about_work_is_still_answered_as_a_question(sqlite_chat: ChatHarness, question: str) -> None:
    assert "想看哪个乡镇的活" not in sqlite_chat.say(question)
