"""Workers and their chat accounts: find, register, update, unsubscribe, erase."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, or_, update
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage import cases, outbox
from storage.conversations import ConversationState, Person, locking, reset_conversations
from storage.inbound import forget_user_messages
from storage.models import ChatAccount, JobApplication, Worker, WorkerSkill, saved_id, utcnow
from storage.sql import InsertBuilder, Inserting, insert_rows, insert_rows_joined, table_of

_WORKER_TABLE = table_of(Worker)
_WORKER_COLUMNS = [column.name for column in _WORKER_TABLE.columns if column.name != "id"]
_INSERT_WORKER = insert(_WORKER_TABLE).returning(_WORKER_TABLE.c.id)
_SKILL_TABLE = table_of(WorkerSkill)
_INSERT_SKILL = insert(_SKILL_TABLE)
# SET is what the parameters name (the answers changed, updated_at), as Core does for an UPDATE without values()
_UPDATE_WORKER = update(_WORKER_TABLE).where(_WORKER_TABLE.c.id == bindparam("worker_key"))
_DELETE_SKILLS = delete(_SKILL_TABLE).where(_SKILL_TABLE.c.worker_id == bindparam("worker_key"))
_ACCOUNT_TABLE = table_of(ChatAccount)
_LINK_ACCOUNT = update(_ACCOUNT_TABLE).where(_ACCOUNT_TABLE.c.id == bindparam("account_id")).values(
    worker_id=bindparam("worker_id"))
# Identity-map keys from the mappers found once: sqlalchemy's identity_key() looks the mapper
# up on each call, ten times the cost, and a batch asks several times per message.
_ACCOUNT_KEY = class_mapper(ChatAccount).identity_key_from_primary_key
_WORKER_KEY = class_mapper(Worker).identity_key_from_primary_key


def _touch(insert: InsertBuilder) -> Any:
    table = table_of(ChatAccount)
    new = insert(table)
    return new.on_conflict_do_update(
        index_elements=[table.c.channel, table.c.user_id],
        set_={"last_inbound_at": new.excluded.last_inbound_at, "window_sends": 0, "reachable": True},
    ).returning(table.c.id, table.c.channel, table.c.user_id, table.c.worker_id)


@dataclass
class AccountRef:
    """An account's id and its worker's, without loading the account."""

    id: int
    worker_id: int | None

    def current_worker_id(self, session: Session) -> int | None:
        """The worker id now: from the account object if this session has it (a handler may
        have changed it), else as last seen."""
        loaded = session.identity_map.get(_ACCOUNT_KEY((self.id,)))
        return loaded.worker_id if loaded is not None else self.worker_id


def touching(people: Iterable[tuple[str, str]], *, now: datetime) -> Inserting:
    """The INSERT of `touch_accounts` and its rows (for `storage.sql.insert_rows_joined`)."""
    return _touch, [{"channel": channel, "user_id": user_id, "created_at": now, "last_inbound_at": now,
                     "window_sends": 0, "reachable": True} for channel, user_id in sorted(set(people))]


def touch_accounts(session: Session, people: Iterable[tuple[str, str]], *,
                   now: datetime) -> dict[tuple[str, str], AccountRef]:
    """The accounts these (channel, user_id) messages came from, created if new, marked as
    just heard from.

    Hearing from a person opens WeChat's 48-hour customer-service window again and means
    they can be reached.
    """
    build, params = touching(people, now=now)
    if not params:
        return {}
    rows = insert_rows(session, build, params)
    return {(row.channel, row.user_id): AccountRef(row.id, row.worker_id) for row in rows}


def arrive(session: Session, people: Iterable[tuple[str, str]], *,
           now: datetime) -> tuple[dict[Person, ConversationState], dict[Person, AccountRef]]:
    """`lock_conversations` and `touch_accounts` for the people a batch of messages came from,
    on PostgreSQL in one statement."""
    conversations, accounts = locking(people), touching(people, now=now)
    if not conversations[1]:
        return {}, {}
    states, refs = {}, {}
    for state, (account_id, _channel, _user_id, worker_id) in insert_rows_joined(
            session, conversations, accounts, ("channel", "user_id")):
        person = (state[1], state[2])
        states[person], refs[person] = ConversationState(*state), AccountRef(account_id, worker_id)
    return states, refs


_EXPECTED, _LOADED = "jobbot.expected_workers", "jobbot.loaded_workers"


def expect_workers(session: Session, accounts: Iterable[AccountRef]) -> None:
    """The workers of these accounts may be asked for in this session (a batch of messages):
    the first `get_worker` that needs one of them loads them all, in one statement instead of
    one each. Loaded objects stay in step with the session's own ORM updates."""
    session.info[_EXPECTED] = {account.worker_id for account in accounts if account.worker_id}


