"""Conversation flows as routers of small handler functions; `routers()` lists them all."""

from __future__ import annotations

from bot.router import Router


def routers() -> list[Router]:
    from handlers import (
        acknowledge,
        contact,
        fairs,
        family,
        followup,
        graduates,
        hardship,
        jobs,
        linking,
        menu,
        more,
        not_needed,
        policy,
        policy_push,
        profile,
        registration,
        rights,
        silver,
        training,
    )

    return [menu.router, registration.router, family.router, contact.router, followup.router, profile.router,
            linking.router, jobs.router, fairs.router, training.router, rights.router, silver.router,
            graduates.router, hardship.router, policy_push.router, not_needed.router, acknowledge.router,
            more.router, policy.router]
