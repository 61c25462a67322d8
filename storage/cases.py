"""Unpaid-wage cases (维权 / 根治欠薪): open one under a number like WQ2026-000123, find a
person's own cases, change a case's status with its history, and mask the phone number for lists."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from storage.models import ChatAccount, RightsCase, RightsCaseEvent, Worker, saved_id

RECEIVED = "received"
WITHDRAWN = "withdrawn"
FINISHED = ("resolved", "closed", WITHDRAWN)  # no longer in hand: cannot be withdrawn
ERASED_NOTE = "本人已注销：电话已删除，也不再和聊天账号关联"
STATUSES = {  # code → what the person and staff read
    RECEIVED: "已受理",
    "checking": "核实中",
    "mediating": "调解中",
    "arbitration": "已转劳动仲裁",
    "resolved": "已解决",
    "closed": "已结案",
    WITHDRAWN: "本人撤回",
}
_NUMBER = re.compile(r"WQ\s*-?\s*(\d{4})\s*-?\s*(\d{1,6})", re.IGNORECASE)


def case_number(year: int, case_id: int) -> str:
    return f"WQ{year}-{case_id:06d}"


def parse_number(text: str) -> str | None:
    """The case number in what someone typed ("wq2026-123", "WQ 2026 000123"), written our way."""
    found = _NUMBER.search(text or "")
    return f"WQ{found.group(1)}-{int(found.group(2)):06d}" if found else None


def mask_phone(phone: str | None) -> str:
    """138****1234: enough to tell numbers apart, not enough to call."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "*" * len(phone)


def open_case(session: Session, *, account_id: int | None, worker_id: int | None, employer: str,
              amount: int | None, owed_since: str | None, town: str | None, phone: str, year: int,
              now: datetime) -> RightsCase:
    case = RightsCase(account_id=account_id, worker_id=worker_id, employer=employer, amount=amount,
                      owed_since=owed_since, town=town, phone=phone, status=RECEIVED, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    assert case.id is not None
    case.number = case_number(year, case.id)
    session.add(case)
    session.add(RightsCaseEvent(case_id=case.id, status=RECEIVED, at=now))
    session.flush()
    return case


def get_case(session: Session, case_id: int) -> RightsCase | None:
    return session.get(RightsCase, case_id)


def find_case(session: Session, *, number: str) -> RightsCase | None:
    return session.exec(select(RightsCase).where(col(RightsCase.number) == number)).first()


def owned_by(case: RightsCase, account: ChatAccount) -> bool:
    return case.account_id == account.id or (case.worker_id is not None and case.worker_id == account.worker_id)


def cases_of(session: Session, *, account: ChatAccount) -> list[RightsCase]:
    """The cases this person filed, from this account or any account of the same worker."""
    mine = [col(RightsCase.account_id) == account.id]
    if account.worker_id is not None:
        mine.append(col(RightsCase.worker_id) == account.worker_id)
    return list(session.exec(select(RightsCase).where(or_(*mine)).order_by(col(RightsCase.id).desc())))


def open_cases_of(session: Session, *, account: ChatAccount) -> list[RightsCase]:
    return [c for c in cases_of(session, account=account) if c.status not in FINISHED]


def list_cases(session: Session, *, status: str | None = None, town: str | None = None, limit: int = 50,
               offset: int = 0) -> list[RightsCase]:
    stmt = select(RightsCase)
    if status:
        stmt = stmt.where(col(RightsCase.status) == status)
    if town:
        stmt = stmt.where(col(RightsCase.town) == town)
    return list(session.exec(stmt.order_by(col(RightsCase.id).desc()).offset(offset).limit(limit)))


def set_status(session: Session, *, case_id: int, status: str, note: str | None, now: datetime
               ) -> RightsCaseEvent | None:
    """Record a new status (or a note on the same one); None when there is no such case."""
    if status not in STATUSES:
        raise ValueError(f"unknown case status {status!r}")
    case = session.get(RightsCase, case_id)
    if case is None:
        return None
    case.status, case.updated_at = status, now
    session.add(case)
    event = RightsCaseEvent(case_id=case_id, status=status, note=note, at=now)
    session.add(event)
    session.flush()
    return event


def events(session: Session, *, case_id: int) -> list[RightsCaseEvent]:
    return list(session.exec(select(RightsCaseEvent).where(col(RightsCaseEvent.case_id) == case_id)
                             .order_by(col(RightsCaseEvent.id))))


def number_of(case: RightsCase) -> str:
    """The case's number (WQ2026-000123), given when the case was opened."""
    if case.number is None:
        raise ValueError(f"rights case {case.id} has no number")
    return case.number


def forget_person(session: Session, *, account_ids: list[int], worker_id: int | None, now: datetime) -> list[str]:
    """注销: the person's finished cases are deleted; an open one stays for the department to
    follow up, without the phone and tied to no account. The numbers of the cases kept."""
    mine: list[ColumnElement[bool]] = [col(RightsCase.account_id).in_(account_ids)]
    if worker_id is not None:
        mine.append(col(RightsCase.worker_id) == worker_id)
    kept = []
    for case in session.exec(select(RightsCase).where(or_(*mine)).order_by(col(RightsCase.id))):
        if case.status in FINISHED:
            session.delete(case)
            continue
        case.phone = case.account_id = case.worker_id = None
        case.updated_at = now
        session.add(case)
        session.add(RightsCaseEvent(case_id=saved_id(case), status=case.status, note=ERASED_NOTE, at=now))
        kept.append(number_of(case))
    session.flush()
    return kept


def reach(session: Session, case: RightsCase) -> tuple[int | None, str]:
    """Whether messages about the case can reach the person: (the worker to push to, or None;
    what staff read). The one answer the case list, the case page and status changes share."""
    if not case.phone:
        return None, "本人已注销：进展发不了消息，也打不了电话；本人可以带着编号来问"
    worker_id = worker_to_tell(session, case)
    worker = session.get(Worker, worker_id) if worker_id is not None else None
    if worker is None:
        return None, "没有登记，进展发不了消息，请打电话告诉本人"
    if not worker.service_push:
        return None, "本人选了全部停（不收任何消息），请打电话告诉本人"
    reachable = session.exec(select(col(ChatAccount.id)).where(col(ChatAccount.worker_id) == worker_id,
                                                          col(ChatAccount.reachable))).first()
    if reachable is None:
        return None, "本人已取消关注，发不了消息，请打电话告诉本人"
    return worker_id, "进展会发消息告诉本人"


def push_key(case_id: int, event_id: int) -> str:
    return f"case:{case_id}:{event_id}"


def worker_to_tell(session: Session, case: RightsCase) -> int | None:
    """Who gets pushes about the case: the worker who filed it, or the one the account has since become."""
    if case.worker_id is not None:
        return case.worker_id
    account = session.get(ChatAccount, case.account_id) if case.account_id else None
    return account.worker_id if account else None
