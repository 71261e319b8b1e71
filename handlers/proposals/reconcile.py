"""Reading back the reactions on the open cards: votes cast or taken back while
postgate was not listening (stopped, or its connection to the platform down).

Each difference between a card's reactions and the votes stored for it goes through
`handle_reaction`, as if it had arrived live: editors only, never on one's own post, a
reaction gone withdraws its vote, and a vote may decide the proposal. The audit marks
those votes "counted on reconnect". Reading back twice changes nothing the second time.

A card is read and applied inside `turn` (the deliveries' turn), so a live reaction
never interleaves: one made before the read is seen by it and then changes nothing,
one made after is handled after.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager

from handlers.context import Context
from handlers.events import Actor, ReactionEvent
from handlers.port import MessageRef
from handlers.proposals.review import handle_reaction, vote_kind
from storage import proposals as repo
from storage.models import VoteKind

log = logging.getLogger(__name__)

# The reactions standing on a message: (emoji, user id) pairs.
ReadReactions = Callable[[MessageRef], Awaitable[Sequence[tuple[str, str]]]]
# Who a user id is now (name and roles).
LookUp = Callable[[str], Awaitable[Actor]]


async def reconcile(
    ctx: Context,
    *,
    read: ReadReactions,
    who: LookUp,
    turn: AbstractAsyncContextManager[object],
) -> None:
    """Bring every open card's votes in line with its reactions."""
    try:
        async with ctx.services.db.session() as session:
            ids = await repo.open_card_ids(session, workspace=ctx.workspace)
    except Exception as exc:  # the database is away; a read-back task must not die loud
        log.warning(
            "could not list the open cards to read back (%s); the next reconnect will",
            type(exc).__name__,
        )
        return
    changed = 0
    for proposal_id in ids:
        try:
            async with turn:
                changed += await _reconcile_card(ctx, proposal_id, read=read, who=who)
        except Exception as exc:
            log.warning(
                "could not read back the reactions on proposal %s's card (%s); "
                "the next reconnect will",
                proposal_id,
                type(exc).__name__,
            )
    if changed:
        log.info("counted %d votes on reconnect in %s", changed, ctx.workspace)


async def _reconcile_card(
    ctx: Context, proposal_id: int, *, read: ReadReactions, who: LookUp
) -> int:
    async with ctx.services.db.session() as session:
        snap = await repo.snapshot(session, workspace=ctx.workspace, proposal_id=proposal_id)
    if snap is None or snap.card_channel is None or snap.card_message_id is None:
        return 0
    ref = MessageRef(snap.card_channel, snap.card_message_id)
    config = ctx.services.config
    standing: dict[tuple[str, VoteKind], str] = {}
    for emoji, user_id in await read(ref):
        kind = vote_kind(emoji, config)
        if kind is not None and user_id != snap.author_id:
            standing.setdefault((user_id, kind), emoji)
    stored = {(v.voter_id, v.kind) for v in snap.votes}
    # Withdrawals first: an editor who swapped one reaction for another meanwhile.
    changes = [(vote, False, config.hint_emoji(vote[1])) for vote in stored - standing.keys()]
    changes += [(vote, True, standing[vote]) for vote in standing.keys() - stored]
    changed = 0
    for (user_id, _kind), added, emoji in sorted(changes, key=lambda c: (c[1], c[0])):
        actor = await who(user_id)
        if not actor.is_editor:
            continue
        await handle_reaction(
            ReactionEvent(
                workspace=ctx.workspace,
                actor=actor,
                emoji=emoji,
                added=added,
                message=ref,
                proposal_id=proposal_id,
                on_reconnect=True,
            ),
            ctx,
        )
        changed += 1
    return changed
