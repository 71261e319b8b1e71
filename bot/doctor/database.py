"""The database: reachable, and its schema at the migrations this postgate ships."""

from __future__ import annotations

from bot.doctor.checklist import Item
from bot.startup.explain import database_error, is_database_error
from storage.migrate import schema_state
from storage.urls import safe_url


def check_database(url: str) -> list[Item]:
    try:
        state = schema_state(url)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        return [Item.from_error(database_error(exc, url=url))]
    where = safe_url(url)
    if state.current is None:
        return [
            Item.failed(
                f"database {where}: no postgate tables yet",
                fix="run postgate db upgrade (postgate run does it too)",
            )
        ]
    if not state.up_to_date:
        return [
            Item.passed(f"database {where}: reachable"),
            Item.failed(
                f"database schema at {state.current}, this postgate needs {state.head}",
                fix="run postgate db upgrade (postgate run does it too)",
            ),
        ]
    return [Item.passed(f"database {where}: reachable, schema current ({state.head})")]
