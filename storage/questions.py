"""The policy questions people ask: logged short and with long numbers masked, so staff can
see what people want to know and what the document does not answer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from storage.models import PolicyQuestion
from storage.sql import InsertBuilder, insert_rows, table_of

KEPT_CHARS = 100
_ASKED = "jobbot.questions_asked"  # Session.info: rows to write at commit
_LONG_NUMBER = re.compile(r"\d{6,}")  # phone and ID numbers are not needed to learn what people ask


def clean(text: str) -> str:
    text = _LONG_NUMBER.sub(lambda m: m.group()[:2] + "*" * (len(m.group()) - 4) + m.group()[-2:], text.strip())
    return text if len(text) <= KEPT_CHARS else text[:KEPT_CHARS - 1] + "…"


def log_question(session: Session, text: str, answered: bool, now: datetime) -> None:
    """Record one question (the policy handler calls this for every question it gets). A
    session's questions are written when it commits, in one statement (a batch of messages
    shares one session): no ORM object and no unit-of-work flush for each."""
    if text.strip():
        session.info.setdefault(_ASKED, []).append({"asked_at": now, "text": clean(text), "answered": answered})


def _insert(insert: InsertBuilder) -> Any:
    return insert(table_of(PolicyQuestion))


@event.listens_for(OrmSession, "before_commit")
def _write_questions(session: OrmSession) -> None:
    asked = session.info.pop(_ASKED, None)
    if asked:
        insert_rows(cast(Session, session), _insert, asked)


@event.listens_for(OrmSession, "after_rollback")
def _forget_questions(session: OrmSession) -> None:
    session.info.pop(_ASKED, None)


def recent_questions(session: Session, *, answered: bool | None = None, limit: int = 50,
                     since: datetime | None = None) -> list[PolicyQuestion]:
    stmt = select(PolicyQuestion)
    if answered is not None:
        stmt = stmt.where(col(PolicyQuestion.answered) == answered)
    if since is not None:
        stmt = stmt.where(col(PolicyQuestion.asked_at) >= since)
    return list(session.exec(stmt.order_by(col(PolicyQuestion.id).desc()).limit(limit)))
