"""培训: courses that fit the person, 报名 that never oversells (also under concurrent sign-ups),
duplicate and cancelled sign-ups, the day-before reminder, and the staff console and figures."""

from __future__ import annotations

import threading
import warnings
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


from conftest import ChatHarness, Clock

from bot.outreach.courses import queue_reminders
from storage import courses
from storage.db import make_engine, session_scope
from storage.models import CourseSignup, Outbox, Worker, saved_id

TEA_WORKER = ["登记", "华埠", "金星村", "45", "采茶", "1", "3", "1", "1", "1"]
COOK_WORKER = ["登记", "马金", "跳过", "50", "做饭", "1", "3", "1", "1", "1"]
TODAY = date(2026, 3, 10)  # the test clock's local day


def add_course(engine: Engine, title: str, *, skills: list[str] | None = None, seats: int = 30,
               starts: date = TODAY + timedelta(days=5), kind: str = "技能培训", town: str = "芹阳办事处",
               fee: str | None = None) -> int:
    with session_scope(engine) as session:
        course = courses.add_course(session, fields={
            "source_key": f"test-{title}", "title": title, "kind": kind, "skills": skills or [], "town": town,
            "venue": "县职业技能培训中心", "starts_on": starts, "ends_on": starts + timedelta(days=2), "seats": seats,
            "certificate": True, "fee": fee}, now=Clock().now)
        assert course is not None and course.id is not None
        return course.id


def signups(engine: Engine) -> list[CourseSignup]:
    with Session(engine) as session:
        return list(session.exec(select(CourseSignup).order_by(col(CourseSignup.id))))


def test_people_see_courses_that_fit_sign_up_once_and_cancel(chat: ChatHarness) -> None:
    tea = add_course(chat.engine, "茶艺师培训", skills=["tea"])
    add_course(chat.engine, "育婴员培训", skills=["housekeeping"])
    add_course(chat.engine, "SYB 创业培训", kind="创业培训")
    add_course(chat.engine, "去年的茶艺课", skills=["tea"], starts=TODAY - timedelta(days=3))
    chat.conversation(*TEA_WORKER)

    listing = chat.say("学技术")
    assert listing.index("茶艺师培训") < listing.index("SYB 创业培训")
    assert "育婴员培训" not in listing and "去年的茶艺课" not in listing and "还剩30个名额" in listing
    detail = chat.say("1")
    assert "【茶艺师培训】" in detail and "发证书" in detail and "回复 1 报名" in detail
    signed = chat.say("报名")
    assert "报好名了：茶艺师培训" in signed and "3月15日开课" in signed and "取消报名" in signed
    assert "已经报过名了" in chat.conversation("培训", "1", "1")[-1]
    [row] = signups(chat.engine)
    assert (row.course_id, row.status) == (tea, courses.SIGNED)
    assert "茶艺师培训（3月15日开课，已报名）" in chat.say("我的培训")

    assert "回复 1 茶艺师培训" in chat.say("取消报名")
    assert "已取消报名：茶艺师培训" in chat.say("1")
    assert signups(chat.engine)[0].status == courses.CANCELLED
    assert "没有报名的培训" in chat.say("取消报名")
    assert "报好名了" in chat.conversation("培训", "1", "1")[-1]  # the seat can be taken again
    assert [s.status for s in signups(chat.engine)] == [courses.SIGNED]


def test_a_full_course_says_so_and_offers_the_others(chat: ChatHarness) -> None:
    add_course(chat.engine, "评茶员培训", skills=["tea"], seats=1)
    chat.conversation(*TEA_WORKER)
    chat.conversation(*TEA_WORKER, user="second")
    assert "报好名了" in chat.conversation("培训", "1", "报名")[-1]
    assert "已报满" in chat.say("培训", user="second")
    full = chat.conversation("1", "1", user="second")[-1]
    assert "名额已经报满了" in full
    assert len(signups(chat.engine)) == 1


def test_someone_not_registered_is_asked_to_register_and_nothing_fits_shows_all(chat: ChatHarness) -> None:
    add_course(chat.engine, "粉刷匠培训", skills=["construction"])
    assert "粉刷匠培训" in chat.say("培训")
    assert "要先登记" in chat.conversation("1", "1")[-1]
    assert signups(chat.engine) == []
    chat.conversation(*COOK_WORKER, user="cook")
    listing = chat.say("培训", user="cook")
    assert "暂时没有跟您对口的培训" in listing and "粉刷匠培训" in listing
    assert "最近还没有培训班" not in listing


def test_no_courses_and_wrong_answers_are_polite(sqlite_chat: ChatHarness) -> None:
    assert "还没有培训班" in sqlite_chat.say("培训")
    add_course(sqlite_chat.engine, "茶艺师培训", skills=["tea"])
    sqlite_chat.say("培训")
    assert "请回复列表里的编号" in sqlite_chat.say("9")
    sqlite_chat.say("1")
    assert "请回复 1 报名" in sqlite_chat.say("什么时候")
    assert "有1个培训" in sqlite_chat.say("2")  # 看别的培训 goes back to the list
    assert "请问您想做什么" in sqlite_chat.say("取消")


def _race(url: str, course_id: int, worker_ids: list[int]) -> list[courses.Signup]:
    engine = make_engine(url, pool_size=len(worker_ids))
    gate = threading.Barrier(len(worker_ids))
    results: list[courses.Signup] = []
    lock = threading.Lock()

    def one(worker_id: int) -> None:
        gate.wait()
        with session_scope(engine) as session:
            result = courses.sign_up(session, course_id=course_id, worker_id=worker_id, today=TODAY, now=Clock().now)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=one, args=(w,)) for w in worker_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    return results


