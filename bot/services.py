"""What handlers may reach besides the database: settings, the clock, place names and the
policy knowledge base (loaded on first use, since it takes a moment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import Settings
from knowledge.places import Gazetteer, gazetteer
from storage.models import utcnow

if TYPE_CHECKING:
    from knowledge.policy import PolicyBase


@dataclass
class Services:
    settings: Settings
    clock: Callable[[], datetime] = utcnow
    places: Gazetteer = field(default_factory=gazetteer)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    @cached_property
    def policy(self) -> PolicyBase:
        from knowledge.policy import PolicyBase

        return PolicyBase.load(self.settings.data_dir / "policies")
