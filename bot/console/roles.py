"""Who may do what in the console (县乡村三级): the five roles, what each may do, and the place
an account is scoped to. Routes name the permission they need; data functions take the
`Staff` and keep to its place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Perm(Enum):
    FIGURES = "figures"  # the dashboard, figures and their exports
    JOBS = "jobs"  # jobs, employers and imports
    FAIRS = "fairs"
    BROADCAST = "broadcast"
    WORKERS = "workers"  # the list of registered people
    PHONES = "phones"  # reveal a full phone number (audited)
    LOOP = "loop"  # training, rights cases, 数字银龄, graduates, hardship
    ACCOUNTS = "accounts"  # staff accounts and the audit log


class Role(Enum):
    ADMIN = "admin"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        for role in cls:
            if value in (role.value, role.label):
                return role
        raise ValueError(f"不认识的角色“{value}”，可选：" + "、".join(f"{r.value}（{r.label}）" for r in cls))


LABELS = {Role.ADMIN: "县级管理员", Role.COUNTY: "县级工作人员", Role.TOWN: "乡镇工作人员",
          Role.VILLAGE: "村网格员", Role.LEADER: "领导查看"}
WORK = frozenset({Perm.FIGURES, Perm.JOBS, Perm.FAIRS, Perm.BROADCAST, Perm.WORKERS, Perm.PHONES, Perm.LOOP})
GRANTS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.COUNTY: WORK,
    Role.TOWN: WORK,
    Role.VILLAGE: frozenset({Perm.FIGURES, Perm.WORKERS, Perm.PHONES}),
    Role.LEADER: frozenset({Perm.FIGURES}),
}


class OutOfScope(Exception):
    """A record of another town or village: answered as if it did not exist."""


@dataclass(frozen=True)
class Staff:
    """The person behind a console request."""

    name: str
    role: Role
    town: str | None = None
    village: str | None = None
    account_id: int | None = None  # None for the bootstrap API token
    csrf: str | None = None  # the session's CSRF token (None for the bearer token)
    must_change_password: bool = False

    def can(self, perm: Perm) -> bool:
        return perm in GRANTS[self.role]

    @property
    def read_only(self) -> bool:
        return self.role is Role.LEADER

    @property
    def place(self) -> str | None:
        """The town this account is kept to; None for county accounts."""
        return self.town if self.role in (Role.TOWN, Role.VILLAGE) else None

    def sees(self, town: str | None, village: str | None = None) -> bool:
        """Whether a record of this town (and village) is within the account's place."""
        if self.place is None:
            return True
        if town != self.place:
            return False
        return self.role is not Role.VILLAGE or village == self.village

    def reads(self, town: str | None) -> bool:
        """Whether a notice-like record (a course, a need, a base) may be read: county-wide
        ones are read by every town."""
        return self.place is None or town in (None, self.place)

    def check(self, town: str | None, village: str | None = None) -> None:
        if not self.sees(town, village):
            raise OutOfScope

    def towns(self, asked: list[str] | tuple[str, ...]) -> list[str]:
        """The towns a broadcast or list may cover: a town account only ever its own."""
        if self.place is None:
            return list(asked)
        if any(t != self.place for t in asked):
            raise OutOfScope
        return [self.place]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.value, "role_label": self.role.label, "town": self.town,
                "village": self.village}
