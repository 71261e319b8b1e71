"""PostgreSQL connections killed again and again (pg_terminate_backend, as a restart
or a failover does) while several /propose are in flight over real HTTP: every
committed proposal gets exactly one card, and every member a true answer. Nobody is
told "nothing was changed" about a proposal that was committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.models import Proposal
from tests.fakes.slack_harness import REVIEW
from tests.platforms.slack.test_outbox import sending
from tests.platforms.test_faults import kill_every_connection

MEMBERS = 8
KILLS = 25
DRAFT = "Thank you to everyone who helped at the coffee morning in Ramsey, table {n}."


async def test_killed_connections_mid_work_leave_no_proposal_without_card_or_true_answer(
    database_url: str,
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connection to lose")
    async with sending(database_url) as slack:
        fake = slack.fake
        stop = asyncio.Event()
        killed = 0

        async def killer() -> None:
            nonlocal killed
            for _ in range(KILLS):
                killed += await asyncio.to_thread(kill_every_connection, database_url)
                await asyncio.sleep(0.05)
            stop.set()

        async def member(n: int) -> int:
            status, _ = await slack.sender.command(
                text=DRAFT.format(n=n),
                user_id=_member(n),
                response_url=fake.response_url(f"member{n}"),
            )
            return status

        killing = asyncio.create_task(killer())
        statuses = await asyncio.gather(*(member(n) for n in range(MEMBERS)))
        await killing
        assert killed > 0
        acked = [n for n, status in enumerate(statuses) if status == 200]
        assert acked, statuses

        # Every acknowledged command is answered, once.
        def answers() -> dict[str, str]:
            return {
                str(c.params["key"]): str(c.params)
                for c in fake.calls
                if c.method == "response_url"
            }

        await fake.wait_for(lambda _calls: all(f"member{n}" in answers() for n in acked), within=60)
        async with slack.services.db.session() as session:
            stored = {p.author_id: p for p in await session.scalars(select(Proposal))}

        for n in acked:
            answer = answers()[f"member{n}"]
            proposal = stored.get(_member(n))
            if proposal is None:
                assert "nothing was changed" in answer or "could not check" in answer, answer
            else:
                assert "nothing was changed" not in answer, answer
        for n, status in enumerate(statuses):
            if status != 200:  # refused before it was stored: Slack sends it again
                assert _member(n) not in stored

        # Every committed proposal gets exactly one card.
        def cards(proposal_id: int) -> list[str]:
            return [
                m["ts"]
                for m in fake.messages(REVIEW)
                if m["thread_ts"] is None and f"Proposal {proposal_id} from" in m["text"]
            ]

        await fake.wait_for(lambda _calls: all(cards(p.id) for p in stored.values()), within=60)
        await fake.settle()
        async with slack.services.db.session() as session:
            linked = {p.id: p.card_message_id for p in await session.scalars(select(Proposal))}
        for proposal in stored.values():
            assert cards(proposal.id) == [linked[proposal.id]]
        print(
            f"{killed} connections killed; {len(acked)} of {MEMBERS} commands acknowledged, "
            f"{len(stored)} proposals committed, each with one card"
        )


def _member(n: int) -> str:
    return f"UMEMBER{n:02d}"
