"""Proposals in the database: the unit-of-work steps the workflow is made of.

Every function takes the caller's session, so a use case is one transaction.
Exactly-once is the database's job here, not memory's:
- status changes are guarded updates (`... WHERE status IN (...)`) whose row
  count says whether this caller won;
- votes rely on a unique constraint (`INSERT ... ON CONFLICT DO NOTHING`): a
  duplicate inserts nothing;
- `lock_open` takes the proposal's row (PostgreSQL) or the write lock (SQLite)
  before votes are counted, so two editors at the same instant are serialised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Select, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.db import insert_ignoring_duplicates, rowcount, snapshot_of
from storage.models import (
    OPEN_STATUSES,
    FindingRow,
    Proposal,
    ProposalStatus,
    Revision,
    Vote,
    VoteKind,
)

NAME_MAX = 200  # display names are cut to the column's size, on every backend


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFinding:
    """A checker finding as storage keeps it, going in and coming out (storage does
    not import the checker)."""

    rule: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str
    guidance: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteView:
    voter_id: str
    voter_name: str
    kind: VoteKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalSnapshot:
    """A proposal with its current text, findings and the votes that count now."""

    id: int
    workspace: str
    author_id: str
    author_name: str
    status: ProposalStatus
    verdict: str
    overrule: bool
    revision: int
    text: str
    findings: tuple[StoredFinding, ...]
    votes: tuple[VoteView, ...]
    card_channel: str | None
    card_message_id: str | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None

    def voters(self, kind: VoteKind) -> tuple[str, ...]:
        return tuple(v.voter_name for v in self.votes if v.kind == kind)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule for f in self.findings))


# --- creating and revising ------------------------------------------------------------


def _add_findings(revision: Revision, findings: Iterable[StoredFinding]) -> None:
    revision.findings.extend(FindingRow(**asdict(f)) for f in findings)


async def create_proposal(
    session: AsyncSession,
    *,
    workspace: str,
    author_id: str,
    author_name: str,
    text: str,
    verdict: str,
    findings: Sequence[StoredFinding],
    status: ProposalStatus,
    origin_channel: str | None,
    now: datetime,
) -> int:
    """A proposal with revision 1 and its findings (flushed); its id."""
    proposal = Proposal(
        workspace=workspace,
        author_id=author_id,
        author_name=author_name[:NAME_MAX],
        status=str(status),
        verdict=verdict,
        overrule=False,
        revision=1,
        origin_channel=origin_channel,
        created_at=now,
        updated_at=now,
    )
    revision = Revision(number=1, text=text, verdict=verdict, created_at=now)
    _add_findings(revision, findings)
    proposal.revisions.append(revision)
    session.add(proposal)
    await session.flush()
    return proposal.id


async def add_revision(
    session: AsyncSession,
    *,
    proposal_id: int,
    expected_revision: int,
    text: str,
    verdict: str,
    findings: Sequence[StoredFinding],
    status: ProposalStatus,
    now: datetime,
) -> int | None:
    """Revision n+1 of an open proposal; None when it was decided or revised meanwhile.

    The overrule flag is cleared: an overrule was asked for the old text.
    """
    new_number = expected_revision + 1
    if not await _update_one(
        session,
        Proposal.id == proposal_id,
        Proposal.revision == expected_revision,
        Proposal.status.in_([str(s) for s in OPEN_STATUSES]),
        revision=new_number,
        verdict=verdict,
        status=str(status),
        overrule=False,
        updated_at=now,
    ):
        return None
    revision = Revision(
        proposal_id=proposal_id, number=new_number, text=text, verdict=verdict, created_at=now
    )
    _add_findings(revision, findings)
    session.add(revision)
    await session.flush()
    return new_number


# --- reading ------------------------------------------------------------------------


async def find_id_by_card(
    session: AsyncSession, *, workspace: str, channel: str, message_id: str
) -> int | None:
    return cast(
        int | None,
        await session.scalar(
            select(Proposal.id).where(
                Proposal.workspace == workspace,
                Proposal.card_channel == channel,
                Proposal.card_message_id == message_id,
            )
        ),
    )


async def snapshot(
    session: AsyncSession, *, workspace: str, proposal_id: int
) -> ProposalSnapshot | None:
    """The proposal as it is now in this workspace, or None."""
    proposal = await session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.workspace == workspace)
        .execution_options(populate_existing=True)
    )
    if proposal is None:
        return None
    revision = await session.scalar(
        select(Revision).where(
            Revision.proposal_id == proposal_id, Revision.number == proposal.revision
        )
    )
    text = revision.text if revision is not None else ""
    findings: tuple[StoredFinding, ...] = ()
    if revision is not None:
        rows = await session.scalars(
            select(FindingRow)
            .where(FindingRow.revision_id == revision.id)
            .order_by(FindingRow.start, FindingRow.id)
        )
        findings = tuple(snapshot_of(StoredFinding, r) for r in rows)
    votes = await session.scalars(
        select(Vote)
        .where(Vote.proposal_id == proposal_id, Vote.revision == proposal.revision)
        .order_by(Vote.created_at, Vote.id)
    )
    return snapshot_of(
        ProposalSnapshot,
        proposal,
        status=ProposalStatus(proposal.status),
        text=text,
        findings=findings,
        votes=tuple(snapshot_of(VoteView, v, kind=VoteKind(v.kind)) for v in votes),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalSummary:
    """One line of a list of proposals: the proposal with its current text, without
    findings or votes."""

    id: int
    workspace: str
    status: ProposalStatus
    author_id: str
    author_name: str
    verdict: str
    revision: int
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    overrule: bool
    card_message_id: str | None
    text: str


def _with_text() -> Select[Proposal, str | None]:
    """Proposals, each with its current revision's text."""
    current = (Revision.proposal_id == Proposal.id) & (Revision.number == Proposal.revision)
    return select(Proposal, Revision.text).outerjoin(Revision, current)


