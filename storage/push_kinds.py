"""The kinds of push in the outbox, in the order they matter to the person, and which of them
are service messages (about her own business) rather than promotions.

A service message — a change in her wage case, a reminder of a course she joined, a correction
of a fair she was told about — still goes after 退订; only 全部停 stops it. Promotions (jobs,
fairs, policy, 银龄 offers, recommendations, broadcasts) stop on 退订 and wait out 暂停一周.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PushKind:
    name: str
    rank: int  # lower goes first when WeChat's quota cannot take everything
    service: bool
    label: str  # what the person and staff read: "“招工”消息"


CONSENT = "consent"
KINDS = {k.name: k for k in (
    PushKind(CONSENT, 0, True, "登记验证码"),  # the only kind a person not yet agreed gets (bot.delivery)
    PushKind("case", 0, True, "维权进度"),
    PushKind("course", 1, True, "培训提醒"),
    PushKind("promise", 1, True, "毕业生服务记录"),
    PushKind("fair_change", 2, True, "招聘会变动"),
    PushKind("fair", 3, False, "招聘会提醒"),
    PushKind("silver", 4, False, "银龄岗位"),
    PushKind("graduate", 5, False, "大学生岗位推荐"),
    PushKind("job", 6, False, "招工"),
    PushKind("digest", 6, False, "招工"),
    PushKind("broadcast", 7, False, "通知"),
    PushKind("policy", 8, False, "政策"),
)}
UNKNOWN = PushKind("?", 9, False, "消息")


def kind_of(name: str) -> PushKind:
    return KINDS.get(name, UNKNOWN)


def is_service(name: str) -> bool:
    return kind_of(name).service


def service_kinds() -> tuple[str, ...]:
    return tuple(k.name for k in KINDS.values() if k.service)
