"""Queries for the campaign ideas backlog. Each change writes its audit event in the
same transaction, so the log and the backlog never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_keys import clip, create_once
from storage.models import AuditEvent, Idea, IdeaAuditKind, IdeaStatus


def record(
    session: AsyncSession,
    *,
    workspace: str,
    kind: IdeaAuditKind,
    at: datetime,
    actor_id: str | None = None,
    actor_name: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """One audit event for ideas or reminders (never tied to a proposal)."""
    session.add(
        AuditEvent(
            workspace=workspace,
            at=at,
            kind=str(kind),
            proposal_id=None,
            actor_id=actor_id,
            actor_name=actor_name,
            detail=dict(detail or {}),
        )
    )


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
    delivery_key: str | None = None,
) -> Idea:
    """A new open idea and its audit event. When `delivery_key` added an idea in this
    workspace before (a replayed `/idea`), that idea is returned and nothing is
    written: the unique (workspace, delivery_key) constraint decides, see
    `storage.delivery_keys`."""
    key = clip(delivery_key)
    new_id, new = await create_once(
        session,
        cast(Table, Idea.__table__),
        {
            "workspace": workspace,
            "text": text,
            "tags": list(tags),
            "author_id": author_id,
            "author_name": author_name,
            "created_at": now,
            "due_on": due_on,
            "status": str(IdeaStatus.OPEN),
            "delivery_key": key,
        },
    )
    if new:
        record(
            session,
            workspace=workspace,
            kind=IdeaAuditKind.IDEA_ADDED,
            at=now,
            actor_id=author_id,
            actor_name=author_name,
            detail={"idea": new_id, "tags": list(tags), "due_on": due_on and due_on.isoformat()},
        )
    idea = await session.get(Idea, new_id)
    if idea is None:  # written in this transaction, or found by its key in it
        raise LookupError(f"idea {new_id} vanished")
    return idea


async def get_idea(session: AsyncSession, *, workspace: str, idea_id: int) -> Idea | None:
    """The idea with this number in this workspace (another party's ideas stay invisible)."""
    return (
        await session.execute(select(Idea).where(Idea.workspace == workspace, Idea.id == idea_id))
    ).scalar_one_or_none()


async def open_ideas(
    session: AsyncSession, *, workspace: str, awake_at: datetime | None = None
) -> list[Idea]:
    """Open ideas, oldest first; with `awake_at`, only those not snoozed past that time."""
    query = select(Idea).where(Idea.workspace == workspace, Idea.status == IdeaStatus.OPEN)
    if awake_at is not None:
        query = query.where(or_(Idea.snoozed_until.is_(None), Idea.snoozed_until <= awake_at))
    return list((await session.execute(query.order_by(Idea.created_at, Idea.id))).scalars())


async def done_since(session: AsyncSession, *, workspace: str, since: datetime) -> list[Idea]:
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
    return list((await session.execute(query)).scalars())


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
    return bool(getattr(result, "rowcount", 0))


async def release_due_reminder(session: AsyncSession, *, idea_id: int) -> None:
    """Undo a claim whose message could not be posted."""
    await session.execute(update(Idea).where(Idea.id == idea_id).values(due_reminded_on=None))
