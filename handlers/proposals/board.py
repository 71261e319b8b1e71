"""A proposal as it stands, and where its review card is (handlers/outbox.py posts
and updates the card)."""

from __future__ import annotations

from handlers.context import Context
from handlers.port import MessageRef
from storage import proposals as repo
from storage.proposals import ProposalSnapshot


async def load(ctx: Context, proposal_id: int) -> ProposalSnapshot | None:
    async with ctx.services.db.session() as session:
        return await repo.snapshot(session, workspace=ctx.workspace, proposal_id=proposal_id)


def card_ref(snap: ProposalSnapshot) -> MessageRef | None:
    if snap.card_channel is None or snap.card_message_id is None:
        return None
    return MessageRef(channel=snap.card_channel, message_id=snap.card_message_id)
