"""The delivery worker: takes due rows from the push outbox and sends each at most once.

Before a push goes out it is checked against the person: still registered, agreed to a
registration made for them by someone else (until then only the consent code goes), not 退订 (a
service message — her case, her course — goes unless she chose 全部停), not paused, still
wanting this kind, not inside their quiet hours (moved to the morning instead), and under
the daily cap for job pushes (the rest wait for one digest). A person's due rows are planned
together against the channel's quota (bot.quota: ranked, merged, the rest waiting for her
next message) and go to the one account she used last. Rows are marked `sending` in a
committed transaction just before the platform is called, so a process killed at any
moment never sends a row twice (see storage.outbox).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot import quota
from bot.channels.base import GatedSender, KindFilter, Outcome, PushMessage, QuotaSender, Sender, SendResult
from bot.services import Services
from handlers.notices import digest
from storage import eligibility as el
from storage import outbox, push_kinds, waiting
from storage.accounts import account_on, push_account
from storage.db import session_scope
from storage.jobs import is_open
from storage.models import ChatAccount, Job, Outbox, Worker, saved_id
from storage.workers import lock_worker
from storage.write_turns import write_turn

log = logging.getLogger(__name__)

WANTS = {"job": "want_job_push", "fair": "want_fair_push", "digest": "want_job_push"}
DIGESTED = "digested"
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class _Send:
    channel: str
    message: PushMessage
    rows: list[Outbox]


@dataclass(frozen=True)
class Policy:
    quiet: tuple[time, time]
    elderly_quiet: tuple[time, time]
    elderly_age: int
    job_daily_cap: int
    digest_at: time


def _hhmm(text: str) -> time:
    return time.fromisoformat(text)


def policy_from(settings: Any) -> Policy:
    return Policy(
        quiet=(_hhmm(settings.quiet_start), _hhmm(settings.quiet_end)),
        elderly_quiet=(_hhmm(settings.elderly_quiet_start), _hhmm(settings.elderly_quiet_end)),
        elderly_age=settings.elderly_age,
        job_daily_cap=settings.job_daily_cap,
        digest_at=_hhmm(settings.digest_at),
    )


def quiet_until(local: datetime, start: time, end: time) -> datetime | None:
    """When the quiet hours around `local` end, or None if `local` is not inside them.

    The window may cross midnight (21:00–08:00) or not (12:00–14:00).
    """
    now = local.timetz().replace(tzinfo=None)
    crosses = start > end
    inside = (now >= start or now < end) if crosses else (start <= now < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if crosses and now >= start else local.date()
    return datetime.combine(day, end, local.tzinfo)


def person_quiet(worker: Worker, policy: Policy, year: int) -> tuple[time, time]:
    if worker.quiet_start and worker.quiet_end:
        return _hhmm(worker.quiet_start), _hhmm(worker.quiet_end)
    elderly = worker.birth_year is not None and year - worker.birth_year >= policy.elderly_age
    return policy.elderly_quiet if elderly else policy.quiet


class Deliverer:
    """Delivers due outbox rows through the senders of the configured channels."""

    def __init__(self, engine: Engine, services: Services, senders: Mapping[str, Sender], *,
                 batch: int = 50, lease: timedelta = timedelta(minutes=5), concurrency: int = 16,
                 backoff: Callable[[int], timedelta] = lambda n: timedelta(seconds=30 * 2 ** n)):
        self.engine = engine
        self.services = services
        self.senders = dict(senders)
        self.policy = policy_from(services.settings)
        self.batch = batch
        self.lease = lease
        self.backoff = backoff
        self._slots = asyncio.Semaphore(concurrency)

    def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        # SQLite has one writer: sixteen threads asking for its lock at once would each sleep
        # in its busy handler, and the dispatcher's writes behind them (storage.write_turns).
        with write_turn(self.engine), session_scope(self.engine) as session:
            return fn(session, *args)

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many rows were taken."""
        now = self.services.clock()

        def claim(session: Session) -> list[Outbox]:
            waiting.release_reopened(session, now=now)
            rows = outbox.claim_due(session, now=now, limit=self.batch, lease=self.lease)
            people = sorted({r.worker_id for r in rows if r.worker_id is not None})
            if people:  # the rest of what is due for the same people, so each is planned as a whole
                rows += outbox.claim_due(session, now=now, limit=self.batch * 10, lease=self.lease, worker_ids=people)
            return rows

        rows: list[Outbox] = await to_thread.run_sync(self._db, claim)
        by_person: dict[object, list[Outbox]] = {}
        for row in rows:
            by_person.setdefault(row.worker_id if row.worker_id is not None else ("row", row.id), []).append(row)
        await asyncio.gather(*(self._deliver(group) for group in by_person.values()))
        return len(rows)

    async def recover(self) -> tuple[int, int]:
        """Deal with rows a dead process left behind (at start-up and now and then)."""
        return await to_thread.run_sync(self._db, lambda s: outbox.recover_stale(s, now=self.services.clock()))

    async def run_forever(self, stop: asyncio.Event, *, idle: float = 1.0,
                          started: Callable[[], None] = lambda: None) -> None:
        """Deliver until `stop` is set; `started` is called once the first round is done."""
        await self.recover()
        first = True
        while not stop.is_set():
            try:
                taken = await self.run_once()
            except Exception:
                log.exception("delivery round failed")
                taken = 0
            if first:
                started()
                first = False
            if not taken:
                try:
                    await asyncio.wait_for(stop.wait(), idle)
                except TimeoutError:
                    pass

    async def _deliver(self, rows: list[Outbox]) -> None:
        """One person's due rows: planned together, then sent one message after another."""
        async with self._slots:
            try:
                sends = await to_thread.run_sync(self._db, self._prepare, rows)
            except Exception as error:
                log.exception("planning pushes %s failed", [r.id for r in rows])
                failed = SendResult(Outcome.RETRY, reason=error.__class__.__name__)
                await to_thread.run_sync(self._db, self._record, rows, failed, None, None)
                return
            for send in sends:
                sender = self.senders[send.channel]
                try:
                    result = await sender.send(send.message)
                except Exception as error:
                    log.exception("push %s failed before an answer", [r.id for r in send.rows])
                    result = SendResult(Outcome.RETRY, reason=error.__class__.__name__)
                await to_thread.run_sync(self._db, self._record, send.rows, result, send.channel, send.message.user_id)

    def _prepare(self, session: Session, rows: list[Outbox]) -> list[_Send]:
        """Check the person and the hour for each row, plan the person's quota, mark what goes
        now `sending` and say where it goes."""
        now = self.services.clock()
        worker_id = rows[0].worker_id
        if worker_id is not None:
            lock_worker(session, worker_id=worker_id)  # one push decision per person at a time
        worker = session.get(Worker, worker_id) if worker_id is not None else None
        if worker is None:
            for row in rows:
                outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error="已注销")
            return []
        ready: list[quota.Due[Outbox]] = []
        for row in rows:
            jobs = sum(d.kind == "job" for d in ready)  # the cap counts what this round sends too
            texts = self._check(session, row, worker, now, jobs_now=jobs)
            if texts is not None:
                ready.append(quota.Due(row.kind, tuple(texts), row))
        if not ready:
            return []
        account = push_account(session, worker_id=saved_id(worker))
        if account is None or account.channel not in self.senders:
            why = "没有可用的聊天账号" if account is None else f"{account.channel} 渠道不能推送"
            for due in ready:
                outbox.finish(session, outbox_id=saved_id(due.ref), status=outbox.SKIPPED, now=now, error=why)
            return []
        sends = []
        for routed, dues in self._route(session, account, ready, now).values():
            sends += self._plan(session, routed, dues, now)
        session.commit()  # `sending` must be on disk before the platform is called
        return sends

    def _route(self, session: Session, account: ChatAccount, ready: list[quota.Due[Outbox]],
               now: datetime) -> dict[int, tuple[ChatAccount, list[quota.Due[Outbox]]]]:
        """Which account each row goes to: the person's push account, or the channel it names
        for the kinds it does not carry; rows a channel holds back wait or are skipped here."""
        routes: dict[int, tuple[ChatAccount, list[quota.Due[Outbox]]]] = {}
        for due in ready:
            row, chosen = due.ref, account
            sender = self.senders[account.channel]
            if isinstance(sender, KindFilter) and not sender.takes(row.kind):
                other = sender.fallback and account_on(session, worker_id=account.worker_id or 0,
                                                       channel=sender.fallback)
                if not other or other.channel not in self.senders:
                    outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now,
                                  error=f"{account.channel} 不送这类消息，也没有别的号码")
                    continue
                chosen, sender = other, self.senders[other.channel]
            hold = sender.gate(session, worker_id=account.worker_id or 0, kind=row.kind, ref_id=row.ref_id,
                               now=now) if isinstance(sender, GatedSender) else None
            if hold is not None and hold.until is None:
                outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error=hold.reason)
            elif hold is not None and hold.until is not None:
                outbox.retry_later(session, outbox_id=saved_id(row), at=hold.until, error=hold.reason)
            else:
                routes.setdefault(saved_id(chosen), (chosen, []))[1].append(due)
        return routes

    def _plan(self, session: Session, account: ChatAccount, ready: list[quota.Due[Outbox]],
              now: datetime) -> list[_Send]:
        """Plan one account's rows against its channel's quota and mark what goes now `sending`."""
        sender = self.senders[account.channel]
        room = sender.room(session, account.user_id, now) if isinstance(sender, QuotaSender) else None
        planned = quota.plan(ready, room=room, template=bool(getattr(sender, "template", False)))
        waiting.hold(session, outbox_ids=[saved_id(d.ref) for d in planned.waiting], now=now)
        sends = []
        for message in planned.now:
            mine = [d.ref for d in message.items if outbox.mark_sending(session, outbox_id=saved_id(d.ref))]
            if mine:
                params = {k: str(v) for row in mine for k, v in row.payload.get("params", {}).items()}
                push = PushMessage(account.user_id, tuple(message.texts), mine[0].kind, params, message.template,
                                   account.worker_id)
                sends.append(_Send(account.channel, push, mine))
        return sends

    def _check(self, session: Session, row: Outbox, worker: Worker, now: datetime, *,
               jobs_now: int) -> list[str] | None:
        """The row's texts when it may go now; otherwise None, with the row finished or moved."""
        if row.kind == push_kinds.CONSENT or worker.consent_pending:
            return self._consent_check(session, row, worker, now)
        service = push_kinds.is_service(row.kind)
        wish = WANTS.get(row.kind)
        if service and not worker.service_push:
            outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error="本人选了全部停")
            return None
        if not service and (not worker.subscribed or (wish and not getattr(worker, wish))):
            outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error="已退订")
            return None
        if not service and el.has_opted_out(session, worker_id=saved_id(worker), kind=el.push_opt_out(row.kind)):
            outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now,
                          error="本人说不需要这类消息")
            return None
        if not service and worker.paused_until is not None and worker.paused_until > now:
            outbox.retry_later(session, outbox_id=saved_id(row), at=worker.paused_until, error="本人暂停推送一周")
            return None
        local = now.astimezone(self.services.tz)
        job = session.get(Job, row.ref_id) if row.kind == "job" and row.ref_id is not None else None
        if row.kind == "job" and row.ref_id is not None and (job is None or not is_open(job, today=local.date())):
            outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error="岗位已招满或结束")
            return None
        start, end = person_quiet(worker, self.policy, local.year)
        wake = quiet_until(local, start, end)
        if wake is not None:
            outbox.retry_later(session, outbox_id=saved_id(row), at=wake, error="免打扰时段")
            return None
        if row.kind == "job" and self._over_cap(session, worker, local, jobs_now):
            self._hold_for_digest(session, row, worker, local)
            return None
        texts = list(row.payload.get("texts", []))
        if row.kind == "digest":
            texts = self._digest_texts(session, worker)
            if not texts:
                outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now,
                              error="没有待汇总的岗位")
                return None
        return texts

    def _consent_check(self, session: Session, row: Outbox, worker: Worker, now: datetime) -> list[str] | None:
        """Someone registered by another has not agreed yet: the consent code is all they get.
        The code is waited for right now and dies in minutes, so it ignores quiet hours."""
        if row.kind != push_kinds.CONSENT:
            outbox.finish(session, outbox_id=saved_id(row), status=outbox.SKIPPED, now=now, error="本人还没同意登记")
            return None
        return list(row.payload.get("texts", []))

    def _over_cap(self, session: Session, worker: Worker, local: datetime, jobs_now: int) -> bool:
        midnight = datetime.combine(local.date(), time(0), local.tzinfo)
        sent = outbox.pushed_since(session, worker_id=saved_id(worker), kind="job", since=midnight)
        return sent + jobs_now >= self.policy.job_daily_cap

    def _hold_for_digest(self, session: Session, row: Outbox, worker: Worker, local: datetime) -> None:
        tomorrow = local.date() + timedelta(days=1)
        at = datetime.combine(tomorrow, self.policy.digest_at, local.tzinfo)
        outbox.retry_later(session, outbox_id=saved_id(row), at=at, status=outbox.HELD,
                           error="超过每日推送上限，并入汇总")
        outbox.enqueue(session, [outbox.Push(key=f"digest:{worker.id}:{tomorrow.isoformat()}",
                                             worker_id=saved_id(worker),
                                             kind="digest", texts=(), not_before=at)])

    def _digest_texts(self, session: Session, worker: Worker) -> list[str]:
        held = list(session.exec(select(Outbox).where(col(Outbox.worker_id) == worker.id, col(Outbox.kind) == "job",
                                                      col(Outbox.status) == outbox.HELD)))
        titles = []
        for row in held:
            job = session.get(Job, row.ref_id) if row.ref_id else None
            if job is not None and is_open(job, today=self.services.local_now().date()):
                titles.append(job.title)
        session.exec(update(Outbox).where(col(Outbox.id).in_([r.id for r in held]))
                     .values(status=DIGESTED))
        return list(digest(titles)) if titles else []

    def _record(self, session: Session, rows: list[Outbox], result: SendResult, channel: str | None,
                user_id: str | None) -> None:
        now = self.services.clock()
        if result.outcome == Outcome.WAIT:
            waiting.hold(session, outbox_ids=[saved_id(r) for r in rows], now=now)
            return
        if result.outcome == Outcome.DEFER:
            at = now + timedelta(seconds=result.retry_after or 0)
            for row in rows:
                outbox.retry_later(session, outbox_id=saved_id(row), at=at, error=result.reason)
            return
        for row in rows:
            if result.outcome == Outcome.SENT:
                outbox.finish(session, outbox_id=saved_id(row), status=outbox.SENT, now=now,
                              channel=channel, user_id=user_id)
            elif result.outcome == Outcome.PERMANENT or row.attempts + 1 >= MAX_ATTEMPTS:
                outbox.finish(session, outbox_id=saved_id(row), status=outbox.FAILED, now=now, error=result.reason)
            else:
                wait = timedelta(seconds=result.retry_after) if result.retry_after else self.backoff(row.attempts)
                outbox.retry_later(session, outbox_id=saved_id(row), at=now + wait, error=result.reason)
