"""SQLModel tables: workers and their chat accounts, conversation state, the inbound log,
employers, jobs, fairs, courses, the push outbox, shared platform tokens and the schedule's
last runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel, col


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """The id of a row already in the database (the model types it optional for rows not yet added)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never added to the database")
    return row.id


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database: SQLite keeps no zone, so we put it back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _json(default: type[list[Any]] | type[dict[str, Any]]) -> Any:
    # A plain function, not the `list`/`dict` type itself: pydantic inspects a builtin
    # factory's signature on every construction, which made each new row ~10× slower.
    return Field(default_factory=lambda: default(), sa_column=Column(JSON, nullable=False))


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
    subscribed: bool = Field(default=True, index=True)  # job, fair, policy and other promotional pushes
    # Messages about her own business (a case, a course she joined): stopped only by 退订 → 全部停.
    service_push: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 暂停一周: promotions wait
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    phone: str | None = Field(default=None, max_length=32)
    # The person's own words where an answer could not be read: field → words, for staff.
    notes: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    name: str | None = Field(default=None, max_length=32)  # how to address the person (称呼): 王阿姨
    # Registered by someone else and not yet agreed (storage.consent): only the consent code reaches them.
    consent_pending: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
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
    link_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # wrong 绑定 codes in a row
    link_blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
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
    claimed_by: int | None = None  # PostgreSQL: the backend pid of the claiming connection (storage.inbound)
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
    days: str | None = Field(default=None, max_length=16)  # weekdays / weekends when the job wants only those
    at_door: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})  # 来料加工 brought to the house
    headcount: int = 1
    age_min: int | None = None
    age_max: int | None = None
    physical: str = Field(default="中", max_length=4)
    public_welfare: bool = False
    contact_phone: str | None = Field(default=None, max_length=32)
    show_phone: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})  # before 报名
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
    fee: str | None = Field(default=None, max_length=64)  # "免费", "200元，可申请补贴"
    hours: str | None = Field(default=None, max_length=64)  # time of day: "上午9:00-11:30"
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


class ScheduleRun(SQLModel, table=True):
    """When each scheduled task last started and in which process: a task claims its tick here,
    so that it runs once per tick even if two processes briefly both think they lead."""

    __tablename__ = "schedule_run"

    task: str = Field(primary_key=True, max_length=64)
    last_started_at: datetime = Field(sa_type=UTCDateTime)
    owner: str = Field(max_length=128)
    runs: int = 0


class ChangeStamp(SQLModel, table=True):
    """A random stamp that database triggers renew on every change to a table (only `job` so
    far): a process keeping that table's rows in memory reads it to know they changed."""

    __tablename__ = "change_stamp"

    name: str = Field(primary_key=True, max_length=32)
    stamp: int = Field(sa_type=BigInteger)


class LinkCode(SQLModel, table=True):
    """A one-time code (绑定) that joins a second chat account to a worker."""

    __tablename__ = "link_code"

    code: str = Field(primary_key=True, max_length=16)
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), nullable=False))
    expires_at: datetime = Field(sa_type=UTCDateTime)
    # wrong codes typed by anyone while this one lived: past a cap it is void (storage.accounts)
    wrong_seen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class LinkGuess(SQLModel, table=True):
    """A wrong 绑定 code typed on any account: the recent ones limit guessing by everyone together."""

    __tablename__ = "link_guess"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)


class WorkerSkill(SQLModel, table=True):
    """One skill of one worker, kept in step with `Worker.skills` so matching can use an index."""

    __tablename__ = "worker_skill"

    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True))
    skill: str = Field(primary_key=True, max_length=32, index=True)


