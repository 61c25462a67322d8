"""People registered by someone else (a family member in the chat, village staff in the console):
the pending worker reached by phone, the consent code sent to that phone and typed back, the
record of who registered whom and how consent was given, and the relatives a chat account
registered."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, bindparam, delete, or_, union, update
from sqlmodel import Session, col, select

from storage.models import ChatAccount, Consent, Worker, saved_id
from storage.workers import AccountRef, erase_person, save_worker

CODE_TTL = timedelta(minutes=10)
CODE_DIGITS = 6
MAX_WRONG = 5  # wrong codes typed before the code is void (a new one must be sent)
MAX_SENDS = 3  # codes sent for one registration: each costs an SMS or a call
PHONE_CHANNELS = ("sms", "voice")
REACH_CHANNEL = {"sms": "sms", "voice": "voice", "none": "sms"}  # "none": the code still goes by SMS
METHOD = {"sms": "sms_code", "voice": "voice_code", "none": "sms_code"}
PAPER = "paper"


class CodeCheck(StrEnum):
    GIVEN = "given"
    WRONG = "wrong"
    USED_UP = "used_up"  # the fifth wrong code: this one is void
    EXPIRED = "expired"


def phone_taken(session: Session, *, phone: str, by_account_id: int | None, now: datetime) -> bool:
    """Whether the number already belongs to a registered person. A registration of it that was
    never agreed to and whose code is dead (or one the same family member left half-way) is
    dropped instead, so an abandoned attempt never locks a number for good."""
    accounts = select(col(ChatAccount.worker_id)).where(
        col(ChatAccount.channel).in_(PHONE_CHANNELS), col(ChatAccount.user_id) == phone,
        col(ChatAccount.worker_id).is_not(None))
    owners = session.exec(select(Worker).where(or_(col(Worker.phone) == phone, col(Worker.id).in_(accounts)))).all()
    for owner in owners:
        consent = consent_of(session, worker_id=saved_id(owner))
        mine = by_account_id is not None and consent is not None and consent.by_account_id == by_account_id
        stale = consent is not None and owner.consent_pending and (mine or not _live(consent, now))
        if not stale:
            return True
        erase(session, worker=owner, now=now)
    return False


def _live(consent: Consent, now: datetime) -> bool:
    return consent.code_expires_at is not None and consent.code_expires_at > now


def consent_of(session: Session, *, worker_id: int) -> Consent | None:
    return session.exec(select(Consent).where(col(Consent.worker_id) == worker_id)).first()


def link_phone(session: Session, *, worker: Worker, phone: str, reach: str) -> ChatAccount:
    """The worker's one phone account: on the channel `reach` asks for, for this number; any
    other phone account of theirs is let go (a new number, or SMS changed to calls)."""
    channel = REACH_CHANNEL[reach]
    session.exec(update(ChatAccount).where(
        col(ChatAccount.worker_id) == worker.id, col(ChatAccount.channel).in_(PHONE_CHANNELS),
        or_(col(ChatAccount.channel) != channel, col(ChatAccount.user_id) != phone)).values(worker_id=None))
    account = _phone_account(session, channel=channel, phone=phone)
    account.worker_id = worker.id
    session.add(account)
    session.flush()
    return account


def _phone_account(session: Session, *, channel: str, phone: str) -> ChatAccount:
    """The account of this number on this channel, made if new (an erased person's stays, emptied)."""
    account = session.exec(select(ChatAccount).where(
        col(ChatAccount.channel) == channel, col(ChatAccount.user_id) == phone)).first()
    if account is None:
        account = ChatAccount(channel=channel, user_id=phone)
        session.add(account)
        session.flush()
    return account


def register(session: Session, *, fields: dict[str, Any], phone: str, reach: str, now: datetime,
             by_account_id: int | None = None, by_staff: tuple[int | None, str] | None = None) -> Consent:
    """A new person registered by someone else: a worker who gets nothing until they agree,
    their phone account, and the record of who registered them."""
    account = _phone_account(session, channel=REACH_CHANNEL[reach], phone=phone)
    worker = save_worker(session, account=AccountRef(saved_id(account), None), worker=None, fields={
        **fields, "phone": phone, "consent_pending": True, "subscribed": False})
    consent = Consent(worker_id=saved_id(worker), by_account_id=by_account_id, reach=reach, created_at=now,
                      by_staff_id=by_staff[0] if by_staff else None, by_staff_name=by_staff[1] if by_staff else None)
    session.add(consent)
    session.flush()
    return consent


def issue_code(session: Session, *, consent: Consent, now: datetime) -> str | None:
    """A fresh code for the person to agree with; None when MAX_SENDS were sent already."""
    if consent.sends >= MAX_SENDS:
        return None
    consent.code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    consent.code_expires_at, consent.wrong_tries = now + CODE_TTL, 0
    consent.sends += 1
    session.add(consent)
    return consent.code


def check_code(session: Session, *, consent: Consent, typed: str, now: datetime) -> CodeCheck:
    """The code typed back: consent given, wrong (counted), used up, or expired."""
    if consent.code is None or not _live(consent, now):
        return CodeCheck.EXPIRED
    if secrets.compare_digest(typed, consent.code):
        give(session, consent=consent, method=METHOD[consent.reach], now=now)
        return CodeCheck.GIVEN
    consent.wrong_tries += 1
    if consent.wrong_tries >= MAX_WRONG:
        consent.code = consent.code_expires_at = None
    session.add(consent)
    return CodeCheck.USED_UP if consent.code is None else CodeCheck.WRONG


def give(session: Session, *, consent: Consent, method: str, now: datetime,
         by_staff: tuple[int | None, str] | None = None) -> Worker:
    """The person agreed: from now on a full worker (pushes as they chose to be reached)."""
    consent.method, consent.given_at = method, now
    consent.code = consent.code_expires_at = None
    if by_staff:
        consent.by_staff_id, consent.by_staff_name = by_staff
    session.add(consent)
    worker = session.get_one(Worker, consent.worker_id)
    worker.consent_pending = False
    worker.subscribed = consent.reach != "none"
    worker.updated_at = now
    session.add(worker)
    return worker


def ask_again(session: Session, *, consent: Consent, worker: Worker) -> None:
    """A new phone number must be agreed to again: no pushes until it is."""
    consent.method = consent.given_at = None
    consent.sends = 0
    worker.consent_pending, worker.subscribed = True, False
    session.add_all([consent, worker])


# built once, as it is read for every 我的信息 (storage.sql): the accounts that registered people
# are the one asking and the others of the same person (绑定), found in the same statement
_RELATIVES = select(Worker, Consent).join(Consent, col(Consent.worker_id) == col(Worker.id)).where(
    col(Consent.by_account_id).in_(union(
        select(bindparam("account_id", type_=Integer)),
        select(col(ChatAccount.id)).where(col(ChatAccount.worker_id) == bindparam("worker_id"))))
).order_by(col(Consent.id))


def relatives(session: Session, *, account_id: int, worker_id: int | None) -> list[tuple[Worker, Consent]]:
    """The people registered from this chat account, or from another account of the same person
    (`worker_id`, this account's worker), oldest first."""
    rows = session.exec(_RELATIVES, params={"account_id": account_id, "worker_id": worker_id})
    return [(worker, consent) for worker, consent in rows]


def erase(session: Session, *, worker: Worker, now: datetime) -> None:
    """注销 of a person registered by someone else, as for anyone (storage.workers.erase_person)."""
    account = session.exec(select(ChatAccount).where(col(ChatAccount.worker_id) == worker.id)).first()
    session.exec(delete(Consent).where(col(Consent.worker_id) == worker.id))
    if account is not None:
        erase_person(session, account_id=saved_id(account), worker=worker, now=now)
    else:
        session.delete(worker)
        session.flush()