def test_concurrent_sign_ups_never_oversell(db_url: str) -> None:
    engine = make_engine(db_url)
    course_id = add_course(engine, "开化大厨培训", skills=["cook"], seats=5)
    with session_scope(engine) as session:
        people = [Worker(town="华埠镇", skills=["cook"], birth_year=1980) for _ in range(16)]
        session.add_all(people)
        session.flush()
        ids = [saved_id(w) for w in people]
    results = _race(db_url, course_id, ids)
    assert len(results) == 16
    assert results.count(courses.Signup.SIGNED) == 5 and results.count(courses.Signup.FULL) == 11
    assert len(signups(engine)) == 5
    again = _race(db_url, course_id, ids[:4])  # the same people once more
    assert courses.Signup.SIGNED not in again
    assert len(signups(engine)) == 5
    engine.dispose()


def test_the_day_before_each_person_is_reminded_once(chat: ChatHarness, clock: Clock) -> None:
    course_id = add_course(chat.engine, "茶艺师培训", skills=["tea"], starts=TODAY + timedelta(days=1))
    chat.conversation(*TEA_WORKER)
    chat.conversation(*TEA_WORKER, user="second")
    chat.conversation("培训", "1", "1")
    chat.conversation("培训", "1", "1", user="second")
    chat.conversation("取消报名", "1", user="second")
    services = chat.dispatcher.services
    with session_scope(chat.engine) as session:
        assert queue_reminders(session, services) == 1
        assert queue_reminders(session, services) == 0
    with Session(chat.engine) as session:
        [row] = session.exec(select(Outbox).where(col(Outbox.kind) == courses.REMINDER_KIND)).all()
    assert row.ref_id == course_id and "明天（3月11日）开始培训：茶艺师培训" in row.payload["texts"][0]
    assert row.worker_id is not None and row.idempotency_key == courses.reminder_key(course_id, row.worker_id)


def test_a_cancelled_sign_up_drops_its_queued_reminder_and_a_new_one_brings_it_back(chat: ChatHarness) -> None:
    add_course(chat.engine, "茶艺师培训", skills=["tea"], starts=TODAY + timedelta(days=1))
    chat.conversation(*TEA_WORKER)
    chat.conversation("培训", "1", "1")
    with session_scope(chat.engine) as session:
        queue_reminders(session, chat.dispatcher.services)
    chat.conversation("取消报名", "1")
    with Session(chat.engine) as session:
        assert session.exec(select(col(Outbox.status)).where(col(Outbox.kind) == "course")).one() == "cancelled"
    chat.conversation("培训", "1", "1")
    with Session(chat.engine) as session:
        assert session.exec(select(col(Outbox.status)).where(col(Outbox.kind) == "course")).one() == "pending"


# --- staff ------------------------------------------------------------------------------------------------
def test_staff_post_courses_see_sign_ups_and_mark_completion(chat: ChatHarness, staff: TestClient,
                                                             clock: Clock) -> None:
    body = {"title": "茶艺师培训", "kind": "技能培训", "skills": "tea", "town": "华埠", "venue": "文化礼堂",
            "starts_on": "2026-03-20", "ends_on": "2026-03-22", "seats": "2", "certificate": ["1"], "request_id": "r1"}
    made = staff.post("/console/api/courses", json=body)
    assert made.status_code == 201 and made.json()["town"] == "华埠镇" and made.json()["certificate"] is True
    assert staff.post("/console/api/courses", json=body).status_code == 200  # the same form twice adds one
    assert staff.post("/console/api/courses", json={**body, "request_id": "r2", "ends_on": "2026-03-01"}
                      ).status_code == 400
    assert staff.post("/console/api/courses", json={**body, "request_id": "r3", "town": "火星镇"}).status_code == 400
    course_id = made.json()["id"]

    chat.conversation(*TEA_WORKER)
    chat.conversation("培训", "1", "1")
    listed = staff.get("/console/api/courses").json()["courses"]
    assert [(c["title"], c["taken"], c["left"]) for c in listed] == [("茶艺师培训", 1, 1)]
    detail = staff.get(f"/console/api/courses/{course_id}").json()
    [person] = detail["signups"]
    assert person["status"] == "signed" and person["town"] == "华埠镇"
    assert staff.post(f"/console/api/courses/{course_id}/complete", json={}).status_code == 400
    early = staff.post(f"/console/api/courses/{course_id}/complete", json={"worker_ids": [person["id"]]})
    assert early.status_code == 400 and "3月20日才开课" in early.json()["error"]  # not before it starts
    clock.now = datetime(2026, 3, 22, 2, 0, tzinfo=UTC)
    done = staff.post(f"/console/api/courses/{course_id}/complete", json={"worker_ids": [person["id"]]})
    assert done.json() == {"completed": 1}
    assert staff.get(f"/console/api/courses/{course_id}").json()["signups"][0]["status_label"] == "已结业"
    assert staff.get("/console/api/courses/999").status_code == 404
    figures = {f["key"]: f for f in staff.get("/console/api/stats").json()["figures"]}
    assert figures["courses_signed"]["value"] == 1 and figures["courses_completed"]["value"] == 1
    assert figures["startup_trained"]["target"] == 700
    page = staff.get(f"/console/courses/{course_id}").text
    assert "已结业" in page and "茶艺师培训" in page
    assert "茶艺师培训" in staff.get("/console/courses").text
    assert "已学完" in chat.say("我的培训")


def test_the_course_api_refuses_a_missing_token(staff: TestClient) -> None:
    for method, path in (("GET", "/console/api/courses"), ("POST", "/console/api/courses"),
                         ("GET", "/console/api/courses/1"), ("POST", "/console/api/courses/1/complete")):
        response = staff.request(method, path, headers={"Authorization": ""}, json={})
        assert response.status_code == 401, path