async def _summaries(
    session: AsyncSession, query: Select[Proposal, str | None]
) -> list[ProposalSummary]:
    return [
        snapshot_of(ProposalSummary, p, status=ProposalStatus(p.status), text=text or "")
        for p, text in await session.execute(query)
    ]


async def list_proposals(
    session: AsyncSession,
    *,
    workspace: str | None = None,
    author_id: str | None = None,
    status: ProposalStatus | None = None,
    limit: int | None = None,
) -> list[ProposalSummary]:
    """Newest first."""
    query = _with_text().order_by(Proposal.created_at.desc(), Proposal.id.desc())
    if workspace is not None:
        query = query.where(Proposal.workspace == workspace)
    if author_id is not None:
        query = query.where(Proposal.author_id == author_id)
    if status is not None:
        query = query.where(Proposal.status == str(status))
    if limit is not None:
        query = query.limit(limit)
    return await _summaries(session, query)


async def overdue_ids(session: AsyncSession, *, workspace: str, before: datetime) -> list[int]:
    """Open proposals created before `before`, oldest first."""
    rows = await session.scalars(
        select(Proposal.id)
        .where(
            Proposal.workspace == workspace,
            Proposal.status.in_([str(s) for s in OPEN_STATUSES]),
            Proposal.created_at < before,
        )
        .order_by(Proposal.created_at, Proposal.id)
    )
    return list(rows)


async def open_card_ids(session: AsyncSession, *, workspace: str) -> list[int]:
    """Proposals with a card editors may still vote on or take votes back from."""
    rows = await session.scalars(
        select(Proposal.id)
        .where(
            Proposal.workspace == workspace,
            Proposal.status.in_(
                [str(ProposalStatus.PENDING), str(ProposalStatus.CHANGES_REQUESTED)]
            ),
            Proposal.card_message_id.is_not(None),
        )
        .order_by(Proposal.id)
    )
    return list(rows)


# --- changing state -------------------------------------------------------------------


