"""Signature checks and the AES envelope of WeChat's plain, compatible and safe modes.

Every request carries `signature` = sha1(token, timestamp, nonce): checked always, and its
timestamp must be within `window` seconds of our clock, because the signature does not
cover the body: a signed query seen once (a proxy log) would otherwise let anyone post any
message for ever (within the window, `replay.SignedOnce` holds a query to its first message).
With an EncodingAESKey configured, requests marked `encrypt_type=aes` are
verified by `msg_signature`, decrypted, and answered encrypted; in safe mode (the default
with a key) a plaintext body is refused, in compatible mode it is accepted. All the
cryptography is wechatpy's `check_signature` and `WeChatCrypto`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot.channels.wechat.inbound import BadMessage, decode_xml


class Forbidden(Exception):
    """Missing or wrong signature (answered with 403)."""


class Envelope:
    def __init__(self, token: str | None, aes_key: str | None = None, appid: str | None = None, *,
                 window: int = 300, compatible: bool = False, clock: Callable[[], float] = time.time):
        if aes_key and len(aes_key) != 43:
            raise ValueError("JOBBOT_WECHAT_AES_KEY must be the 43-character EncodingAESKey")
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid) if (token and aes_key) else None
        self.window = window
        self.compatible = compatible
        self.clock = clock

    @property
    def mode(self) -> str:
        if self.crypto is None:
            return "plain"
        return "compatible" if self.compatible else "safe"

    def verify(self, query: Mapping[str, str]) -> None:
        """The plain signature every request (GET check or POST message) carries."""
        signature, timestamp, nonce = (query.get(k) for k in ("signature", "timestamp", "nonce"))
        if not (self.token and signature and timestamp and nonce):
            raise Forbidden("missing signature" if self.token else "no JOBBOT_WECHAT_TOKEN configured")
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException as exc:
            raise Forbidden("bad signature") from exc
        if not (timestamp.isdigit() and len(timestamp) <= 12
                and abs(self.clock() - int(timestamp)) <= self.window):
            raise Forbidden("timestamp outside the window")

    def open(self, body: bytes, query: Mapping[str, str]) -> tuple[str, bool]:
        """The message XML inside the body of a request `verify` passed, and whether it came
        encrypted."""
        text = decode_xml(body)
        if self.crypto is None:
            return text, False  # plain mode
        if query.get("encrypt_type", "raw").lower() != "aes":
            if not self.compatible:
                raise Forbidden("plaintext body in safe mode")
            return text, False  # compatible mode's plaintext fields
        msg_signature = query.get("msg_signature")
        if not msg_signature:
            raise Forbidden("missing msg_signature")
        try:
            inner = self.crypto.decrypt_message(text, msg_signature, query["timestamp"], query["nonce"])
        except InvalidSignatureException as exc:
            raise Forbidden("bad msg_signature") from exc
        except Exception as exc:  # no <Encrypt>, bad base64 or padding, another appid
            raise BadMessage(f"cannot decrypt ({type(exc).__name__})") from exc
        return decode_xml(inner.encode("utf-8") if isinstance(inner, str) else inner), True

    def seal(self, xml: str, query: Mapping[str, str], encrypted: bool) -> str:
        """The reply as sent: encrypted when the request was."""
        if not encrypted or self.crypto is None:
            return xml
        sealed: str = self.crypto.encrypt_message(xml, query["nonce"], query.get("timestamp"))
        return sealed