class JobApplication(SQLModel, table=True):
    """A person said 报名 to a job: staff see it and call them."""

    __tablename__ = "job_application"
    __table_args__ = (UniqueConstraint("job_id", "account_id", name="uq_job_application_job_account"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(sa_column=Column(Integer, ForeignKey("job.id", ondelete="CASCADE"), nullable=False, index=True))
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("chat_account.id", ondelete="CASCADE"),
                                             nullable=False))
    worker_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worker.id", ondelete="SET NULL"), index=True))
    status: str = Field(default="new", max_length=16)  # new / contacted (联系上) / hired (录用) / rejected (未录用)
    outcome_on: date | None = None
    outcome_by: str | None = Field(default=None, max_length=16)  # staff / worker (answering 找到活了吗)
    asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 找到活了吗 queued
    created_at: datetime = _ts(index=True)


# --- fairs, broadcasts, staff console (issue 8) ---------------------------------------------------
# Delivery reports and "stop this broadcast" look rows up by (kind, ref_id).
Index("ix_outbox_kind_ref", col(Outbox.kind), col(Outbox.ref_id))


class FairEmployer(SQLModel, table=True):
    """An employer taking part in a fair."""

    __tablename__ = "fair_employer"

    fair_id: int = Field(sa_column=Column(Integer, ForeignKey("fair.id", ondelete="CASCADE"), primary_key=True))
    employer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("employer.id", ondelete="CASCADE"), primary_key=True))


class FairChange(SQLModel, table=True):
    """A fair moved or cancelled by staff; its id keys the notices about that change."""

    __tablename__ = "fair_change"

    id: int | None = Field(default=None, primary_key=True)
    fair_id: int = Field(sa_column=Column(Integer, ForeignKey("fair.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    action: str = Field(max_length=16)  # moved / cancelled
    old_starts_at: datetime = Field(sa_type=UTCDateTime)
    new_starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    old_venue: str | None = Field(default=None, max_length=256)
    new_venue: str | None = Field(default=None, max_length=256)
    reason: str | None = Field(default=None, max_length=256)
    notified: int = 0
    created_at: datetime = _ts()


class Broadcast(SQLModel, table=True):
    """A notice staff send to a chosen audience; confirming it queues it in the outbox once."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    texts: list[str] = _json(list)
    audience: dict[str, Any] = _json(dict)
    fair_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("fair.id", ondelete="SET NULL"), index=True))
    status: str = Field(default="draft", max_length=16)  # draft / queued / stopped
    queued: int = 0
    created_at: datetime = _ts()
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PolicyQuestion(SQLModel, table=True):
    """A policy question someone asked (shortened, numbers masked) and whether it was answered."""

    __tablename__ = "policy_question"

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = _ts(index=True)
    text: str = Field(max_length=200)
    answered: bool = Field(default=False, index=True)


class StaffAudit(SQLModel, table=True):
    """What staff did in the console: who can later see who moved a fair or sent a broadcast."""

    __tablename__ = "staff_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    action: str = Field(max_length=32)
    target: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = _json(dict)
    ip: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=64, index=True)  # the staff account's name


class StaffAccount(SQLModel, table=True):
    """A named console user with one role; town and village staff are scoped to their place."""

    __tablename__ = "staff_account"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    town: str | None = Field(default=None, max_length=32)
    village: str | None = Field(default=None, max_length=64)
    password_hash: str = Field(max_length=256)
    must_change_password: bool = True
    disabled: bool = False
    failures: int = 0  # wrong passwords in a row
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _ts()


class StaffSession(SQLModel, table=True):
    """A console login kept on the server, so logout and a password change really end it.

    The browser holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "staff_session"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("staff_account.id", ondelete="CASCADE"),
                                             nullable=False, index=True))
    csrf: str = Field(max_length=64)
    created_at: datetime = _ts()
    last_seen_at: datetime = _ts()
    ip: str | None = Field(default=None, max_length=64)


# --- the closed loop: training, rights, elderly, graduates, hardship, policies (issue 9) ---------------
class CourseSignup(SQLModel, table=True):
    """A person's place on a course; seats are counted from these rows under a lock on the course."""

    __tablename__ = "course_signup"
    __table_args__ = (UniqueConstraint("course_id", "worker_id", name="uq_course_signup_course_worker"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    status: str = Field(default="signed", max_length=16)  # signed / cancelled / completed
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RightsCase(SQLModel, table=True):
    """An unpaid-wage complaint (维权): who owes what since when, where, and how to reach the person."""

    __tablename__ = "rights_case"

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=16, unique=True)  # WQ2026-000123, set once the id is known
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("chat_account.id", ondelete="SET NULL"), index=True))
    worker_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("worker.id", ondelete="SET NULL"), index=True))
    employer: str = Field(max_length=128)
    amount: int | None = None  # yuan; None when the person does not know
    owed_since: str | None = Field(default=None, max_length=32)
    town: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, max_length=32)  # None once the person erased their data (注销)
    status: str = Field(default="received", max_length=16, index=True)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class RightsCaseEvent(SQLModel, table=True):
    """One status change of a case; its id keys the push that tells the person."""

    __tablename__ = "rights_case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("rights_case.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=256)
    at: datetime = _ts()


