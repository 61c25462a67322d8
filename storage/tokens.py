"""Shared platform access tokens: read the cached one, and take a short lease to refresh it.

Every process reads the same row; when it is missing or about to expire, one process at a
time wins the lease (a conditional UPDATE, so it works the same on SQLite and PostgreSQL),
fetches a new token and stores it. A lease left by a crashed process simply runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col

from storage.models import ApiToken
from storage.sql import insert_ignore


@dataclass(frozen=True)
class TokenState:
    value: str | None
    expires_at: datetime | None
    lock_owner: str | None
    lock_until: datetime | None

    def usable(self, *, now: datetime, margin_seconds: float) -> bool:
        """Whether the token is there and not within `margin_seconds` of expiring."""
        return bool(self.value and self.expires_at
                    and (self.expires_at - now).total_seconds() > margin_seconds)


def read_token(session: Session, *, name: str) -> TokenState | None:
    row = session.get(ApiToken, name, populate_existing=True)
    if row is None:
        return None
    return TokenState(row.value, row.expires_at, row.lock_owner, row.lock_until)


def try_lease(session: Session, *, name: str, owner: str, now: datetime, until: datetime) -> bool:
    """Take the refresh lease unless another owner holds one that has not run out."""
    insert_ignore(session, ApiToken, {"name": name})
    stmt = (
        update(ApiToken)
        .where(col(ApiToken.name) == name)
        .where(or_(col(ApiToken.lock_owner).is_(None), col(ApiToken.lock_until).is_(None),
                   col(ApiToken.lock_until) < now, col(ApiToken.lock_owner) == owner))
        .values(lock_owner=owner, lock_until=until)
        .returning(col(ApiToken.name))
    )
    return session.connection().execute(stmt).first() is not None


def store_token(session: Session, *, name: str, owner: str, value: str, expires_at: datetime) -> None:
    """Save a freshly fetched token and give up the lease (if it is still ours)."""
    session.connection().execute(
        update(ApiToken).where(col(ApiToken.name) == name)
        .values(value=value, expires_at=expires_at))
    release_lease(session, name=name, owner=owner)


def release_lease(session: Session, *, name: str, owner: str) -> None:
    session.connection().execute(
        update(ApiToken).where(col(ApiToken.name) == name, col(ApiToken.lock_owner) == owner)
        .values(lock_owner=None, lock_until=None))
