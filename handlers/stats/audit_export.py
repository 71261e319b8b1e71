"""The audit log as spreadsheet rows, streamed from the database.

One row per audit event, oldest first, with labelled columns: times in ISO 8601
with their UTC offset (in the party's timezone, so they read as local times),
the proposal as "#12" beside its author, people by name with their platform id
in its own labelled column, and the event's details spread into columns. Rows
are fetched in batches from a server-side cursor, so a large log never sits in
memory whole.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.audit import ExportRow, export_query
from storage.db import Database

BATCH = 1000

HEADER = (
    "time",
    "workspace",
    "event",
    "proposal",
    "proposal author",
    "by",
    "by (platform id)",
    "revision",
    "verdict",
    "vote",
    "rules",
    "guidance sections",
    "other details",
)

# Event kinds read as words ("vote_added": "vote added"); these few say more.
EVENT_LABELS = {"overruled": "approved by overrule"}

_SPREAD = ("revision", "verdict", "vote", "rules", "sections")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def export_row(row: ExportRow, *, timezone: ZoneInfo) -> tuple[str, ...]:
    """One row of `storage.audit.export_query` as spreadsheet cells."""
    detail = row.detail or {}
    rest = {k: v for k, v in detail.items() if k not in _SPREAD}
    return (
        row.at.astimezone(timezone).isoformat(timespec="seconds"),
        row.workspace,
        EVENT_LABELS.get(row.kind, row.kind.replace("_", " ")),
        f"#{row.proposal_id}" if row.proposal_id is not None else "",
        row.author_name or "",
        row.actor_name or row.actor_id or "",
        row.actor_id or "",
        *(_cell(detail.get(key)) for key in _SPREAD),
        json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "",
    )


async def audit_rows(
    *,
    db: Database,
    timezone: ZoneInfo,
    since: datetime | None = None,
    workspace: str | None = None,
) -> AsyncIterator[tuple[str, ...]]:
    """Every audit event (from `since`, in `workspace` when given) as a row, oldest first."""
    query = export_query(since=since, workspace=workspace).execution_options(yield_per=BATCH)
    async with db.session() as session:
        result = await session.stream(query)
        # One await per batch, not per row: each await crosses into the driver's greenlet.
        async for batch in result.partitions(BATCH):
            for row in batch:
                yield export_row(row, timezone=timezone)