class WorkerFlag(SQLModel, table=True):
    """Something a person told us that services turn on: wants to start a business, injured at work, …"""

    __tablename__ = "worker_flag"

    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True))
    flag: str = Field(primary_key=True, max_length=32)
    created_at: datetime = _ts()


class SilverChoice(SQLModel, table=True):
    """One answer on an elderly person's three maps (数字银龄): what to learn, work at or serve."""

    __tablename__ = "silver_choice"
    __table_args__ = (Index("ix_silver_choice_kind_code", "kind", "code"),)

    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True))
    kind: str = Field(primary_key=True, max_length=8)  # learn / work / serve
    code: str = Field(primary_key=True, max_length=32)
    created_at: datetime = _ts()


class SilverNeed(SQLModel, table=True):
    """A row of the three tables staff keep (数字银龄): a training, job or volunteer need."""

    __tablename__ = "silver_need"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8, index=True)  # learn (training) / work (job) / serve (volunteer)
    code: str = Field(max_length=32)
    title: str = Field(max_length=128)
    town: str | None = Field(default=None, max_length=32)
    venue: str | None = Field(default=None, max_length=256)
    headcount: int = 1
    contact: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=500)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _ts()


class SilverPlacement(SQLModel, table=True):
    """Staff recorded that an elderly person went back to work (再就业), for the yearly 3,000 target."""

    __tablename__ = "silver_placement"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    need_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("silver_need.id", ondelete="SET NULL")))
    # a placement through a 报名 marks that application "placed" and is counted there, not twice
    application_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("job_application.id", ondelete="SET NULL"), unique=True))
    work: str = Field(max_length=128)
    employer: str | None = Field(default=None, max_length=128)
    placed_on: date = Field(index=True)
    created_at: datetime = _ts()


class Graduate(SQLModel, table=True):
    """A returning graduate and what the plan promises them: 1 guidance talk, 3 job pushes, 1 training."""

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), nullable=False,
                                            unique=True))
    school: str = Field(max_length=64)
    major: str = Field(max_length=64)
    grad_year: int
    wish: str = Field(max_length=16)  # job / internship / business / undecided
    guided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    guidance_note: str | None = Field(default=None, max_length=256)
    trained_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    training_note: str | None = Field(default=None, max_length=256)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class GraduateRecommendation(SQLModel, table=True):
    """One of a graduate's three job recommendations: slots 1–3 only, each job once."""

    __tablename__ = "graduate_recommendation"
    __table_args__ = (
        UniqueConstraint("graduate_id", "slot", name="uq_graduate_recommendation_slot"),
        UniqueConstraint("graduate_id", "job_id", name="uq_graduate_recommendation_job"),
        CheckConstraint("slot BETWEEN 1 AND 3", name="ck_graduate_recommendation_slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(sa_column=Column(Integer, ForeignKey("graduate.id", ondelete="CASCADE"), nullable=False))
    job_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("job.id", ondelete="SET NULL")))
    slot: int
    created_at: datetime = _ts()


