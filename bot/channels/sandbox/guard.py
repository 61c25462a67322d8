"""Who may use the demo's sandbox routes: the browser on this machine, from our own page.

The sandbox backend posts signed messages as any openid, and the fake API's message list
shows what the bot sent to anyone, so both answer only a loopback client that names a
loopback host (no DNS rebinding), from our own origin (no other site's page), and the
sandbox's POSTs only with a JSON body (a cross-site form or `text/plain` fetch cannot send
one without a CORS preflight, which nothing here answers).
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import JSONResponse

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}
SAME_SITE = {"same-origin", "none"}  # Sec-Fetch-Site of our own page, or of a typed address


def refusal(request: Request, *, json_body: bool = False) -> JSONResponse | None:
    """A 403 (or 415 for a body that is not JSON) when the request may not use the sandbox."""
    reason = _why_not(request)
    if reason:
        return JSONResponse({"error": f"sandbox: {reason}"}, status_code=403)
    if json_body and request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return JSONResponse({"error": "sandbox: the body must be application/json"}, status_code=415)
    return None


def _why_not(request: Request) -> str | None:
    client = request.client.host if request.client else ""
    if not _loopback(client):
        return "only from this machine"
    host = request.headers.get("host", "")
    if _hostname(host) not in LOOPBACK_NAMES:
        return "only through a loopback address"
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{host}":
        return "only from the sandbox page itself"
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in SAME_SITE:
        return "only from the sandbox page itself"
    return None


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _hostname(host: str) -> str:
    """"127.0.0.1:8000" → "127.0.0.1"; "[::1]:8000" → "[::1]"."""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
