"""The read-only commands (proposals, stats, export) never migrate: they read the
schema as it is, and say so when it is behind the migrations this postgate ships."""

from __future__ import annotations

from bot.cli.main import UserError
from storage.migrate import schema_state
from storage.urls import safe_url


def require_current_schema(url: str) -> None:
    state = schema_state(url)
    if state.current is None:
        raise UserError(
            f"the database {safe_url(url)} has no postgate tables yet: "
            "run postgate db upgrade (postgate run does it too)"
        )
    if not state.up_to_date:
        raise UserError(
            f"the database schema is behind (at {state.current}; this postgate needs "
            f"{state.head}): run postgate db upgrade, or restart postgate run, which does it"
        )
