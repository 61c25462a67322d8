"""What the Alibaba Cloud SMS and voice clients share: the SDK's Config from our settings, one
result type with the provider's answer sorted into "sent / try later / never", masked phone
numbers for logs, and the reading of the JSON arrays the provider POSTs back (receipts, uplink).

The provider answers business errors inside an HTTP 200 body (`Code` other than "OK"); the SDK
raises `TeaException` (its subclasses carry `code`, `status_code` and the body as `data`) for HTTP
4xx/5xx, such as API throttling (`Throttling.User`) or a wrong access key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
from alibabacloud_tea_openapi.utils_models import Config
from Tea.exceptions import TeaException

log = logging.getLogger(__name__)

MOBILE = re.compile(r"1\d{10}")  # a mainland mobile number as the provider takes it
PROVIDER_ZONE = ZoneInfo("Asia/Shanghai")  # the provider's daily limits reset at midnight China time
MAX_CALLBACK_BODY = 256 * 1024  # the provider batches at most a few hundred items per POST
TIMEOUT_MS = 10_000

# what an SDK call raises: the provider's HTTP error answers, or no answer at all
FAILED = (TeaException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
# limits: try again later (how much later: `_retry_after`)
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"}
# the account, not the message, is at fault (money, subscription, keys): staff must act, then retry
ACCOUNT = {"isv.OUT_OF_SERVICE", "isv.AMOUNT_NOT_ENOUGH", "isv.ACCOUNT_ABNORMAL", "isv.ACCOUNT_NOT_EXISTS",
           "isv.PRODUCT_UN_SUBSCRIPT", "isv.PRODUCT_UNSUBSCRIBE", "isv.RAM_PERMISSION_DENY",
           "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch",
           "IncompleteSignature", "Forbidden.RAM", "Forbidden.AccessKeyDisabled"}


@dataclass(frozen=True)
class ProviderResult:
    """The provider's answer to one SMS or call. `throttled`: a rate or daily limit, send it later
    (`retry_after` seconds suggests when); `permanent`: this message to this number can never go
    (bad number, template or parameters); neither and not ok: a passing fault, try again."""

    ok: bool
    biz_id: str | None = None  # SMS BizId or voice CallId: what receipts refer to
    code: str = ""
    message: str = ""
    throttled: bool = False
    permanent: bool = False
    retry_after: float | None = None


def mask(phone: object) -> str:
    """138****1234 — what logs may say about a phone number."""
    text = str(phone)
    return f"{text[:3]}****{text[-4:]}" if len(text) >= 8 else "***"


def sdk_config(endpoint: str, key_id: str | None, key_secret: str | None) -> Config:
    """The SDK's Config: `endpoint` is a host (HTTPS), or http://host:port for a fake on loopback."""
    scheme, sep, host = endpoint.partition("://")
    if not sep:
        scheme, host = "https", endpoint
    return Config(access_key_id=key_id or "", access_key_secret=key_secret or "", endpoint=host.rstrip("/"),
                  protocol=scheme.upper(), read_timeout=TIMEOUT_MS, connect_timeout=TIMEOUT_MS)


def template_params(params: dict[str, Any] | None) -> str | None:
    """TemplateParam / TtsParam: a JSON object of strings (the provider refuses numbers in it)."""
    if not params:
        return None
    return json.dumps({str(k): str(v) for k, v in params.items()}, ensure_ascii=False)


async def request(what: str, phone: str, call: Callable[[], Awaitable[Any]], id_field: str) -> ProviderResult:
    """One SDK call for `phone` (`call` awaits the SDK's *_async method), its answer as a result,
    logged with the number masked. A number that is not a mobile one is refused without a call."""
    if not MOBILE.fullmatch(phone):
        result = ProviderResult(ok=False, code="isv.MOBILE_NUMBER_ILLEGAL", message="不是手机号", permanent=True)
    else:
        try:
            result = answered((await call()).body, id_field)
        except FAILED as error:
            result = raised(error)
    log_result(what, phone, result)
    return result


def answered(body: Any, id_field: str) -> ProviderResult:
    """The result for the body of an HTTP 200 answer (`SendSmsResponseBody` and the like)."""
    code = str(getattr(body, "code", "") or "")
    message = str(getattr(body, "message", "") or "")
    if code == "OK":
        return ProviderResult(ok=True, biz_id=getattr(body, id_field, None), code=code, message=message)
    return _failure(code, message)


def raised(error: Exception) -> ProviderResult:
    """The result for what the SDK raised: an HTTP error from the provider, or no answer at all."""
    if isinstance(error, TeaException):
        data = error.data if isinstance(error.data, dict) else {}
        return _failure(str(error.code or ""), str(data.get("Message") or ""))
    return ProviderResult(ok=False, code=type(error).__name__, message="没连上阿里云")


def _failure(code: str, message: str) -> ProviderResult:
    if code in THROTTLED or code.startswith("Throttling"):
        return ProviderResult(ok=False, code=code, message=message, throttled=True,
                              retry_after=_retry_after(code, message))
    permanent = code.startswith("isv.") and code not in ACCOUNT
    return ProviderResult(ok=False, code=code, message=message, permanent=permanent)


def _retry_after(code: str, message: str) -> float:
    """Seconds until the limit the provider named lifts: a minute, an hour, or the next day."""
    if code == "isv.DAY_LIMIT_CONTROL" or "天级" in message:
        now = datetime.now(PROVIDER_ZONE)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), PROVIDER_ZONE)
        return (midnight - now).total_seconds()
    if "小时级" in message:
        return 3600.0
    if code.startswith("Throttling"):
        return 1.0
    return 60.0


def log_result(what: str, phone: str, result: ProviderResult) -> None:
    """One line per send: number masked, never the keys or the text."""
    if result.ok:
        log.info("%s to %s accepted (%s)", what, mask(phone), result.biz_id)
    else:
        log.warning("%s to %s refused: %s %s", what, mask(phone), result.code, result.message)


class BadCallback(ValueError):
    """A callback body that is not what the provider sends: answer it with HTTP 400."""


T = TypeVar("T")


def parse_array(body: bytes, item: Callable[[dict[str, Any]], T], what: str) -> list[T]:
    """The items of a callback body (a JSON array of objects). Items that lack a field or have one
    of the wrong type are skipped and logged; a body that is not a JSON array raises `BadCallback`."""
    if len(body) > MAX_CALLBACK_BODY:
        raise BadCallback(f"{what}: body too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadCallback(f"{what}: not JSON") from None
    if not isinstance(data, list):
        raise BadCallback(f"{what}: not a JSON array")
    items = []
    for raw in data:
        try:
            if not isinstance(raw, dict):
                raise TypeError
            items.append(item(raw))
        except (KeyError, TypeError, ValueError):
            log.warning("%s: an item skipped, not as the provider sends it", what)
    return items


def text(raw: dict[str, Any], key: str, *, required: bool = True) -> str:
    """A string field of a callback item (numbers allowed, as the provider sends some ids)."""
    value = raw.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(key)
    return str(value)[:500]


def phone(raw: dict[str, Any], key: str) -> str:
    """A mobile number field: an 11-digit string (a masked or numeric one is not the provider's)."""
    value = raw.get(key)
    if not isinstance(value, str) or not MOBILE.fullmatch(value):
        raise ValueError(key)
    return value


def flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return str(value) == "true"
    raise TypeError(key)
