"""Who qualifies for what: hardship declarations (就业困难人员, kept only with consent), things
people told us (flags: 想创业, 干活受伤), opt-outs from kinds of policy pushes, and the SQL that
picks the people a policy rule fits (政策找人) so each is queued once, in one INSERT … SELECT."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, literal, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import outbox
from storage.models import (
    Graduate,
    HardshipDeclaration,
    Job,
    Outbox,
    PolicyOptOut,
    SilverChoice,
    SilverPlacement,
    Worker,
    WorkerFlag,
)
from storage.sql import insert_ignore

POLICY_KIND = "policy"
CONDITIONS = ("age_min", "age_max", "graduate", "graduate_wish", "flag", "hardship", "silver_placed", "silver_joined")
# Public-welfare jobs go to people who declared hardship first; everyone else hears of them this much later.
HEAD_START = timedelta(hours=24)


# --- hardship -----------------------------------------------------------------------------------------
def declare_hardship(session: Session, *, worker_id: int, category: str, now: datetime) -> None:
    row = session.get(HardshipDeclaration, worker_id) or HardshipDeclaration(worker_id=worker_id, category=category)
    row.category, row.consented_at = category, now
    session.add(row)
    session.flush()


def withdraw_hardship(session: Session, *, worker_id: int) -> bool:
    """Consent withdrawn: the declaration is deleted, not just marked."""
    return session.exec(delete(HardshipDeclaration).where(
        col(HardshipDeclaration.worker_id) == worker_id)).rowcount == 1


def has_hardship(session: Session, *, worker_id: int) -> bool:
    return session.get(HardshipDeclaration, worker_id) is not None


def hardship_among(session: Session, worker_ids: Iterable[int]) -> set[int]:
    ids = list(worker_ids)
    if not ids:
        return set()
    return set(session.exec(select(col(HardshipDeclaration.worker_id)).where(
        col(HardshipDeclaration.worker_id).in_(ids))))


def push_delays(session: Session, *, job: Job, worker_ids: Iterable[int]) -> dict[int, timedelta]:
    """How long each person's push of this job waits: nothing, except that a public-welfare
    job (公益性岗位) reaches people who declared hardship `HEAD_START` before everyone else."""
    ids = list(worker_ids)
    if not job.public_welfare:
        return {}
    first = hardship_among(session, ids)
    return {w: HEAD_START for w in ids if w not in first}


def bring_forward(session: Session, *, keys: Iterable[str], now: datetime) -> int:
    """Pushes still waiting out `HEAD_START` for someone who has just declared hardship go now."""
    found = list(keys)
    if not found:
        return 0
    return session.exec(update(Outbox).where(
        col(Outbox.idempotency_key).in_(found), col(Outbox.status) == outbox.PENDING, col(Outbox.not_before) > now)
        .values(not_before=now)).rowcount


def declarations(session: Session, *, limit: int = 500) -> list[tuple[HardshipDeclaration, Worker]]:
    rows = session.exec(select(HardshipDeclaration, Worker)
                        .join(Worker, col(Worker.id) == col(HardshipDeclaration.worker_id))
                        .order_by(col(HardshipDeclaration.consented_at).desc()).limit(limit))
    return list(rows)


# --- flags --------------------------------------------------------------------------------------------
def set_flag(session: Session, *, worker_id: int, flag: str, now: datetime) -> bool:
    """Remember something about the person; True when it is new."""
    return insert_ignore(session, WorkerFlag, {"worker_id": worker_id, "flag": flag, "created_at": now})


def has_flag(session: Session, *, worker_id: int, flag: str) -> bool:
    return session.get(WorkerFlag, (worker_id, flag)) is not None


# --- policy pushes ------------------------------------------------------------------------------------
def opt_out(session: Session, *, worker_id: int, kind: str, now: datetime) -> bool:
    return insert_ignore(session, PolicyOptOut, {"worker_id": worker_id, "kind": kind, "created_at": now})


def has_opted_out(session: Session, *, worker_id: int, kind: str) -> bool:
    return session.get(PolicyOptOut, (worker_id, kind)) is not None


def opted_out(session: Session, *, worker_id: int) -> set[str]:
    return set(session.exec(select(col(PolicyOptOut.kind)).where(col(PolicyOptOut.worker_id) == worker_id)))


def policy_key_prefix(rule_id: str) -> str:
    return f"{POLICY_KIND}:{rule_id}:"


def rule_of_key(key: str) -> str | None:
    parts = key.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == POLICY_KIND else None


def _conditions(when: Mapping[str, Any], year: int) -> list[Any]:
    unknown = set(when) - set(CONDITIONS)
    if unknown:
        raise ValueError(f"unknown policy conditions {sorted(unknown)}")
    found: list[Any] = []
    if "age_min" in when:
        found.append(col(Worker.birth_year) <= year - int(when["age_min"]))
    if "age_max" in when:
        found.append(col(Worker.birth_year) >= year - int(when["age_max"]))
    if when.get("graduate"):
        found.append(exists().where(col(Graduate.worker_id) == col(Worker.id)))
    if "graduate_wish" in when:
        found.append(exists().where(col(Graduate.worker_id) == col(Worker.id),
                                    col(Graduate.wish) == when["graduate_wish"]))
    if "flag" in when:
        found.append(exists().where(col(WorkerFlag.worker_id) == col(Worker.id), col(WorkerFlag.flag) == when["flag"]))
    if when.get("hardship"):
        found.append(exists().where(col(HardshipDeclaration.worker_id) == col(Worker.id)))
    if when.get("silver_placed"):
        found.append(exists().where(col(SilverPlacement.worker_id) == col(Worker.id)))
    if "silver_joined" in when:  # false: not for someone already using 数字银龄
        joined = exists().where(col(SilverChoice.worker_id) == col(Worker.id))
        found.append(joined if when["silver_joined"] else ~joined)
    return found


def check_conditions(when: Mapping[str, Any]) -> None:
    """Raise ValueError for a rule whose conditions we do not know (rules are data)."""
    _conditions(when, 2000)


def queue_rule(session: Session, *, rule_id: str, kind: str, when: Mapping[str, Any], texts: tuple[str, ...],
               year: int, now: datetime, worker_id: int | None = None) -> int:
    """Queue the rule's push for everyone it now fits who has not had it and has not said 不需要
    to its kind (only `worker_id`, when given). Returns how many were queued."""
    prefix = policy_key_prefix(rule_id)
    already = exists().where(col(Outbox.idempotency_key) == literal(prefix, String) + cast(col(Worker.id), String))
    refused = exists().where(col(PolicyOptOut.worker_id) == col(Worker.id), col(PolicyOptOut.kind) == kind)
    conditions = [col(Worker.subscribed) == true(), ~already, ~refused, *_conditions(when, year)]
    if worker_id is not None:
        conditions.append(col(Worker.id) == worker_id)
    ids = sa_select(col(Worker.id)).where(and_(*conditions))
    return outbox.enqueue_selected(session, ids, key_prefix=prefix, kind=POLICY_KIND, texts=texts, ref_id=None,
                                   not_before=now, now=now)


def fits(session: Session, *, worker_id: int, when: Mapping[str, Any], year: int) -> bool:
    return session.connection().execute(
        sa_select(col(Worker.id)).where(col(Worker.id) == worker_id, *_conditions(when, year))).first() is not None


def last_received(session: Session, *, worker_id: int) -> Outbox | None:
    """The push the person actually received last (what 不需要 answers): sent, newest first."""
    return session.exec(select(Outbox).where(col(Outbox.worker_id) == worker_id, col(Outbox.status) == outbox.SENT)
                        .order_by(col(Outbox.sent_at).desc(), col(Outbox.id).desc()).limit(1)).first()


def push_opt_out(push_kind: str) -> str:
    """The opt-out row's kind for a kind of push (银龄 offers, recommendations, notices), apart
    from the kinds of policy (政策找人) that share the table."""
    return f"push:{push_kind}"


def cancel_policy_pushes(session: Session, *, worker_id: int, rule_ids: Iterable[str]) -> int:
    """Stop the person's queued, unsent pushes of these rules."""
    keys = [policy_key_prefix(r) + str(worker_id) for r in rule_ids]
    return session.exec(update(Outbox).where(
        col(Outbox.idempotency_key).in_(keys), col(Outbox.status).in_(outbox.UNSENT))
        .values(status=outbox.CANCELLED)).rowcount
