"""Helpers for the workflow scenarios: a local workspace on a real database, and
read-only looks at what it stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.assembly import build_services
from bot.platforms.local.platform import LocalWorkspace
from bot.settings import load_settings
from guidance.checker import Checker
from guidance.policy import load_policy
from handlers.clock import FixedClock
from handlers.context import Services
from storage.db import Database
from storage.models import AuditEvent, Proposal, Vote

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CLEAN = "Thank you to everyone who canvassed in St Ives on Saturday!"
ABUSIVE = "The Tory scum running the council are fucking useless."

requires_blocking_checker = pytest.mark.skipif(
    Checker(load_policy()).check(ABUSIVE).verdict != "block",
    reason="the checker does not block abuse yet (placeholder checker)",
)

WorkspaceFactory = Callable[..., Awaitable[LocalWorkspace]]


def make_services(url: str, *, clock: FixedClock | None = None, **settings: Any) -> Services:
    return build_services(
        load_settings(DATABASE_URL=url, **settings), clock=clock or FixedClock(START)
    )


@pytest.fixture
async def make_workspace(database_url: str) -> AsyncIterator[WorkspaceFactory]:
    """`await make_workspace(approvals_required=2, ...)`: a workspace on the test database."""
    opened: list[Services] = []

    async def factory(*, clock: FixedClock | None = None, **settings: Any) -> LocalWorkspace:
        services = make_services(database_url, clock=clock, **settings)
        opened.append(services)
        return LocalWorkspace(services=services, editors=("editor", "chair"))

    yield factory
    for services in opened:
        await services.db.dispose()


@pytest.fixture
async def ws(make_workspace: WorkspaceFactory) -> LocalWorkspace:
    return await make_workspace()


async def run(ws: LocalWorkspace, *lines: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(await ws.send(line))
    return out


def db_of(ws: LocalWorkspace) -> Database:
    return ws.ctx.services.db


async def proposal(ws: LocalWorkspace, proposal_id: int) -> Proposal:
    async with db_of(ws).session() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


async def audit_kinds(ws: LocalWorkspace, proposal_id: int | None = None) -> list[str]:
    query = select(AuditEvent.kind).order_by(AuditEvent.id)
    if proposal_id is not None:
        query = query.where(AuditEvent.proposal_id == proposal_id)
    async with db_of(ws).session() as session:
        return list(await session.scalars(query))


async def audit_events(ws: LocalWorkspace, kind: str) -> list[AuditEvent]:
    async with db_of(ws).session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        )
        return list(rows)


async def count(ws: LocalWorkspace, model: type[Any]) -> int:
    async with db_of(ws).session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def votes(ws: LocalWorkspace) -> int:
    return await count(ws, Vote)


def lines_to(lines: list[str], where: str) -> list[str]:
    """The first line of each message posted to `where` (e.g. "#approved", "dm to alex")."""
    return [line for line in lines if line.startswith(f"[{where}]")]


@pytest.fixture
async def ws_pair(make_workspace: WorkspaceFactory) -> tuple[LocalWorkspace, LocalWorkspace]:
    """Two workspaces on the same database with their own engines: two deliveries at once."""
    return await make_workspace(), await make_workspace()
