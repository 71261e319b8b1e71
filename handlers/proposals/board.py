"""Mirror a proposal's stored state onto the platform: its card, the proposer's
notices, the approved channel.

These run after the state is committed. A platform failure here is logged and
never undoes a decision: the database is the truth, the card its picture.
"""

from __future__ import annotations

import logging

from handlers.context import Context
from handlers.messages import Message
from handlers.port import ChannelRole, Group, MessageRef
from handlers.proposals.cards import approved_post, review_card
from handlers.proposals.feedback import decision_notice
from storage import audit
from storage import proposals as repo
from storage.models import AuditKind, ProposalStatus
from storage.proposals import ProposalSnapshot

log = logging.getLogger(__name__)


async def load(ctx: Context, proposal_id: int) -> ProposalSnapshot | None:
    async with ctx.services.db.session() as session:
        return await repo.snapshot(session, workspace=ctx.workspace, proposal_id=proposal_id)


def card_ref(snap: ProposalSnapshot) -> MessageRef | None:
    if snap.card_channel is None or snap.card_message_id is None:
        return None
    return MessageRef(channel=snap.card_channel, message_id=snap.card_message_id)


def _card(ctx: Context, snap: ProposalSnapshot) -> Message:
    return review_card(snap, config=ctx.services.config, editors=ctx.port.members_of(Group.EDITORS))


async def put_up_card(ctx: Context, snap: ProposalSnapshot) -> bool:
    """Post the card (or refresh it if it exists), remember where, audit it."""
    existing = card_ref(snap)
    if existing is not None:
        return await refresh_card(ctx, snap)
    message = _card(ctx, snap)
    try:
        ref = await ctx.port.post(channel=ChannelRole.REVIEW, message=message)
    except Exception:
        log.exception("posting the card of proposal %s failed", snap.id)
        return False
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        await repo.set_card(
            session, proposal_id=snap.id, channel=ref.channel, message_id=ref.message_id, now=now
        )
        audit.record(
            session,
            workspace=ctx.workspace,
            kind=AuditKind.POSTED_FOR_REVIEW,
            at=now,
            proposal_id=snap.id,
            detail={
                "channel": ref.channel,
                "message_id": ref.message_id,
                "revision": snap.revision,
            },
        )
    config = ctx.services.config
    for names, preferred in (
        (config.approve_emoji, "white_check_mark"),
        (config.reject_emoji, "x"),
        (config.changes_emoji, "pencil2"),
    ):
        hint = preferred if preferred in names else min(names, default=preferred)
        try:
            await ctx.port.react(ref=ref, emoji=hint)
        except Exception:
            log.warning("adding the %s hint to proposal %s's card failed", hint, snap.id)
    return True


async def refresh_card(ctx: Context, snap: ProposalSnapshot) -> bool:
    ref = card_ref(snap)
    if ref is None:
        return False
    message = _card(ctx, snap)
    try:
        await ctx.port.update(ref=ref, message=message)
    except Exception:
        log.exception("updating the card of proposal %s failed", snap.id)
        return False
    return True


async def tell_proposer(ctx: Context, snap: ProposalSnapshot) -> None:
    try:
        await ctx.port.notify(
            user_id=snap.author_id,
            message=decision_notice(snap, config=ctx.services.config),
            about=card_ref(snap),
        )
    except Exception:
        log.exception("telling the proposer of proposal %s failed", snap.id)


async def announce(ctx: Context, snap: ProposalSnapshot) -> None:
    """After a decision (or a request for changes): card, proposer, approved channel."""
    await refresh_card(ctx, snap)
    if snap.status == ProposalStatus.APPROVED:
        try:
            await ctx.port.post(
                channel=ChannelRole.APPROVED,
                message=approved_post(snap, config=ctx.services.config),
            )
        except Exception:
            log.exception("posting approved proposal %s failed", snap.id)
    await tell_proposer(ctx, snap)
