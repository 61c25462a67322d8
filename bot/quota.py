"""Planning what one person is sent now when the channel allows only a few messages.

WeChat takes 5 customer-service messages within 48 hours of the person's last message. When
more is due at once (her quiet hours end at 09:00 on a course reminder, a 银龄 offer, tomorrow's
fair and a policy push), the plan ranks them (a case update before a policy push), merges
promotions of the same kind into one message, keeps one slot back for a service message that
may come later. What the window cannot take goes as a template message when one is
configured, and otherwise waits for her next message: nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from storage.push_kinds import kind_of

T = TypeVar("T")
RESERVE = 1  # a slot promotions leave free for a service message
SEPARATOR = "——————"


@dataclass(frozen=True)
class Due(Generic[T]):
    """One message due for the person: its kind, its texts, and whatever the caller tracks it by."""

    kind: str
    texts: tuple[str, ...]
    ref: T


@dataclass
class Message(Generic[T]):
    """What goes out as one platform message, and the due items it carries."""

    texts: list[str]
    items: list[Due[T]]
    template: bool = False  # past the window: as a template message


@dataclass
class Plan(Generic[T]):
    now: list[Message[T]] = field(default_factory=list)
    waiting: list[Due[T]] = field(default_factory=list)


def _merged(items: Sequence[Due[T]], *, template: bool = False) -> Message[T]:
    texts: list[str] = []
    for item in items:
        if texts:
            texts.append(SEPARATOR)
        texts.extend(item.texts)
    return Message(texts, list(items), template)


def plan(due: Sequence[Due[T]], *, room: int | None, template: bool) -> Plan[T]:
    """`room`: messages the channel takes now (None: no quota); `template`: whether what
    does not fit can still go as a template message."""
    ranked = sorted(due, key=lambda d: kind_of(d.kind).rank)
    if room is None:
        return Plan(now=[Message(list(d.texts), [d]) for d in ranked])
    service = [d for d in ranked if kind_of(d.kind).service]
    groups: dict[str, list[Due[T]]] = {}
    for item in ranked:
        if not kind_of(item.kind).service:
            groups.setdefault(kind_of(item.kind).label, []).append(item)
    result = Plan[T]()
    for item in service:
        if room > 0 or template:
            result.now.append(_merged([item], template=room <= 0))
            room -= 1
        else:
            result.waiting.append(item)
    promo_room = max(room - RESERVE, 0)
    for items in groups.values():  # in rank order: dicts keep the order of first insertion
        if promo_room > 0 or template:
            result.now.append(_merged(items, template=promo_room <= 0))
            promo_room -= 1
        else:
            result.waiting.extend(items)
    return result
