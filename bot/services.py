"""What handlers may reach besides the database: settings, the clock, place names and the
policy knowledge base (loaded on first use, since it takes a moment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
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

    @property
    def policy(self) -> PolicyBase:
        return load_policy(self.settings.data_dir / "policies")


def _store_state(store: Path) -> tuple[tuple[str, float], ...]:
    if not store.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime) for p in store.iterdir()))


@lru_cache(maxsize=4)
def _load_policy(store: Path | None, state: tuple[tuple[str, float], ...]) -> PolicyBase:
    from knowledge.policy import PolicyBase

    return PolicyBase.load(store)


def load_policy(store: Path) -> PolicyBase:
    """The knowledge base for a store folder, built once and again only when its files change
    (every folder without added documents shares the one built from the shipped plan)."""
    state = _store_state(store)
    return _load_policy(store.resolve() if state else None, state)
