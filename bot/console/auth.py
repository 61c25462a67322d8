"""Who is asking the staff console, and how guessing is slowed down.

People log in with a named account (storage/staff.py): the browser gets an HttpOnly,
SameSite=Strict cookie holding a random session token that the server keeps (so logout and a
password change end it), and every write made with it must carry that session's CSRF token
in the `X-CSRF-Token` header or a `csrf` form field. Scripts may use JOBBOT_ADMIN_TOKEN as a
bearer token, which acts as a county administrator. Wrong bearer tokens and wrong passwords
are counted per client address; the address is the socket's peer, since forwarded headers are
trusted only from the proxies named in JOBBOT_TRUSTED_PROXIES (uvicorn's own setting).
"""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

COOKIE = "jobbot_console"
LOGIN_CSRF_COOKIE = "jobbot_login_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# failed logins and wrong bearer tokens per client address per 10 minutes: high enough that one
# person's typos never lock out an office behind one address (accounts lock on their own)
MAX_FAILURES, FAILURE_WINDOW = 30, 600.0
API_NAME = "api-token"


@dataclass
class Guard:
    token: str | None
    clock: Callable[[], float] = time.time
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def token_ok(self, given: str) -> bool:
        return bool(self.token) and hmac.compare_digest(given.strip().encode(), (self.token or "").encode())

    def _recent(self, client: str) -> deque[float]:
        now = self.clock()
        times = self._failures.setdefault(client, deque())
        while times and times[0] < now - FAILURE_WINDOW:
            times.popleft()
        return times

    def locked_out(self, client: str) -> bool:
        return len(self._recent(client)) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        self._recent(client).append(self.clock())
        if len(self._failures) > 10_000:  # do not grow without bound under a flood of addresses
            self._failures.clear()


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:] if header[:7].lower() == "bearer " else None


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest((expected or "").encode(), (given or "").encode())


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
