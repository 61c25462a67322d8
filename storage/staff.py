"""Staff accounts and their console sessions: create, find, disable, change passwords, count
wrong passwords, and keep sessions on the server so that logout really ends them.

Passwords are hashed with argon2 (argon2-cffi); session tokens are stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.models import StaffAccount, StaffSession

MAX_FAILURES = 5  # wrong passwords in a row before the account waits
LOCK_MINUTES = 15
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# verifying against this keeps an unknown name as slow as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class StaffError(ValueError):
    """A request about accounts that cannot be done; the message is shown to staff."""


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少要{MIN_PASSWORD}位"
    if password.isdigit() or password.isalpha():
        return "密码要同时有字母和数字"
    return None


def _check_password(password: str) -> None:
    if problem := password_problem(password):
        raise StaffError(problem)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_account(session: Session, *, name: str, role: str, password: str, now: datetime,
                town: str | None = None, village: str | None = None,
                must_change_password: bool = True) -> StaffAccount:
    _check_password(password)
    if session.exec(select(StaffAccount).where(col(StaffAccount.name) == name)).first():
        raise StaffError(f"账号“{name}”已经有了")
    account = StaffAccount(name=name, role=role, town=town, village=village, password_hash=_hasher.hash(password),
                           must_change_password=must_change_password, created_at=now)
    session.add(account)
    session.flush()
    return account


def find_account(session: Session, name: str) -> StaffAccount | None:
    return session.exec(select(StaffAccount).where(col(StaffAccount.name) == name)).first()


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(col(StaffAccount.id))))


@dataclass(frozen=True)
class LoginResult:
    account: StaffAccount | None
    locked: bool = False


def verify_login(session: Session, *, name: str, password: str, now: datetime) -> LoginResult:
    """Check a name and password, counting wrong ones per account; a locked or disabled
    account is refused even with the right password."""
    account = find_account(session, name)
    if account is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return LoginResult(None)
    if account.locked_until and account.locked_until > now:
        return LoginResult(None, locked=True)
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        account.failures += 1
        if account.failures >= MAX_FAILURES:
            account.failures, account.locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
        session.add(account)
        return LoginResult(None, locked=account.locked_until is not None and account.locked_until > now)
    if account.disabled:
        return LoginResult(None)
    account.failures, account.locked_until = 0, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    session.add(account)
    return LoginResult(account)


def set_password(session: Session, account: StaffAccount, password: str, *, must_change: bool) -> None:
    """A new password ends every session of the account."""
    _check_password(password)
    account.password_hash = _hasher.hash(password)
    account.must_change_password = must_change
    account.failures, account.locked_until = 0, None
    session.add(account)
    end_sessions(session, account_id=account.id or 0)


def password_ok(account: StaffAccount, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def disable_account(session: Session, account: StaffAccount) -> None:
    account.disabled = True
    session.add(account)
    end_sessions(session, account_id=account.id or 0)


# --- sessions ----------------------------------------------------------------------------------------
def start_session(session: Session, *, account: StaffAccount, now: datetime, ip: str | None) -> tuple[str, str]:
    """(the token for the browser's cookie, the session's CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(StaffSession(id=token_digest(token), account_id=account.id or 0, csrf=csrf, created_at=now,
                             last_seen_at=now, ip=ip))
    return token, csrf


def live_session(session: Session, *, token: str, now: datetime, idle: timedelta,
                 longest: timedelta) -> tuple[StaffSession, StaffAccount] | None:
    """The session behind a cookie, if it is neither idle too long, too old, nor its account
    disabled; seeing it counts as activity."""
    found = session.get(StaffSession, token_digest(token))
    if found is None:
        return None
    account = session.get(StaffAccount, found.account_id)
    if account is None or account.disabled or found.last_seen_at + idle < now or found.created_at + longest < now:
        session.delete(found)
        return None
    if now - found.last_seen_at > timedelta(seconds=30):  # one write a half-minute is enough
        session.execute(update(StaffSession).where(col(StaffSession.id) == found.id).values(last_seen_at=now))
    return found, account


def sessions_of(session: Session, account_id: int) -> list[StaffSession]:
    return list(session.exec(select(StaffSession).where(col(StaffSession.account_id) == account_id)
                             .order_by(col(StaffSession.created_at).desc())))


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(col(StaffSession.id) == token_digest(token)))


def end_sessions(session: Session, *, account_id: int) -> None:
    session.execute(delete(StaffSession).where(col(StaffSession.account_id) == account_id))


def any_account(session: Session) -> bool:
    return session.exec(select(col(StaffAccount.id)).limit(1)).first() is not None
