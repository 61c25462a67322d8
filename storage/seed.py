"""Loads the demo data (employers, jobs, fairs, courses, internship bases); loading it twice changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage.graduates import load_demo_bases
from storage.models import Course, Employer, Fair, Job
from storage.sql import insert_ignore


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("storage").joinpath("demo_data.json").read_text("utf-8"))
    return data


def load_demo(session: Session, *, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Insert what is missing; dates are relative to `now` so the demo always looks current.

    Returns how many rows of each kind were added (all zero on a second run).
    """
    data = demo_data()
    today = now.astimezone(tz).date()
    added = {"employers": 0, "jobs": 0, "fairs": 0, "courses": 0}
    for e in data["employers"]:
        added["employers"] += insert_ignore(session, Employer, {**e, "created_at": now})
    employer_ids = {e.name: e.id for e in session.exec(select(Employer))}
    for j in data["jobs"]:
        row = {k: v for k, v in j.items() if k not in ("key", "employer")}
        added["jobs"] += insert_ignore(session, Job, {
            **row, "source_key": j["key"], "employer_id": employer_ids.get(j["employer"]),
            "contact_phone": next((e["phone"] for e in data["employers"] if e["name"] == j["employer"]), None),
            "created_at": now, "updated_at": now,
        })
    for f in data["fairs"]:
        day = today + timedelta(days=f["days_from_now"])
        starts = datetime.combine(day, time.fromisoformat(f["time"]), tz)
        added["fairs"] += insert_ignore(session, Fair, {
            "source_key": f["key"], "kind": f["kind"], "title": f["title"], "town": f["town"],
            "venue": f.get("venue"), "stream_url": f.get("stream_url"), "starts_at": starts,
            "ends_at": starts + timedelta(hours=f["hours"]), "job_ids": [], "created_at": now, "updated_at": now,
        })
    for c in data["courses"]:
        start = today + timedelta(days=c["days_from_now"])
        added["courses"] += insert_ignore(session, Course, {
            "source_key": c["key"], "title": c["title"], "kind": c["kind"], "skills": c["skills"],
            "town": c["town"], "venue": c["venue"], "starts_on": start,
            "ends_on": start + timedelta(days=c["days"] - 1), "seats": c["seats"],
            "certificate": c["certificate"], "fee": c.get("fee"), "created_at": now,
        })
    added["internship_bases"] = load_demo_bases(session, data.get("internship_bases", []), now=now)
    return added
