"""WeChat XML in, our `Update` out: safe parsing and the translation of each message type.

Parsing is wechatpy's (`parse_message`), except that a flat message (not an event) is read
with the C ElementTree parser into the same fields xmltodict gives wechatpy, at a third of
its cost. Before anything parses a body we refuse XML that declares a DOCTYPE or ENTITY, so
no entity is ever expanded. After parsing, every field we
read is checked for its type (text, not nested elements) and length (within our columns),
so a bad message is refused on its own (400) instead of failing the batch it would join.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import fromstring

from wechatpy import parse_message
from wechatpy.events import (
    ClickEvent,
    LocationEvent,
    SubscribeEvent,
    SubscribeScanEvent,
    UnsubscribeEvent,
)
from wechatpy.messages import (
    MESSAGE_TYPES,
    BaseMessage,
    LocationMessage,
    TextMessage,
    UnknownMessage,
    VoiceMessage,
)

from bot.channels.wechat.recognizer import Recognizer
from bot.messages import Kind, Update

log = logging.getLogger(__name__)

CHANNEL = "wechat"
MEDIA_TYPES = {"image", "video", "shortvideo", "link", "file", "miniprogrampage"}
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# The longest text each field we read may hold. An openid is 28 characters and an account id
# 15; the limits leave room and keep a message's key within InboundMessage.dedup_key (160).
TEXT_FIELDS = {"ToUserName": 64, "FromUserName": 64, "MsgType": 32, "Event": 32, "EventKey": 128,
               "Content": 8000, "Recognition": 8000, "Label": 256, "Location_X": 32, "Location_Y": 32,
               "Latitude": 32, "Longitude": 32, "Precision": 32, "Scale": 32, "MediaId": 128, "Format": 16}
_CREATE_TIME = re.compile(r"[0-9]{1,10}")  # seconds since 1970, as WeChat sends it: 10 digits
_MSG_ID = re.compile(r"[0-9]{1,20}")  # a 64-bit number


class BadMessage(ValueError):
    """The body is not a WeChat message we are willing to read (answered with 400)."""


def decode_xml(body: bytes) -> str:
    """The body as text, refused when it is not UTF-8 or declares a DOCTYPE or an ENTITY."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadMessage("body is not UTF-8") from exc
    if _DECLARATION.search(text):
        raise BadMessage("XML with a DOCTYPE or ENTITY declaration")
    return text


def parse(text: str) -> BaseMessage:
    """A wechatpy message or event; `BadMessage` for anything that is not one."""
    try:
        message = _flat_message(text) or parse_message(text)
    except Exception as exc:  # expat, a missing <xml> root or MsgType: all malformed input
        raise BadMessage(f"malformed XML ({type(exc).__name__})") from exc
    if message is None:
        raise BadMessage("no FromUserName")
    check_fields(message._data)
    if not message.source:
        raise BadMessage("no FromUserName")
    return message


def _flat_message(text: str) -> BaseMessage | None:
    """The message wechatpy would make of `text` when it is a flat <xml> of distinct plain
    fields and no event; None for anything else (wechatpy's own parse then decides)."""
    try:
        root = fromstring(text)
    except Exception:  # wechatpy's parse gives the error its answer
        return None
    if root.tag != "xml" or root.attrib or (root.text and root.text.strip()):
        return None
    fields: dict[str, Any] = {}
    for child in root:
        if (len(child) or child.attrib or child.tag in fields or "{" in child.tag
                or (child.tail and child.tail.strip())):
            return None
        fields[child.tag] = (child.text or "").strip() or None  # as xmltodict: stripped, empty is None
    kind = fields.get("MsgType")
    if not isinstance(kind, str) or kind.lower() == "event" or kind.lower().startswith("device_"):
        return None
    message: BaseMessage = MESSAGE_TYPES.get(kind.lower(), UnknownMessage)(fields)
    return message


def check_fields(data: dict[str, object]) -> None:
    """BadMessage unless each field we read is text of a sane length, and CreateTime and
    MsgId are numbers of their size. Fields we never read may hold anything."""
    for name, limit in TEXT_FIELDS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise BadMessage(f"{name} is not text")
        if value is not None and len(value) > limit:
            raise BadMessage(f"{name} longer than {limit}")
    for name, pattern in (("CreateTime", _CREATE_TIME), ("MsgId", _MSG_ID)):
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and pattern.fullmatch(value.strip())):
            raise BadMessage(f"bad {name}")


