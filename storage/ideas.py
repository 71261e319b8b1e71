"""Queries for the campaign ideas backlog. Each change writes its audit event in the
same transaction, so the log and the backlog never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record
from storage.db import rowcount, snapshot_of
from storage.models import Idea, IdeaAuditKind, IdeaStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class IdeaSnapshot:
    """An idea as it stood when read: what handlers are given, never the row itself."""

    id: int
    workspace: str
    text: str
    tags: tuple[str, ...]
    author_id: str
    author_name: str
    created_at: datetime
    due_on: date | None
    status: IdeaStatus
    snoozed_until: datetime | None
    closed_at: datetime | None
    closed_by: str | None


def _snapshot(row: Idea) -> IdeaSnapshot:
    return snapshot_of(IdeaSnapshot, row, tags=tuple(row.tags or ()), status=IdeaStatus(row.status))


async def add_idea(
    session: AsyncSession,
    *,
    workspace: str,
    text: str,
    tags: Sequence[str],
    author_id: str,
    author_name: str,
    now: datetime,
    due_on: date | None,
) -> IdeaSnapshot:
    """A new open idea and its audit event."""
    idea = Idea(
        workspace=workspace,
        text=text,
        tags=list(tags),
        author_id=author_id,
        author_name=author_name,
        created_at=now,
        due_on=due_on,
        status=str(IdeaStatus.OPEN),
    )
    session.add(idea)
    await session.flush()
    record(
        session,
        workspace=workspace,
        kind=IdeaAuditKind.IDEA_ADDED,
        at=now,
        actor_id=author_id,
        actor_name=author_name,
        detail={"idea": idea.id, "tags": list(tags), "due_on": due_on and due_on.isoformat()},
    )
    return _snapshot(idea)


async def get_idea(session: AsyncSession, *, workspace: str, idea_id: int) -> IdeaSnapshot | None:
    """The idea with this number in this workspace (another party's ideas stay invisible)."""
    row = (
        await session.execute(select(Idea).where(Idea.workspace == workspace, Idea.id == idea_id))
    ).scalar_one_or_none()
    return None if row is None else _snapshot(row)


async def close_idea(
    session: AsyncSession, *, idea_id: int, status: IdeaStatus, at: datetime, by: str
) -> None:
    """Mark an open idea done or dropped."""
    await session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.status == IdeaStatus.OPEN)
        .values(status=str(status), closed_at=at, closed_by=by)
    )


async def snooze_idea(session: AsyncSession, *, idea_id: int, until: datetime) -> None:
    """Leave an idea out of digests and due-day reminders until `until`."""
    await session.execute(update(Idea).where(Idea.id == idea_id).values(snoozed_until=until))


async def open_ideas(
    session: AsyncSession, *, workspace: str, awake_at: datetime | None = None
) -> list[IdeaSnapshot]:
    """Open ideas, oldest first; with `awake_at`, only those not snoozed past that time."""
    query = select(Idea).where(Idea.workspace == workspace, Idea.status == IdeaStatus.OPEN)
    if awake_at is not None:
        query = query.where(or_(Idea.snoozed_until.is_(None), Idea.snoozed_until <= awake_at))
    rows = (await session.execute(query.order_by(Idea.created_at, Idea.id))).scalars()
    return [_snapshot(row) for row in rows]


async def done_since(
    session: AsyncSession, *, workspace: str, since: datetime
) -> list[IdeaSnapshot]:
    """Ideas marked done after `since`, in the order they were done."""
    query = (
        select(Idea)
        .where(
            Idea.workspace == workspace,
            Idea.status == IdeaStatus.DONE,
            Idea.closed_at > since,
        )
        .order_by(Idea.closed_at, Idea.id)
    )
    return [_snapshot(row) for row in (await session.execute(query)).scalars()]


async def claim_due_reminder(session: AsyncSession, *, idea_id: int, day: date) -> bool:
    """Mark the idea's due-day reminder as sent for `day`; False if it already was."""
    result = await session.execute(
        update(Idea)
        .where(
            Idea.id == idea_id,
            or_(Idea.due_reminded_on.is_(None), Idea.due_reminded_on != day),
        )
        .values(due_reminded_on=day)
    )
    return rowcount(result) > 0


async def release_due_reminder(session: AsyncSession, *, idea_id: int) -> None:
    """Undo a claim whose message could not be posted."""
    await session.execute(update(Idea).where(Idea.id == idea_id).values(due_reminded_on=None))
