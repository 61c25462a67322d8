"""Conversation flows as routers of small handler functions; `routers()` lists them all."""

from __future__ import annotations

from bot.router import Router


def routers() -> list[Router]:
    from handlers import menu, profile, registration

    return [menu.router, registration.router, profile.router]
