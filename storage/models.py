"""SQLModel tables: workers and their chat accounts, conversation state, the inbound log,
employers, jobs, fairs, courses, the push outbox and shared platform tokens."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database: SQLite keeps no zone, so we put it back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Worker(SQLModel, table=True):
    """A registered job seeker (零工) and what they told us about themselves."""

    id: int | None = Field(default=None, primary_key=True)
    town: str | None = Field(default=None, index=True, max_length=32)
    village: str | None = Field(default=None, max_length=64)
    age: int | None = None
    birth_year: int | None = Field(default=None, index=True)
    skills: list[str] = _json(list)
    availability: list[str] = _json(list)
    travel_range: str = Field(default="town", max_length=16)
    want_job_push: bool = True
    want_fair_push: bool = True
    subscribed: bool = Field(default=True, index=True)
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    phone: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class ChatAccount(SQLModel, table=True):
    """One person on one channel; several accounts may point at one worker (绑定)."""

    __tablename__ = "chat_account"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_chat_account_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    worker_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worker.id", ondelete="SET NULL"), index=True)
    )
    last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    window_sends: int = 0
    reachable: bool = True
    latitude: float | None = None
    longitude: float | None = None
    located_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _ts()


class Conversation(SQLModel, table=True):
    """Where a person is in a flow: the flow, the step, the answers so far, the way back."""

    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversation_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = _json(dict)
    back: list[str] = _json(list)
    version: int = 0
    updated_at: datetime = _ts()


class InboundMessage(SQLModel, table=True):
    """Each platform message seen once: a retry finds its row and the reply already given."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("channel", "dedup_key", name="uq_inbound_channel_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    dedup_key: str = Field(max_length=160)
    user_id: str = Field(max_length=128, index=True)
    status: str = Field(default="processing", max_length=16)
    reply: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class Employer(SQLModel, table=True):
    """A company, farm, co-operative or household that offers work."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    kind: str = Field(default="企业", max_length=32)
    town: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=256)
    phone: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()


class Job(SQLModel, table=True):
    """A posted job; `source_key` makes imports and the demo seed idempotent."""

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=160, unique=True)
    title: str = Field(max_length=128)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    town: str | None = Field(default=None, index=True, max_length=32)
    village: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=256)
    skills: list[str] = _json(list)
    pay_amount: float | None = None
    pay_unit: str = Field(default="面议", max_length=16)
    season: str | None = Field(default=None, max_length=32)
    start_date: date | None = None
    end_date: date | None = None
    hours: str | None = Field(default=None, max_length=64)
    night_shift: bool = False
    headcount: int = 1
    age_min: int | None = None
    age_max: int | None = None
    physical: str = Field(default="中", max_length=4)
    public_welfare: bool = False
    contact_phone: str | None = Field(default=None, max_length=32)
    description: str | None = None
    status: str = Field(default="open", index=True, max_length=16)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class Fair(SQLModel, table=True):
    """A recruitment fair: the fixed ones of the 8th and 18th, or one staff added."""

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=160, unique=True)
    kind: str = Field(default="定期招聘会", max_length=32)
    title: str = Field(max_length=128)
    town: str | None = Field(default=None, max_length=32)
    venue: str | None = Field(default=None, max_length=256)
    stream_url: str | None = Field(default=None, max_length=512)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="scheduled", max_length=16)
    job_ids: list[int] = _json(list)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Course(SQLModel, table=True):
    """A training course (培训) people can sign up for."""

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=160, unique=True)
    title: str = Field(max_length=128)
    kind: str = Field(default="技能培训", max_length=32)
    skills: list[str] = _json(list)
    town: str | None = Field(default=None, max_length=32)
    venue: str | None = Field(default=None, max_length=256)
    starts_on: date | None = None
    ends_on: date | None = None
    seats: int = 30
    certificate: bool = False
    created_at: datetime = _ts()


class Outbox(SQLModel, table=True):
    """A message to deliver later; `idempotency_key` means one person gets one thing once."""

    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    worker_id: int | None = Field(default=None, index=True)
    channel: str | None = Field(default=None, max_length=16)
    user_id: str | None = Field(default=None, max_length=128)
    kind: str = Field(max_length=16)
    ref_id: int | None = None
    payload: dict[str, Any] = _json(dict)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    not_before: datetime = _ts()
    last_error: str | None = Field(default=None, max_length=512)
    created_at: datetime = _ts()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A platform access token shared by every process, and who may refresh it until when."""

    __tablename__ = "api_token"

    name: str = Field(primary_key=True, max_length=64)
    value: str | None = Field(default=None, max_length=1024)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lock_owner: str | None = Field(default=None, max_length=64)
    lock_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LinkCode(SQLModel, table=True):
    """A one-time code (绑定) that joins a second chat account to a worker."""

    __tablename__ = "link_code"

    code: str = Field(primary_key=True, max_length=16)
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), nullable=False))
    expires_at: datetime = Field(sa_type=UTCDateTime)
