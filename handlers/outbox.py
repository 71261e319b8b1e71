"""Messages postgate owes, sent once each: the outbound half of handlers/delivery.py.

A change records what it owes (`owe`, `owe_decision`) in its own transaction: the
review card of a revision, the card's updates, an earlier card marked superseded,
postgate's hint reactions, the approved post, the proposer's notice, and a link to a
revision's new card for its proposer. The handler
then tries them at once (`send`); what fails waits for the sender loop
(bot/sender.py), which retries each message on its own schedule: doubling waits, or
the platform's Retry-After, across restarts, since the rows are in the database.

At most once as people see it: each attempt is counted before it starts, and a
retry asks the platform for the earlier attempt first (`SendKey`). A card's
message id is stored in the transaction that marks the card sent, and only then are
its reactions owed. Cards are rendered when sent, so a card always shows the
proposal as it is, and an approved card says it is being posted until the post is
out.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.messages import Message, Tone
from handlers.port import ChannelRole, Group, MessageRef, PlatformError, SendKey
from handlers.proposals.board import card_ref
from handlers.proposals.cards import approved_post, review_card, superseded_card
from handlers.proposals.feedback import decision_notice, new_card_notice
from storage import outbox as store
from storage import proposals as repo
from storage.db import REFUSED_WRITES, refuses_writes
from storage.models import AuditKind, OutboxKind, ProposalStatus, VoteKind
from storage.outbox import Owed
from storage.proposals import ProposalSnapshot

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=5)
# The handler that owes a message sends it at once; the loop takes it after this long
# only if that did not happen (the process stopped in between).
HANDLER_GRACE = timedelta(seconds=10)
# A message is leased to one attempt this long: past any answer the platform can
# still give (a 30 s timeout, a few Retry-After waits).
LEASE = timedelta(minutes=5)
REPORT_AFTER = timedelta(hours=1)

WHAT = {
    OutboxKind.CARD: "review card",
    OutboxKind.CARD_UPDATE: "card update",
    OutboxKind.SUPERSEDED: "old card's update",
    OutboxKind.REACTION: "reaction on the card",
    OutboxKind.APPROVED_POST: "approved post",
    OutboxKind.NOTICE: "notice to the proposer",
    OutboxKind.NEW_CARD: "link to the new card for the proposer",
}


class _NotYet(Exception):
    """The message waits for another (a card update for the card itself)."""


def owe(
    session: AsyncSession,
    ctx: Context,
    *,
    proposal_id: int,
    kind: OutboxKind,
    revision: int = 0,
    detail: str = "",
    ref: MessageRef | None = None,
) -> None:
    store.owe(
        session,
        workspace=ctx.workspace,
        proposal_id=proposal_id,
        kind=kind,
        revision=revision,
        now=ctx.services.clock.now() + HANDLER_GRACE,
        detail=detail,
        channel=None if ref is None else ref.channel,
        message_id=None if ref is None else ref.message_id,
    )


def owe_decision(
    session: AsyncSession, ctx: Context, *, proposal_id: int, status: ProposalStatus
) -> None:
    """A decision (or a request for changes): the card says so, an approved post goes
    out, and the proposer is told (once the approved post is out, when approved)."""
    owe(session, ctx, proposal_id=proposal_id, kind=OutboxKind.CARD_UPDATE)
    if status == ProposalStatus.APPROVED:
        owe(session, ctx, proposal_id=proposal_id, kind=OutboxKind.APPROVED_POST)
    else:
        owe(session, ctx, proposal_id=proposal_id, kind=OutboxKind.NOTICE, detail=str(status))


async def send(ctx: Context, *, proposal_id: int) -> None:
    """Try now what is owed about one proposal, and what sending it owes in turn."""
    tried: set[int] = set()
    while True:
        soon = ctx.services.clock.now() + HANDLER_GRACE
        async with ctx.services.db.session() as session:
            ids = await store.due(
                session, workspace=ctx.workspace, now=soon, proposal_id=proposal_id
            )
        fresh = [i for i in ids if i not in tried]
        if not fresh:
            return
        for row_id in fresh:
            tried.add(row_id)
            await send_one(ctx, row_id)


async def send_one(ctx: Context, row_id: int) -> bool:
    """One attempt at one owed message; True when this attempt sent it."""
    sending = ctx.services.sending
    if row_id in sending:
        return False
    sending.add(row_id)
    try:
        return await _attempt(ctx, row_id)
    finally:
        sending.discard(row_id)


async def _attempt(ctx: Context, row_id: int) -> bool:
    services = ctx.services
    owed: Owed | None = None
    try:
        async with services.db.transaction() as session:
            now = services.clock.now()
            owed = await store.claim(
                session, row_id=row_id, due_by=now + HANDLER_GRACE, lease_until=now + LEASE
            )
        if owed is None:  # sent, or being sent by another
            return False
        await _deliver(ctx, owed)
        return True
    except _NotYet:
        wait, error = FIRST_RETRY, "waiting for the card"
    except PlatformError as exc:
        wait = _backoff(owed)
        if exc.retry_after is not None:
            wait = max(wait, timedelta(seconds=exc.retry_after))
        error = str(exc)
        log.warning("outbox %s (%s): %s; trying again in %s", row_id, _what(owed), exc, wait)
    except Exception as exc:  # a database or network failure: the row is tried again
        # Only the kind: such messages may carry SQL or member text.
        wait = _backoff(owed)
        error = REFUSED_WRITES if refuses_writes(exc) else type(exc).__name__
        log.error("outbox %s (%s) failed: %s; trying again in %s", row_id, _what(owed), error, wait)
    try:
        async with services.db.transaction() as session:
            await store.put_off(
                session, row_id=row_id, until=services.clock.now() + wait, error=error
            )
    except Exception as exc:  # the row stays due; the loop tries it again
        log.error("outbox %s: could not schedule a retry: %s", row_id, type(exc).__name__)
    return False


def _backoff(owed: Owed | None) -> timedelta:
    attempts = 0 if owed is None else owed.attempts
    wait: timedelta = FIRST_RETRY * 2 ** min(attempts, 16)
    return min(wait, LONGEST_WAIT)


def _what(owed: Owed | None) -> str:
    if owed is None:
        return "a message"
    return f"proposal {owed.proposal_id}'s {WHAT[owed.kind]}"


def _key(owed: Owed) -> SendKey:
    return SendKey(value=f"postgate-{owed.id}", retry=owed.attempts > 0)


async def _deliver(ctx: Context, owed: Owed) -> None:
    if owed.kind not in (OutboxKind.CARD, OutboxKind.CARD_UPDATE):
        snap, _published, _card_waits = await _state(ctx, owed)
        return await _done(ctx, owed) if snap is None else await _send(ctx, owed, snap)
    # One change of a card at a time, read inside the guard, so an older picture of
    # the proposal never lands last.
    guard = ("card", owed.proposal_id)
    if guard in ctx.services.sending:
        raise _NotYet
    ctx.services.sending.add(guard)
    try:
        snap, published, card_waits = await _state(ctx, owed)
        if snap is None or (owed.kind == OutboxKind.CARD and snap.revision != owed.revision):
            return await _done(ctx, owed)  # gone, or revised before its card went up
        if owed.kind == OutboxKind.CARD:
            ref = await ctx.port.post(
                channel=ChannelRole.REVIEW, message=_card(ctx, snap, published), key=_key(owed)
            )
            return await _card_up(ctx, owed, snap, ref)
        card = card_ref(snap)
        if card is None and card_waits:
            raise _NotYet
        if card is not None:
            await ctx.port.update(ref=card, message=_card(ctx, snap, published))
        return await _done(ctx, owed)
    finally:
        ctx.services.sending.discard(guard)


async def _state(ctx: Context, owed: Owed) -> tuple[ProposalSnapshot | None, bool, bool]:
    """The proposal now; whether its approved post is out; whether a card is owed."""
    async with ctx.services.db.session() as session:
        snap = await repo.snapshot(session, workspace=ctx.workspace, proposal_id=owed.proposal_id)
        published = await store.has(
            session, proposal_id=owed.proposal_id, kind=OutboxKind.APPROVED_POST, sent=True
        )
        card_waits = await store.has(
            session, proposal_id=owed.proposal_id, kind=OutboxKind.CARD, sent=False
        )
    return snap, published, card_waits


async def _send(ctx: Context, owed: Owed, snap: ProposalSnapshot) -> None:
    """The messages that are not the card itself."""
    port = ctx.port
    if owed.kind == OutboxKind.APPROVED_POST:
        message = approved_post(snap, config=ctx.services.config)
        ref = await port.post(channel=ChannelRole.APPROVED, message=message, key=_key(owed))
        async with ctx.services.db.transaction() as session:
            await _mark_sent(session, ctx, owed, ref)
            owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.CARD_UPDATE)
            owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.NOTICE, detail=snap.status)
        return None
    if owed.kind == OutboxKind.NOTICE:
        told = replace(snap, status=ProposalStatus(owed.detail))
        await port.notify(
            user_id=snap.author_id,
            message=decision_notice(told, config=ctx.services.config),
            about=card_ref(snap),
            key=_key(owed),
        )
        return await _done(ctx, owed)
    ref = MessageRef(channel=owed.channel or "", message_id=owed.message_id or "")
    if owed.kind == OutboxKind.NEW_CARD:
        if snap.revision == owed.revision:  # else a newer card has a notice of its own
            await port.notify(
                user_id=snap.author_id,
                message=new_card_notice(snap, link=port.link(ref)),
                about=ref,
                key=_key(owed),
            )
        return await _done(ctx, owed)
    if owed.kind == OutboxKind.SUPERSEDED:
        await port.update(ref=ref, message=superseded_card(snap, revision=owed.revision))
    else:
        await port.react(ref=ref, emoji=owed.detail)
    return await _done(ctx, owed)


async def _card_up(ctx: Context, owed: Owed, snap: ProposalSnapshot, ref: MessageRef) -> None:
    """The card is posted: remember where, in the transaction that marks it sent, and
    only then owe its reactions; a card that lost a race with a revision is marked
    superseded at once."""
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        await _mark_sent(session, ctx, owed, ref)
        if not await repo.set_card(
            session,
            proposal_id=snap.id,
            revision=owed.revision,
            channel=ref.channel,
            message_id=ref.message_id,
            now=now,
        ):
            current = await repo.snapshot(session, workspace=ctx.workspace, proposal_id=snap.id)
            revision = owed.revision + 1 if current is None else current.revision
            owe(
                session,
                ctx,
                proposal_id=snap.id,
                kind=OutboxKind.SUPERSEDED,
                revision=revision,
                ref=ref,
            )
            return
        where = {"channel": ref.channel, "message_id": ref.message_id, "revision": owed.revision}
        ctx.audit(session, AuditKind.POSTED_FOR_REVIEW, at=now, proposal_id=snap.id, detail=where)
        for vote in VoteKind:
            hint = ctx.services.config.hint_emoji(vote)
            owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.REACTION, detail=hint, ref=ref)
        if owed.revision > 1:  # a revision's fresh card: its proposer is told where it is
            owe(
                session,
                ctx,
                proposal_id=snap.id,
                kind=OutboxKind.NEW_CARD,
                revision=owed.revision,
                ref=ref,
            )


async def _done(ctx: Context, owed: Owed) -> None:
    async with ctx.services.db.transaction() as session:
        await _mark_sent(session, ctx, owed, None)


async def _mark_sent(
    session: AsyncSession, ctx: Context, owed: Owed, ref: MessageRef | None
) -> None:
    await store.mark_sent(
        session,
        row_id=owed.id,
        now=ctx.services.clock.now(),
        channel=None if ref is None else ref.channel,
        message_id=None if ref is None else ref.message_id,
    )


def _card(ctx: Context, snap: ProposalSnapshot, published: bool) -> Message:
    editors = ctx.port.members_of(Group.EDITORS)
    return review_card(snap, config=ctx.services.config, editors=editors, published=published)


async def report_undelivered(ctx: Context) -> None:
    """Tell the editors, once, of messages that could not go out for an hour."""
    now = ctx.services.clock.now()
    async with ctx.services.db.session() as session:
        stuck = await store.undelivered(
            session, workspace=ctx.workspace, since=now - REPORT_AFTER, unreported=True
        )
    if not stuck:
        return
    lines = [f"proposal {o.proposal_id}: its {WHAT[o.kind]}" for o in stuck]
    log.error("%d owed messages not delivered within %s", len(stuck), REPORT_AFTER)
    message = Message(
        title="postgate could not deliver some messages for over an hour",
        body="It keeps trying. Still waiting to go out:\n" + "\n".join(lines[:20]),
        footer="/propose queue shows what is still waiting.",
        tone=Tone.WARNING,
    )
    try:
        await ctx.port.post(channel=ChannelRole.REVIEW, message=message)
    except PlatformError as exc:
        log.warning("telling the editors of undelivered messages failed: %s", exc)
        return
    async with ctx.services.db.transaction() as session:
        await store.mark_reported(session, ids=[o.id for o in stuck], now=now)
