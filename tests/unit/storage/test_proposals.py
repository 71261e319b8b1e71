"""The storage steps that make the workflow exactly-once, on each backend."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage import audit
from storage import proposals as repo
from storage.db import Database
from storage.models import AuditEvent, AuditKind, ProposalStatus, VoteKind
from tests.clock import FixedClock
from tests.workflow_support import START

NOW = FixedClock(START).now()


async def _proposal(db: Database) -> int:
    async with db.transaction() as session:
        proposal_id = await repo.create_proposal(
            session,
            workspace="local",
            author_id="alex",
            author_name="alex",
            text="Hello",
            verdict="warn",
            findings=[
                repo.StoredFinding(
                    rule="jargon",
                    severity="warn",
                    start=0,
                    end=5,
                    message="m",
                    suggestion="",
                    guidance="rules",
                )
            ],
            status=ProposalStatus.PENDING,
            origin_channel=None,
            now=NOW,
        )
        audit.record(
            session,
            workspace="local",
            kind=AuditKind.PROPOSED,
            at=NOW,
            proposal_id=proposal_id,
            detail={"revision": 1},
        )
    return proposal_id


async def test_duplicates_insert_nothing(database: Database) -> None:
    proposal_id = await _proposal(database)
    async with database.transaction() as session:
        vote = {
            "proposal_id": proposal_id,
            "revision": 1,
            "voter_id": "ed",
            "voter_name": "ed",
            "now": NOW,
        }
        assert await repo.add_vote(session, kind=VoteKind.APPROVE, **vote)  # type: ignore[arg-type]
        assert not await repo.add_vote(session, kind=VoteKind.APPROVE, **vote)  # type: ignore[arg-type]
        assert await repo.add_vote(session, kind=VoteKind.REJECT, **vote)  # type: ignore[arg-type]
        # The transaction is still usable after a duplicate (no aborted PostgreSQL transaction).
        assert await repo.remove_vote(
            session, proposal_id=proposal_id, revision=1, voter_id="ed", kind=VoteKind.REJECT
        )
        assert not await repo.remove_vote(
            session, proposal_id=proposal_id, revision=1, voter_id="ed", kind=VoteKind.REJECT
        )
    snap = await _snapshot(database, proposal_id)
    assert [v.kind for v in snap.votes] == [VoteKind.APPROVE]
    assert [(f.rule, f.start, f.end) for f in snap.findings] == [("jargon", 0, 5)]


async def _snapshot(db: Database, proposal_id: int) -> repo.ProposalSnapshot:
    async with db.session() as session:
        snap = await repo.snapshot(session, workspace="local", proposal_id=proposal_id)
    assert snap is not None
    return snap


async def test_only_one_of_two_racing_transitions_wins(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        proposal_id = await _proposal(first)

        async def decide(db: Database, to: ProposalStatus) -> bool:
            async with db.transaction() as session:
                moved = await repo.transition(
                    session,
                    proposal_id=proposal_id,
                    from_statuses=[ProposalStatus.PENDING],
                    to_status=to,
                    now=NOW,
                    decided=True,
                    decided_by="someone",
                )
                if moved:
                    audit.record(session, workspace="local", kind=AuditKind(to), at=NOW)
                return moved

        results = await asyncio.gather(
            decide(first, ProposalStatus.APPROVED), decide(second, ProposalStatus.REJECTED)
        )
        assert sorted(results) == [False, True]
        async with first.session() as session:
            decisions = await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.kind.in_(["approved", "rejected"]))
            )
        assert decisions == 1
        snap = await _snapshot(first, proposal_id)
        assert snap.decided_at == NOW and snap.decided_by == "someone"
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_revision_needs_the_revision_it_replaces(database: Database) -> None:
    proposal_id = await _proposal(database)
    args = {
        "proposal_id": proposal_id,
        "text": "Hello again",
        "verdict": "pass",
        "findings": [],
        "status": ProposalStatus.PENDING,
        "now": NOW,
    }
    async with database.transaction() as session:
        assert await repo.add_revision(session, expected_revision=1, **args) == 2  # type: ignore[arg-type]
        assert await repo.add_revision(session, expected_revision=1, **args) is None  # type: ignore[arg-type]
    snap = await _snapshot(database, proposal_id)
    assert (snap.revision, snap.text, snap.findings) == (2, "Hello again", ())