class InternshipBase(SQLModel, table=True):
    """An internship base (就业见习基地) graduates can go to; staff keep the list."""

    __tablename__ = "internship_base"

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=160, unique=True)
    name: str = Field(max_length=128)
    town: str | None = Field(default=None, max_length=32)
    industry: str | None = Field(default=None, max_length=64)
    positions: int = 0
    address: str | None = Field(default=None, max_length=256)
    phone: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=500)
    active: bool = True
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class HardshipDeclaration(SQLModel, table=True):
    """A person declared themselves 就业困难人员 and agreed we keep it; 撤回 deletes the row."""

    __tablename__ = "hardship_declaration"

    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True))
    category: str = Field(max_length=32)
    consented_at: datetime = _ts()


class PolicyOptOut(SQLModel, table=True):
    """The person answered 不需要 to one kind of policy push (政策找人)."""

    __tablename__ = "policy_opt_out"

    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True))
    kind: str = Field(primary_key=True, max_length=32)
    created_at: datetime = _ts()


# --- registration by someone else, with consent (issue 19) -----------------------------------------
class Consent(SQLModel, table=True):
    """Who registered a person for them (a family member's chat account or a staff account), how
    the person is reached, and how and when they agreed; the live consent code while they have not."""

    __tablename__ = "worker_consent"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(sa_column=Column(Integer, ForeignKey("worker.id", ondelete="CASCADE"), unique=True,
                                            nullable=False))
    by_account_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("chat_account.id", ondelete="SET NULL"), index=True))
    by_staff_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("staff_account.id", ondelete="SET NULL")))
    by_staff_name: str | None = Field(default=None, max_length=64)  # kept when the account is gone
    reach: str = Field(default="sms", max_length=8)  # sms / voice / none (the family member only looks)
    method: str | None = Field(default=None, max_length=16)  # sms_code / voice_code / paper, once given
    code: str | None = Field(default=None, max_length=8)
    code_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wrong_tries: int = 0
    sends: int = 0  # codes sent so far: each one costs an SMS or a call
    given_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _ts()


class PhoneBudget(SQLModel, table=True):
    """What SMS and calls cost in one month, reserved before each send against the budget."""

    __tablename__ = "phone_budget"

    month: str = Field(primary_key=True, max_length=7)  # "2026-12", local time
    spent_milli: int = 0  # thousandths of a yuan (厘): unit prices like 0.045 yuan stay exact


class PhoneSend(SQLModel, table=True):
    """One SMS or call we paid for: to whom, of which kind, what it cost, how it fared."""

    __tablename__ = "phone_send"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)
    month: str = Field(max_length=7)
    cost_milli: int
    status: str = Field(default="reserved", max_length=16)  # reserved, accepted, refused, delivered, undelivered
    biz_id: str | None = Field(default=None, max_length=64, index=True)
    code: str | None = Field(default=None, max_length=64)  # the provider's code for a refusal or receipt
    created_at: datetime = _ts()


class PhoneUplink(SQLModel, table=True):
    """A text a person sent back by SMS that is not a stop word: kept for staff, not answered."""

    __tablename__ = "phone_uplink"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    worker_id: int | None = Field(default=None, index=True)
    content: str = Field(max_length=500)
    sequence_id: str | None = Field(default=None, max_length=64, unique=True)  # the provider's id: a repeat is ignored
    received_at: datetime = _ts()


# SQLite hands out the highest id again once its row is deleted; ids end up in push keys,
# case numbers and rows addressed to a person, so an id must never name a second thing.
# AUTOINCREMENT makes SQLite behave as PostgreSQL's sequences always do (migration 0005).
for _table in SQLModel.metadata.tables.values():
    if _table.autoincrement_column is not None:
        _table.dialect_options["sqlite"]["autoincrement"] = True

