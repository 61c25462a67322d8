"""The approved SMS and voice templates and how a push fills them.

Alibaba Cloud sends only templates approved in its console, and caps each variable (about 35
characters for SMS). Per kind of push, `data/phone_templates.json` keeps the template's fixed
wording and its short variables with their limits (the README's table is the same, for the
county admin to apply with); JOBBOT_SMS_TEMPLATE_<KIND> / JOBBOT_VOICE_TEMPLATE_<KIND> name the
approved codes. A push carries its facts as fields (title, place, pay; date, time …) and a
channel fills the template of its kind from them, each value trimmed to its variable's limit;
a kind without a template of its own, or a push without the fields, takes the notice template
and its one `text` variable, when the channel has one.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.settings import Settings

NOTICE = "notice"  # the generic template: ${text}, the push's own words, trimmed
ELLIPSIS = "…"
_CHAT_REPLY = re.compile(r"回复[“\"][^”\"]*[”\"][^。！!]*[。！!]?")  # 回复“找工作”看详情。: no use by phone


def push_fields(texts: tuple[str, ...], params: Mapping[str, str]) -> dict[str, str]:
    """What a push's template may take: its fields, and `text`, its chat words on one line
    without the chat's reply instructions (an SMS reply is not answered, a call cannot take one)."""
    kept = [" ".join(_CHAT_REPLY.sub("", text).split()) for text in texts]
    return {"text": " ".join(t for t in kept if t), **params}


def trim(value: str, limit: int) -> str:
    """`value` in at most `limit` characters, an ellipsis marking what was cut."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1] + ELLIPSIS


def variables(text: str) -> list[str]:
    """The ${name} variables of a template's text (the provider's syntax is string.Template's), each once."""
    return string.Template(text).get_identifiers()


def render(text: str, params: Mapping[str, str]) -> str:
    """The template's text with its variables filled in (as the provider renders it)."""
    return string.Template(text).substitute(params)


@dataclass(frozen=True)
class Template:
    kind: str
    name: str  # what the admin calls it when applying
    type: str  # the console's template type: 验证码, 短信通知, 语音通知
    text: str  # the fixed wording with ${name} variables
    limits: Mapping[str, int]  # variable → most characters

    def fill(self, fields: Mapping[str, str]) -> dict[str, str] | None:
        """The template's variables from `fields`, trimmed; None when a field is missing or empty."""
        if not all(str(fields.get(name) or "").strip() for name in self.limits):
            return None
        return {name: trim(str(fields[name]), limit) for name, limit in self.limits.items()}


@dataclass(frozen=True)
class Filled:
    """One push in its template: the approved code, the variables sent, and the text they make."""

    code: str
    params: dict[str, str]
    text: str


@cache
def templates(channel: str) -> dict[str, Template]:
    """The templates of "sms" or "voice" by kind, from the data file."""
    data: dict[str, Any] = json.loads(resources.files("bot.channels").joinpath("data/phone_templates.json")
                                      .read_text(encoding="utf-8"))[channel]
    cap = int(data["variable_limit"])
    found = {}
    for kind, raw in data["templates"].items():
        limits = {name: min(int(limit), cap) for name, limit in raw["variables"].items()}
        if set(limits) != set(variables(raw["text"])):
            raise ValueError(f"{channel} template {kind}: its variables and its text do not agree")
        found[kind] = Template(kind, raw["name"], raw["type"], raw["text"], limits)
    return found


class TemplateSet:
    """One channel's templates with the codes the account has for them (unset: not approved)."""

    def __init__(self, channel: str, codes: Mapping[str, str | None]) -> None:
        self.templates = templates(channel)
        self.codes = {kind: code for kind, code in codes.items() if code and kind in self.templates}

    @classmethod
    def from_settings(cls, channel: str, settings: Settings) -> TemplateSet:
        """The codes from JOBBOT_<CHANNEL>_TEMPLATE_<KIND>, one setting per template kind."""
        return cls(channel, {kind: getattr(settings, f"{channel}_template_{kind}") for kind in templates(channel)})

    def fill(self, kind: str, fields: Mapping[str, str]) -> Filled | None:
        """The push of `kind` in its own template, else in the notice one; None when neither
        has a code or the fields to fill it."""
        for chosen in dict.fromkeys((kind, NOTICE)):
            template, code = self.templates.get(chosen), self.codes.get(chosen)
            if template is None or code is None:
                continue
            params = template.fill(fields)
            if params is not None:
                return Filled(code, params, render(template.text, params))
        return None
