"""Who may use the staff console: whoever holds JOBBOT_ADMIN_TOKEN.

The API takes it as `Authorization: Bearer <token>`; a browser pastes it once on the login
page and gets an HttpOnly, SameSite=Strict cookie holding the login time signed with a key
derived from the token (so changing the token logs everyone out). Writes made with the
cookie must also carry the `X-Console` header, which a page on another site cannot add.
Without a configured token the console refuses everything.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from starlette.requests import Request

COOKIE = "jobbot_console"
WRITE_HEADER = "x-console"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_FAILURES, FAILURE_WINDOW = 10, 600.0  # wrong tokens per client address per 10 minutes


class Access(Enum):
    DISABLED = "disabled"  # no token configured
    DENIED = "denied"
    FORBIDDEN = "forbidden"  # logged in, but a write without the X-Console header
    GRANTED = "granted"


@dataclass
class Guard:
    token: str | None
    session_hours: int = 12
    clock: Callable[[], float] = time.time
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def _key(self) -> bytes:
        return hashlib.sha256(b"jobbot console session\0" + (self.token or "").encode()).digest()

    def token_ok(self, given: str) -> bool:
        return self.enabled and hmac.compare_digest(given.strip().encode(), (self.token or "").encode())

    def new_cookie(self) -> str:
        issued = str(int(self.clock()))
        return f"{issued}.{hmac.new(self._key(), issued.encode(), hashlib.sha256).hexdigest()}"

    def cookie_ok(self, value: str | None) -> bool:
        if not (self.enabled and value and "." in value):
            return False
        issued, signature = value.split(".", 1)
        expected = hmac.new(self._key(), issued.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.encode(), expected.encode()) or not issued.isdigit():
            return False
        age = self.clock() - int(issued)
        return -60 <= age <= self.session_hours * 3600

    def check(self, request: Request) -> Access:
        if not self.enabled:
            return Access.DISABLED
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            return Access.GRANTED if self.token_ok(header[7:]) else Access.DENIED
        if self.cookie_ok(request.cookies.get(COOKIE)):
            if request.method not in SAFE_METHODS and request.headers.get(WRITE_HEADER) != "1":
                return Access.FORBIDDEN
            return Access.GRANTED
        return Access.DENIED

    # --- slowing down guessing on the login page ----------------------------------------------------
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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
