"""Matching rules, each with its edge, and the SQL narrowing agreeing with the rules."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from handlers.terms import match_terms
from knowledge.places import gazetteer
from storage.db import make_engine
from storage.job_search import jobs_for
from storage.matching import WorkerView, fit, matching_workers
from storage.models import ChatAccount, Job, Worker, saved_id
from storage.workers import AccountRef, save_worker

YEAR = 2026
TERMS = match_terms()


def job(**kw: Any) -> Job:
    base: dict[str, Any] = dict(id=1, source_key="k", title="采茶", town="华埠镇", village=None, skills=["tea"],
                                physical="轻",
                night_shift=False, age_min=None, age_max=None, status="open", season=None, pay_unit="元/天",
                pay_amount=150.0, headcount=1)
    return Job(**{**base, **kw})


def person(**kw: Any) -> WorkerView:
    base: dict[str, Any] = dict(id=1, town="华埠镇", village="金星村", birth_year=YEAR - 45, skills=["tea"],
                                availability=["anytime"],
                travel_range="town")
    return WorkerView(**{**base, **kw})


def test_skills_must_meet() -> None:
    assert fit(job(), person(), year=YEAR, terms=TERMS) is not None
    assert fit(job(skills=["cook"]), person(), year=YEAR, terms=TERMS) is None
    assert fit(job(skills=[]), person(), year=YEAR, terms=TERMS) is None  # 未归类: nobody who named a kind


def test_anything_goes_people_get_unskilled_and_unclassified_work_but_no_trade() -> None:
    anyone = person(skills=["other"])
    assert fit(job(skills=[]), anyone, year=YEAR, terms=TERMS) is not None
    assert fit(job(skills=["farm"]), anyone, year=YEAR, terms=TERMS) is not None
    assert fit(job(skills=["electrician"]), anyone, year=YEAR, terms=TERMS) is None
    assert fit(job(skills=["driver"]), anyone, year=YEAR, terms=TERMS) is None  # a licence
    assert fit(job(skills=["driver", "porter"]), anyone, year=YEAR, terms=TERMS) is not None
    named = fit(job(skills=["farm"]), person(skills=["farm"]), year=YEAR, terms=TERMS)
    other = fit(job(skills=["farm"]), anyone, year=YEAR, terms=TERMS)
    assert named and other and named.score > other.score


def placed(j: Job, p: WorkerView) -> str:
    """Where the job suits the person; the test fails when it does not suit them."""
    found = fit(j, p, year=YEAR, terms=TERMS)
    assert found is not None
    return found.place


def test_a_village_written_short_is_the_same_village() -> None:
    found = fit(job(village="金星"), person(travel_range="village"), year=YEAR, terms=TERMS)
    assert found is not None and found.place == "village"
    assert fit(job(village="华民"), person(travel_range="village"), year=YEAR, terms=TERMS) is None


def test_work_brought_to_the_door_reaches_village_only_people_of_its_area() -> None:
    at_home = person(travel_range="village", birth_year=YEAR - 72, skills=["handcraft"])
    door = job(skills=["handcraft"], at_door=True)
    assert placed(door, at_home) == "door"
    assert fit(job(skills=["handcraft"], at_door=True, town=None), at_home, year=YEAR, terms=TERMS)
    assert fit(job(skills=["handcraft"], at_door=True, town="马金镇"), at_home, year=YEAR, terms=TERMS) is None
    assert fit(job(skills=["handcraft"]), at_home, year=YEAR, terms=TERMS) is None


def test_a_county_wide_job_is_for_everyone_who_leaves_the_village() -> None:
    everywhere = job(town=None)
    assert placed(everywhere, person(town="苏庄镇")) == "county_wide"
    assert fit(everywhere, person(travel_range="village"), year=YEAR, terms=TERMS) is None


@pytest.mark.parametrize("days,free,ok", [
    ("weekdays", ["weekends"], False), ("weekdays", ["anytime"], True), ("weekdays", ["weekdays"], True),
    ("weekends", ["weekdays", "daytime"], False), ("weekends", ["weekends"], True), ("weekdays", ["daytime"], True),
])
def test_the_days_a_job_wants_against_the_days_someone_is_free(days: str, free: list[str], ok: bool) -> None:
    assert (fit(job(days=days), person(availability=free), year=YEAR, terms=TERMS) is not None) is ok


@pytest.mark.parametrize("season,free,ok", [
    ("秋季", ["spring_tea"], False), ("春茶季", ["spring_tea"], True), ("秋季", ["anytime"], True),
    ("冬季", ["slack_season"], True), ("冬季", ["spring_tea"], False), ("秋季", ["spring_tea", "weekends"], True),
])
def test_a_season_against_someone_free_only_in_one(season: str, free: list[str], ok: bool) -> None:
    assert (fit(job(season=season), person(availability=free), year=YEAR, terms=TERMS) is not None) is ok


def test_place_order_village_town_neighbour_county() -> None:
    scores = [
        fit(job(village="金星村"), person(travel_range="county"), year=YEAR, terms=TERMS),
        fit(job(), person(travel_range="county"), year=YEAR, terms=TERMS),
        fit(job(town="桐村镇"), person(travel_range="county"), year=YEAR, terms=TERMS),
        fit(job(town="齐溪镇"), person(travel_range="county"), year=YEAR, terms=TERMS),
    ]
    assert [s.place for s in scores if s] == ["village", "town", "neighbour", "county"]
    fits = [s for s in scores if s]
    assert fits[0].score > fits[1].score > fits[2].score > fits[3].score


def test_travel_range_limits_the_place() -> None:
    assert fit(job(town="桐村镇"), person(travel_range="town"), year=YEAR, terms=TERMS) is None
    assert fit(job(village="华民村"), person(travel_range="village"), year=YEAR, terms=TERMS) is None
    assert fit(job(village="金星村"), person(travel_range="village"), year=YEAR, terms=TERMS) is not None


@pytest.mark.parametrize("age,heavy_ok", [(59, True), (60, False), (61, False)])
def test_no_heavy_work_or_night_shift_from_sixty(age: int, heavy_ok: bool) -> None:
    someone = person(birth_year=YEAR - age)
    assert (fit(job(physical="重"), someone, year=YEAR, terms=TERMS) is not None) is heavy_ok
    assert (fit(job(night_shift=True), someone, year=YEAR, terms=TERMS) is not None) is heavy_ok
    assert fit(job(physical="轻"), someone, year=YEAR, terms=TERMS) is not None


def test_age_range_edges() -> None:
    assert fit(job(age_max=55), person(birth_year=YEAR - 55), year=YEAR, terms=TERMS) is not None
    assert fit(job(age_max=55), person(birth_year=YEAR - 56), year=YEAR, terms=TERMS) is None
    assert fit(job(age_min=18), person(birth_year=YEAR - 17), year=YEAR, terms=TERMS) is None


def test_daytime_only_people_get_no_night_shift() -> None:
    assert fit(job(night_shift=True), person(availability=["daytime"]), year=YEAR, terms=TERMS) is None


def _add_worker(session: Session, n: int, **fields: object) -> Worker:
    account = ChatAccount(channel="wechat", user_id=f"o{n}")
    session.add(account)
    session.flush()
    return save_worker(session, account=AccountRef(saved_id(account), None), worker=None, fields=fields)


def test_sql_narrowing_agrees_with_the_rules(db_url: str) -> None:
    rng = random.Random(7)
    towns = gazetteer().names
    engine = make_engine(db_url)
    with Session(engine) as session:
        people = []
        for n in range(300):
            people.append(_add_worker(
                session, n, town=rng.choice(towns), village=rng.choice(["金星村", "霞山村", None]),
                birth_year=YEAR - rng.randint(18, 80), age=None,
                skills=rng.sample(["tea", "farm", "cook", "porter", "driver", "handcraft", "other"], rng.randint(1, 3)),
                availability=rng.sample(["anytime", "daytime", "weekends", "spring_tea"], 1),
                travel_range=rng.choice(["village", "town", "county"]), want_job_push=rng.random() > 0.1,
                subscribed=rng.random() > 0.1))
        session.commit()
        for trial in range(30):
            posted = job(id=trial, town=rng.choice([*towns, None]), village=rng.choice(["金星", "金星村", None]),
                         skills=rng.sample(["tea", "farm", "cook", "handcraft", "driver", "electrician"],
                                           k=rng.randint(0, 2)),
                         at_door=rng.random() < 0.3, days=rng.choice([None, "weekdays", "weekends"]),
                         physical=rng.choice("轻中重"), night_shift=rng.random() < 0.2,
                         age_max=rng.choice([None, 55, 65]))
            by_sql = {m.worker_id for m in matching_workers(session, job=posted, year=YEAR, terms=TERMS)}
            by_rules = {w.id for w in people if posted.skills and w.subscribed and w.want_job_push and fit(
                posted, WorkerView(saved_id(w), w.town, w.village, w.birth_year, w.skills, w.availability,
                                   w.travel_range),
                year=YEAR, terms=TERMS)}
            assert by_sql == by_rules
    engine.dispose()


def test_closed_jobs_are_not_offered(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        worker = _add_worker(session, 1, town="华埠镇", village=None, birth_year=1980, skills=["tea"],
                             availability=["anytime"], travel_range="town")
        session.add(job(id=None, source_key="a", title="开着的"))
        session.add(job(id=None, source_key="b", title="关了的", status="closed"))
        session.commit()
        titles = [session.get_one(Job, m.job_id).title
                  for m in jobs_for(session, worker=worker, today=date(YEAR, 3, 10), terms=TERMS)]
    assert titles == ["开着的"]
    engine.dispose()


def test_jobs_for_offers_every_open_job_the_rules_allow(sqlite_url: str) -> None:
    rng = random.Random(11)
    towns = gazetteer().names
    kinds = ["tea", "farm", "cook", "handcraft", "driver", "electrician", "other"]
    today = date(YEAR, 3, 10)
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        jobs = [job(id=None, source_key=f"j{n}", town=rng.choice([*towns, None]),
                    village=rng.choice(["金星村", None]), skills=rng.sample(kinds[:-1], k=rng.randint(0, 2)),
                    at_door=rng.random() < 0.3, physical=rng.choice("轻中重"), night_shift=rng.random() < 0.2,
                    end_date=rng.choice([None, date(YEAR, 3, 1), date(YEAR, 4, 1)])) for n in range(300)]
        session.add_all(jobs)
        people = [_add_worker(session, n, town=rng.choice(towns), village=rng.choice(["金星村", None]),
                              birth_year=YEAR - rng.randint(18, 80), skills=rng.sample(kinds, rng.randint(1, 3)),
                              availability=rng.sample(["anytime", "daytime", "weekends"], 1),
                              travel_range=rng.choice(["village", "town", "county"])) for n in range(60)]
        session.commit()
        for worker in people:
            offered = [m.job_id for m in jobs_for(session, worker=worker, today=today, terms=TERMS)]
            allowed = {saved_id(j) for j in jobs if (j.end_date is None or j.end_date >= today)
                       and fit(j, WorkerView(saved_id(worker), worker.town, worker.village, worker.birth_year,
                                             worker.skills, worker.availability, worker.travel_range),
                               year=YEAR, terms=TERMS)}
            assert len(offered) == len(set(offered)) and set(offered) == allowed
        assert sum(bool(jobs_for(session, worker=w, today=today, terms=TERMS)) for w in people) > 20
    engine.dispose()
