"""`/propose queue`: what waits for the editors' decision, oldest first, and the
messages postgate has not managed to deliver yet.

For editors: a card that could not be posted, or is buried far up the review
channel, is found here. Each line says who proposed it, when, how long it has
waited, and whether its card is up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.commands.spec import Call
from handlers.context import Context, WorkflowConfig
from handlers.events import Reply
from handlers.messages import Message, MessageField
from handlers.outbox import WHAT
from handlers.proposals.cards import when
from handlers.textsplit import opening
from storage import outbox as owed_store
from storage import proposals as repo
from storage.outbox import Owed
from storage.proposals import ProposalSummary

SHOWN = 25  # a long queue is summed up after this many
UNDELIVERED_AFTER = timedelta(minutes=1)  # younger messages are still on their way


async def editors_queue(_call: Call, ctx: Context) -> Reply:
    """`/propose queue`."""
    now, config = ctx.services.clock.now(), ctx.services.config
    async with ctx.services.db.session() as session:
        waiting, total = await repo.waiting_for_decision(
            session, workspace=ctx.workspace, limit=SHOWN
        )
        stuck = await owed_store.undelivered(
            session, workspace=ctx.workspace, since=now - UNDELIVERED_AFTER
        )
    fields = (
        (MessageField("Not delivered yet; postgate keeps trying", _undelivered(stuck, now)),)
        if stuck
        else ()
    )
    if not waiting:
        return Reply(
            Message(body="Nothing waits for a decision: the review queue is empty.", fields=fields)
        )
    lines = [_line(p, config=config, now=now) for p in waiting]
    if total > len(waiting):
        lines.append(f"...and {total - len(waiting)} more, newer than these.")
    return Reply(
        Message(
            title=f"Waiting for a decision: {total}, oldest first",
            body="\n".join(lines),
            fields=fields,
            footer="React on a proposal's card to decide it; /propose status N shows one in full.",
        )
    )


def _undelivered(stuck: list[Owed], now: datetime) -> str:
    lines = [
        f"proposal {o.proposal_id}: its {WHAT[o.kind]} ({_waited(now - o.created_at)})"
        for o in stuck[:SHOWN]
    ]
    if len(stuck) > SHOWN:
        lines.append(f"...and {len(stuck) - SHOWN} more.")
    return "\n".join(lines)


def _line(p: ProposalSummary, *, config: WorkflowConfig, now: datetime) -> str:
    card = "card on the review channel" if p.card_message_id else "no card yet: not posted"
    overrule = ", an overrule of a block" if p.overrule else ""
    return (
        f"{p.id}: from {p.author_name}, proposed {when(p.created_at, config)} "
        f"({_waited(now - p.created_at)}){overrule}; {card}: {opening(p.text)}"
    )


def _waited(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"waiting {seconds // 60} min"
    if seconds < 2 * 86400:
        return f"waiting {seconds // 3600} h"
    return f"waiting {seconds // 86400} days"