@dataclass(frozen=True)
class Inbound:
    """What the webhook does with one message: dispatch `update` (if any); `silent` means the
    HTTP answer is "success" whatever the handler says (automatic location reports)."""

    update: Update | None
    silent: bool = False


async def translate(message: BaseMessage, recognizer: Recognizer) -> Inbound:
    """Turn a parsed WeChat message or event into an `Inbound`; BadMessage on bad field values."""
    try:
        openid, created = message.source, message.time
        if created is None:
            raise BadMessage("no CreateTime")
        msg_type = str(message._data.get("MsgType") or "").lower()
        if msg_type == "event":
            return _event(message, openid, created)
        # The sender is part of the key: a message posted with someone else's MsgId is not
        # their retry, and must not be answered with their stored reply.
        key = f"{openid}:{message.id}" if message.id else f"{openid}:{created}:{message.type}"
        if isinstance(message, TextMessage):
            return Inbound(Update(CHANNEL, openid, Kind.TEXT, message.content or "", dedup_key=key))
        if isinstance(message, VoiceMessage):
            text = await _recognize(recognizer, message)
            return Inbound(Update(CHANNEL, openid, Kind.VOICE, text, dedup_key=key))
        if isinstance(message, LocationMessage):
            lat, lon = _coordinate(message.location_x, 90), _coordinate(message.location_y, 180)
            return Inbound(Update(CHANNEL, openid, Kind.LOCATION, message.label or "",
                                  latitude=lat, longitude=lon, dedup_key=key))
        # image, video, link, file … and any type we do not know: a polite "please type"
        if msg_type not in MEDIA_TYPES:
            log.info("unknown WeChat message type %r from %s", msg_type[:32], mask(openid))
        return Inbound(Update(CHANNEL, openid, Kind.MEDIA, dedup_key=key))
    except BadMessage:
        raise
    except (TypeError, ValueError) as exc:
        raise BadMessage(f"bad field value ({type(exc).__name__})") from exc


def _event(message: BaseMessage, openid: str, created: int) -> Inbound:
    event = (message.event or "").lower() if not isinstance(message, UnknownMessage) else ""
    key = f"{openid}:{created}:{event}"
    if isinstance(message, SubscribeEvent | SubscribeScanEvent):
        return Inbound(Update(CHANNEL, openid, Kind.SUBSCRIBE, dedup_key=f"{openid}:{created}:subscribe"))
    if isinstance(message, UnsubscribeEvent):
        return Inbound(Update(CHANNEL, openid, Kind.UNSUBSCRIBE, dedup_key=key))
    if isinstance(message, ClickEvent):
        return Inbound(Update(CHANNEL, openid, Kind.MENU, (message.key or "").strip(), dedup_key=key))
    if isinstance(message, LocationEvent):
        lat, lon = _coordinate(message.latitude, 90), _coordinate(message.longitude, 180)
        return Inbound(Update(CHANNEL, openid, Kind.LOCATION_REPORT, latitude=lat, longitude=lon, dedup_key=key),
                       silent=True)
    # VIEW (a menu link), template/mass-send reports, scans …: nothing to say
    return Inbound(None, silent=True)


async def _recognize(recognizer: Recognizer, message: VoiceMessage) -> str:
    try:
        return await recognizer.recognize(message)
    except Exception:  # a broken recogniser must not lose the message: the bot asks to type
        log.exception("speech recognition failed for %s", mask(message.source))
        return ""


def _coordinate(value: str | None, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (180); None when absent; BadMessage when it is not
    a finite number within the limit (NaN and inf parse as floats)."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise BadMessage("coordinate is not a number") from exc
    if not (math.isfinite(number) and -limit <= number <= limit):
        raise BadMessage("coordinate out of range")
    return number


def mask(openid: str | None) -> str:
    """An openid shortened for logs: enough to tell people apart, not enough to reach them."""
    if not openid:
        return "-"
    return f"{openid[:4]}…{openid[-3:]}" if len(openid) > 8 else "…"
