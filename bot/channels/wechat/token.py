"""The WeChat access_token, cached in the database and shared by every process.

A token is fetched only when the stored one is missing, close to expiry, or was just
rejected by the API (40001/42001/40014) — never per request — and by one process at a time
(the `storage.tokens` lease). Others wait for the row to change and then use the new value.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeGuard

from anyio import to_thread
from sqlalchemy import Engine

from storage.db import session_scope
from storage.models import utcnow
from storage.tokens import TokenState, read_token, release_lease, store_token, try_lease

log = logging.getLogger(__name__)


class UsableToken(Protocol):
    """A stored token checked to be there and fresh."""

    @property
    def value(self) -> str: ...

    @property
    def expires_at(self) -> datetime | None: ...

# (force_refresh) -> (token, seconds it lives)
Fetcher = Callable[[bool], Awaitable[tuple[str, int]]]


class TokenUnavailable(Exception):
    """No token could be had: the API refused or could not be reached."""


class TokenCache:
    """One process's view of the shared token; `get()` is cheap once the token is known."""

    def __init__(self, engine: Engine, fetch: Fetcher, *, name: str, clock: Callable[[], datetime] = utcnow,
                 refresh_margin: float = 300.0, lease_seconds: float = 30.0, poll_seconds: float = 0.1):
        self.engine = engine
        self.name = name
        self._fetch = fetch
        self._clock = clock
        self._margin = refresh_margin
        self._lease = timedelta(seconds=lease_seconds)
        self._poll = poll_seconds
        self._owner = f"{uuid.uuid4().hex[:16]}"
        self._value: str | None = None
        self._expires_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A token valid for at least the refresh margin."""
        if (value := self._fresh_in_memory()) is not None:
            return value
        async with self._lock:
            if (value := self._fresh_in_memory()) is not None:
                return value
            return await self._obtain(stale=None)

    async def refresh(self, stale: str) -> str:
        """The API rejected `stale`: a newer token, fetched with force_refresh unless another
        process already stored one."""
        async with self._lock:
            if (value := self._fresh_in_memory()) is not None and value != stale:
                return value
            return await self._obtain(stale=stale)

    def _fresh_in_memory(self) -> str | None:
        """The token held in memory while it is good for the refresh margin."""
        held = TokenState(self._value, self._expires_at, None, None)
        return held.value if held.usable(now=self._clock(), margin_seconds=self._margin) else None

    def _good(self, state: TokenState | None, stale: str | None) -> TypeGuard[UsableToken]:
        return (state is not None and state.value != stale
                and state.usable(now=self._clock(), margin_seconds=self._margin))

    async def _obtain(self, *, stale: str | None) -> str:
        deadline = asyncio.get_running_loop().time() + self._lease.total_seconds() * 2
        while True:
            state = await to_thread.run_sync(self._read)
            if self._good(state, stale):
                return self._remember(state)
            if await to_thread.run_sync(self._lease_taken):
                return await self._fetch_under_lease(stale)
            if asyncio.get_running_loop().time() > deadline:
                raise TokenUnavailable("another process holds the token lease too long")
            await asyncio.sleep(self._poll)

    async def _fetch_under_lease(self, stale: str | None) -> str:
        try:
            state = await to_thread.run_sync(self._read)  # someone may have stored one meanwhile
            if self._good(state, stale):
                await to_thread.run_sync(self._release)
                return self._remember(state)
            value, expires_in = await self._fetch(stale is not None)
        except BaseException:
            await asyncio.shield(to_thread.run_sync(self._release))
            raise
        expires_at = self._clock() + timedelta(seconds=expires_in)
        await to_thread.run_sync(self._store, value, expires_at)
        log.info("access token %s refreshed (force=%s), valid %ss", self.name, stale is not None, expires_in)
        self._value, self._expires_at = value, expires_at
        return value

    def _remember(self, state: UsableToken) -> str:
        self._value, self._expires_at = state.value, state.expires_at
        return state.value

    # --- database work, run in a worker thread ------------------------------------------------
    def _read(self) -> TokenState | None:
        with session_scope(self.engine) as session:
            return read_token(session, name=self.name)

    def _lease_taken(self) -> bool:
        now = self._clock()
        with session_scope(self.engine) as session:
            return try_lease(session, name=self.name, owner=self._owner, now=now, until=now + self._lease)

    def _store(self, value: str, expires_at: datetime) -> None:
        with session_scope(self.engine) as session:
            store_token(session, name=self.name, owner=self._owner, value=value, expires_at=expires_at)

    def _release(self) -> None:
        with session_scope(self.engine) as session:
            release_lease(session, name=self.name, owner=self._owner)