async def _update_one(session: AsyncSession, *where: ColumnElement[bool], **values: object) -> bool:
    """A guarded UPDATE of one proposal: True only when this caller changed its row."""
    result = await session.execute(
        update(Proposal).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def lock_open(
    session: AsyncSession,
    *,
    workspace: str,
    proposal_id: int,
    statuses: Iterable[ProposalStatus],
    now: datetime,
) -> bool:
    """Take the proposal for this transaction if its status is one of `statuses`.

    An UPDATE rather than SELECT FOR UPDATE: it locks the row on PostgreSQL and
    takes the write lock on SQLite, and re-checks the status after any
    concurrent writer commits. False: not in those states (nothing locked).
    """
    return await _update_one(
        session,
        Proposal.id == proposal_id,
        Proposal.workspace == workspace,
        Proposal.status.in_([str(s) for s in statuses]),
        updated_at=now,
    )


async def transition(
    session: AsyncSession,
    *,
    proposal_id: int,
    from_statuses: Iterable[ProposalStatus],
    to_status: ProposalStatus,
    now: datetime,
    decided_by: str | None = None,
    decided: bool = False,
    overrule: bool | None = None,
) -> bool:
    """Move a proposal between states; True only for the one caller that moved it."""
    values: dict[str, object] = {"status": str(to_status), "updated_at": now}
    if decided:
        values["decided_at"] = now
        values["decided_by"] = decided_by[:400] if decided_by else None
    if overrule is not None:
        values["overrule"] = overrule
    return await _update_one(
        session,
        Proposal.id == proposal_id,
        Proposal.status.in_([str(s) for s in from_statuses]),
        **values,
    )


async def set_card(
    session: AsyncSession,
    *,
    proposal_id: int,
    revision: int,
    channel: str | None,
    message_id: str | None,
    now: datetime,
) -> bool:
    """Where the card of `revision` is (None: no card while a new one is owed); False
    when the proposal is at another revision by now."""
    return await _update_one(
        session,
        Proposal.id == proposal_id,
        Proposal.revision == revision,
        card_channel=channel,
        card_message_id=message_id,
        updated_at=now,
    )


async def add_vote(
    session: AsyncSession,
    *,
    proposal_id: int,
    revision: int,
    voter_id: str,
    voter_name: str,
    kind: VoteKind,
    now: datetime,
) -> bool:
    """False when this voter already cast this vote on this revision (a duplicate)."""
    return await insert_ignoring_duplicates(
        session,
        cast(Table, Vote.__table__),
        {
            "proposal_id": proposal_id,
            "revision": revision,
            "voter_id": voter_id,
            "voter_name": voter_name[:NAME_MAX],
            "kind": str(kind),
            "created_at": now,
        },
    )


async def remove_vote(
    session: AsyncSession, *, proposal_id: int, revision: int, voter_id: str, kind: VoteKind
) -> bool:
    """False when there was no such vote."""
    result = await session.execute(
        delete(Vote).where(
            Vote.proposal_id == proposal_id,
            Vote.revision == revision,
            Vote.voter_id == voter_id,
            Vote.kind == str(kind),
        )
    )
    return rowcount(result) == 1


async def voters(
    session: AsyncSession, *, proposal_id: int, revision: int, kind: VoteKind
) -> list[tuple[str, str]]:
    """(voter id, name) of the votes of one kind on one revision, in order cast."""
    rows = await session.execute(
        select(Vote.voter_id, Vote.voter_name)
        .where(
            Vote.proposal_id == proposal_id,
            Vote.revision == revision,
            Vote.kind == str(kind),
        )
        .order_by(Vote.created_at, Vote.id)
    )
    return [(r[0], r[1]) for r in rows]


async def waiting_for_decision(
    session: AsyncSession, *, workspace: str, limit: int | None = None
) -> tuple[list[ProposalSummary], int]:
    """The proposals on review, waiting for the editors, oldest first (the first
    `limit`, or all), and how many there are in all."""
    waiting = (Proposal.workspace == workspace, Proposal.status == str(ProposalStatus.PENDING))
    query = _with_text().where(*waiting).order_by(Proposal.created_at, Proposal.id)
    total = await session.scalar(select(func.count()).select_from(Proposal).where(*waiting))
    return await _summaries(session, query.limit(limit)), int(total or 0)
