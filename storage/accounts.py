"""Chat accounts across channels: one-time link codes (绑定), which account a push goes to,
and marking an account that can no longer be reached."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from storage.models import ChatAccount, InboundMessage, LinkCode, LinkGuess, Worker
from storage.sql import insert_ignore

# Guessing a 绑定 code is limited three ways: per account (LINK_GUESSES in a row, then an hour's
# wait), by everyone together (LINK_ALL_GUESSES per LINK_ALL_WINDOW, then everyone waits), and
# per code (void once LINK_CODE_EXPOSURE wrong codes were typed anywhere while it lived). So a
# live code faces at most 20 guesses in 10^8 (2 in 10 million); at the overall cap, 1.6 million
# guesses a year, a code kept live all year round would be hit with a chance of about 1.6 %.
LINK_CODE_TTL = timedelta(minutes=10)
LINK_CODE_DIGITS = 8
LINK_GUESSES = 5  # wrong codes in a row before an account must wait
LINK_BLOCK = timedelta(hours=1)
LINK_ALL_GUESSES = 30
LINK_ALL_WINDOW = timedelta(minutes=10)
LINK_CODE_EXPOSURE = 20


def push_account(session: Session, *, worker_id: int) -> ChatAccount | None:
    """The one account a push to this worker goes to: the reachable one they used last.

    Accounts never heard from come after all others; ties go to the newest account.
    """
    return session.exec(
        select(ChatAccount)
        .where(col(ChatAccount.worker_id) == worker_id, col(ChatAccount.reachable) == True)  # noqa: E712
        .order_by(col(ChatAccount.last_inbound_at).is_(None),
                  col(ChatAccount.last_inbound_at).desc(),
                  col(ChatAccount.id).desc())
        .limit(1)
    ).first()


def account_on(session: Session, *, worker_id: int, channel: str) -> ChatAccount | None:
    """The worker's reachable account on one channel (a push its push account cannot carry)."""
    return session.exec(select(ChatAccount).where(
        col(ChatAccount.worker_id) == worker_id, col(ChatAccount.channel) == channel,
        col(ChatAccount.reachable) == True)  # noqa: E712
        .order_by(col(ChatAccount.id).desc()).limit(1)).first()


def push_channels(session: Session, *, worker_ids: Sequence[int], chunk: int = 5000) -> Counter[tuple[str, bool]]:
    """How many of these workers have each push channel (as `push_account` picks it), and
    whether they also have an SMS number: what a broadcast preview counts and prices."""
    found: Counter[tuple[str, bool]] = Counter()
    for start in range(0, len(worker_ids), chunk):
        rows = session.exec(select(ChatAccount).where(
            col(ChatAccount.worker_id).in_(worker_ids[start:start + chunk]),
            col(ChatAccount.reachable) == True)).all()  # noqa: E712
        mine: dict[int, list[ChatAccount]] = {}
        for row in rows:
            mine.setdefault(row.worker_id or 0, []).append(row)
        for accounts in mine.values():
            first = min(accounts, key=lambda a: (a.last_inbound_at is None,
                                                 -(a.last_inbound_at.timestamp() if a.last_inbound_at else 0),
                                                 -(a.id or 0)))
            found[(first.channel, any(a.channel == "sms" for a in accounts))] += 1
    return found


def mark_unreachable(session: Session, *, channel: str, user_id: str) -> bool:
    """The person blocked us or left: stop sending there until they write again."""
    result = session.exec(
        update(ChatAccount).where(col(ChatAccount.channel) == channel, col(ChatAccount.user_id) == user_id)
        .values(reachable=False)
    )
    return bool(result.rowcount)


def already_answered(session: Session, *, channel: str, dedup_key: str) -> bool:
    """Whether this platform message was handled and answered before (a redelivery)."""
    status = session.exec(select(col(InboundMessage.status)).where(
        col(InboundMessage.channel) == channel, col(InboundMessage.dedup_key) == dedup_key)).first()
    return status == "done"


# --- link codes -------------------------------------------------------------------------------
class CodeState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued, mistyped, or already used
    EXPIRED = "expired"


