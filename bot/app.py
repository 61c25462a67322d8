"""Application wiring: the database made ready, services built, routers put together."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

import handlers
from bot.dispatch import Dispatcher
from bot.router import Router
from bot.services import Services
from bot.settings import Settings, get_settings
from storage.db import make_engine, upgrade
from storage.models import utcnow


def prepare_database(settings: Settings) -> Engine:
    """An engine for the configured database; the embedded SQLite default is migrated on start.

    A server database (PostgreSQL) is migrated explicitly with `jobbot db upgrade`, so that
    several processes starting at once do not race to change its schema.
    """
    if settings.is_sqlite:
        upgrade(settings.db_url)
    return make_engine(settings.db_url)


def build_dispatcher(settings: Settings, *, engine: Engine | None = None,
                     clock: Callable[[], datetime] = utcnow, extra_routers: Iterable[Router] = ()) -> Dispatcher:
    """The dispatcher over all handler routers (`extra_routers` lets tests add their own)."""
    engine = engine or prepare_database(settings)
    return Dispatcher(engine, Services(settings=settings, clock=clock), [*handlers.routers(), *extra_routers])


def configure_logging(level: int = logging.INFO, *, timezone: str | None = None) -> None:
    """Log lines with times in JOBBOT_TIMEZONE (or `timezone`), as the console shows them."""
    zone = ZoneInfo(timezone or get_settings().timezone)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = lambda seconds: datetime.fromtimestamp(seconds or 0, zone).timetuple()
    # The handler has the level too: some libraries turn their own logger up to DEBUG when
    # imported (bm25s: "Building index from tokens"), which the root logger's level cannot stop.
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler])
    # httpx logs every request URL at INFO; Bot API URLs hold the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