def get_worker(session: Session, *, account: AccountRef) -> Worker | None:
    worker_id = account.current_worker_id(session)
    if not worker_id:
        return None
    expected: set[int] = session.info.get(_EXPECTED, set())
    if worker_id in expected and session.identity_map.get(_WORKER_KEY((worker_id,))) is None:
        del session.info[_EXPECTED]
        # the session keeps only weak references to unchanged objects: hold them for it
        session.info[_LOADED] = session.exec(select(Worker).where(col(Worker.id).in_(sorted(expected)))).all()
    return session.get(Worker, worker_id)


def save_worker(session: Session, *, account: AccountRef, worker: Worker | None, fields: dict[str, Any]) -> Worker:
    """Create the account's worker from the registration answers, or update its `worker`.

    Written with statements rather than through the unit of work (a sign-up is one INSERT,
    its skills one more, the account's link one UPDATE; a change one UPDATE, and the skills
    replaced when they changed), keeping the objects in this session and `account` up to date.
    """
    now = utcnow()
    if worker is None:
        worker = Worker(**fields, created_at=now, updated_at=now)
        row = {column: getattr(worker, column) for column in _WORKER_COLUMNS}
        worker.id = session.connection().execute(_INSERT_WORKER, row).scalar_one()
        make_transient_to_detached(worker)
        session.add(worker)
        session.connection().execute(_LINK_ACCOUNT, {"account_id": account.id, "worker_id": worker.id})
        account.worker_id = worker.id
        loaded = session.identity_map.get(_ACCOUNT_KEY((account.id,)))
        if loaded is not None:
            set_committed_value(loaded, "worker_id", worker.id)
        _add_skills(session, worker.id, worker.skills)
        return worker
    session.flush()  # what the session holds of this worker is written before the statement, not after it
    changed = {name: value for name, value in fields.items() if getattr(worker, name) != value}
    if not changed:  # 修改 confirmed with nothing changed
        return worker
    skills_changed = "skills" in changed
    changed["updated_at"] = now
    session.connection().execute(_UPDATE_WORKER, {**changed, "worker_key": worker.id})
    for name, value in changed.items():
        set_committed_value(worker, name, value)
    if skills_changed:
        session.connection().execute(_DELETE_SKILLS, {"worker_key": worker.id})
        _add_skills(session, worker.id, worker.skills)
    return worker


def _add_skills(session: Session, worker_id: int | None, skills: list[str]) -> None:
    """The indexed skill rows, kept in step with the worker's skill list."""
    rows = [{"worker_id": worker_id, "skill": skill} for skill in dict.fromkeys(skills)]
    if rows:
        session.connection().execute(_INSERT_SKILL, rows)


PUSH_CHOICES = ("subscribed", "service_push", "want_job_push", "want_fair_push", "paused_until")


def lock_worker(session: Session, *, worker_id: int) -> None:
    """Hold this worker's row until the transaction ends (a write first, as on SQLite it must be)."""
    session.exec(update(Worker).where(col(Worker.id) == worker_id).values(id=col(Worker.id)))


def set_pushes(session: Session, *, worker: Worker, **choices: Any) -> None:
    """What the person wants pushed: `subscribed`, `service_push`, `want_job_push`,
    `want_fair_push`, `paused_until` (退订 and its choices, 订阅)."""
    for name, value in choices.items():
        if name not in PUSH_CHOICES:
            raise ValueError(f"not a push choice: {name}")
        setattr(worker, name, value)
    worker.updated_at = utcnow()
    session.add(worker)


def erase_person(session: Session, *, account_id: int, worker: Worker | None, now: datetime) -> list[str]:
    """Erase a person (注销): their profile and all that hangs on it, their applications, what
    is queued for them, what their chats said, their location; the numbers of the open wage
    cases kept for the department (see `cases.forget_person`).

    Their chat accounts stay, emptied, because they may still write and the platforms'
    rules (WeChat's reply window, the 绑定 guess limit) are counted on them.
    """
    mine: ColumnElement[bool] = col(ChatAccount.id) == account_id
    if worker is not None:
        mine = or_(mine, col(ChatAccount.worker_id) == worker.id)
    accounts = session.exec(select(ChatAccount).where(mine)).all()
    account_ids = [saved_id(account) for account in accounts]
    kept = cases.forget_person(session, account_ids=account_ids,
                               worker_id=worker.id if worker else None, now=now)
    applied: ColumnElement[bool] = col(JobApplication.account_id).in_(account_ids)
    if worker is not None:
        applied = or_(applied, col(JobApplication.worker_id) == worker.id)
        outbox.forget_worker(session, worker_id=saved_id(worker))
    session.exec(delete(JobApplication).where(applied))
    for account in accounts:
        forget_user_messages(session, channel=account.channel, user_ids=[account.user_id])
        reset_conversations(session, channel=account.channel, user_ids=[account.user_id])
        account.worker_id = account.latitude = account.longitude = account.located_at = None
        session.add(account)
    if worker is not None:
        session.delete(worker)
    session.flush()
    return kept