@dataclass(frozen=True)
class CodeCheck:
    state: CodeState
    worker_id: int | None = None


def issue_link_code(session: Session, *, worker_id: int, now: datetime, ttl: timedelta = LINK_CODE_TTL) -> LinkCode:
    """A fresh eight-digit code for the worker; their earlier codes and all expired ones go."""
    session.exec(delete(LinkCode).where(
        (col(LinkCode.worker_id) == worker_id) | (col(LinkCode.expires_at) < now)))
    for _ in range(50):
        code = f"{secrets.randbelow(10 ** LINK_CODE_DIGITS):0{LINK_CODE_DIGITS}d}"
        if insert_ignore(session, LinkCode, {"code": code, "worker_id": worker_id, "expires_at": now + ttl}) \
                and (issued := session.get(LinkCode, code)) is not None:
            return issued
    raise RuntimeError("no free link code")  # a hundred million codes live at once: not a real case


def check_link_code(session: Session, *, code: str, now: datetime) -> CodeCheck:
    row = session.get(LinkCode, code, populate_existing=True)
    if row is None:
        return CodeCheck(CodeState.UNKNOWN)
    if row.expires_at <= now:
        return CodeCheck(CodeState.EXPIRED, row.worker_id)
    return CodeCheck(CodeState.VALID, row.worker_id)


def use_link_code(session: Session, *, code: str, now: datetime) -> int | None:
    """Spend a valid code: the worker it stands for, or None if it is gone or expired.

    One conditional DELETE, so two accounts typing the same code at once cannot both win.
    """
    check = check_link_code(session, code=code, now=now)
    if check.state is not CodeState.VALID:
        return None
    deleted = session.exec(delete(LinkCode).where(
        col(LinkCode.code) == code, col(LinkCode.expires_at) > now)).rowcount
    return check.worker_id if deleted == 1 else None


def link_blocked(account: ChatAccount, now: datetime) -> bool:
    """Whether this account may not try a 绑定 code now (too many wrong ones)."""
    return account.link_blocked_until is not None and account.link_blocked_until > now


def guessing_paused(session: Session, *, now: datetime) -> bool:
    """Whether so many wrong codes were typed lately, on all accounts together, that nobody
    may try one now."""
    recent = session.exec(select(func.count()).select_from(LinkGuess).where(
        col(LinkGuess.at) > now - LINK_ALL_WINDOW)).one()
    return recent >= LINK_ALL_GUESSES


def count_wrong_code(session: Session, *, account: ChatAccount, now: datetime) -> bool:
    """Note a wrong or expired code typed on this account: against the account (True when
    that blocks it for a while), against everyone's recent guesses, and against every live
    code, which is void once it has outlived LINK_CODE_EXPOSURE of them."""
    session.add(LinkGuess(at=now))
    session.exec(delete(LinkGuess).where(col(LinkGuess.at) <= now - LINK_ALL_WINDOW))
    session.exec(update(LinkCode).where(col(LinkCode.expires_at) > now)
                 .values(wrong_seen=col(LinkCode.wrong_seen) + 1))
    session.exec(delete(LinkCode).where(col(LinkCode.wrong_seen) >= LINK_CODE_EXPOSURE))
    account.link_failures += 1
    if account.link_failures >= LINK_GUESSES:
        account.link_failures = 0
        account.link_blocked_until = now + LINK_BLOCK
    session.add(account)
    return link_blocked(account, now)


def link_account(session: Session, *, account: ChatAccount, worker_id: int) -> bool:
    """Point the account at the worker; its own former profile is deleted when no other
    account uses it any more. True when such a profile was deleted."""
    old_id = account.worker_id
    account.worker_id = worker_id
    account.link_failures = 0
    session.add(account)
    session.flush()
    if old_id is None or old_id == worker_id:
        return False
    users = session.exec(select(func.count()).select_from(ChatAccount)
                         .where(col(ChatAccount.worker_id) == old_id)).one()
    if users:
        return False
    old = session.get(Worker, old_id)
    if old is not None:
        session.delete(old)
        session.flush()
    return True
