"""Editors decide with reactions on the review card.

Only editors count, never the proposer on their own post; other reactions are
ignored. Exactly-once lives in the database: a redelivery is dropped by its
key (`handlers.delivery`), a repeated vote by the votes' unique key, and the
decision by a guarded status change that only one transaction can win (see
storage/proposals.py). Platform effects run after the commit.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import outbox
from handlers.context import Context, WorkflowConfig
from handlers.emoji import emoji_name
from handlers.events import Actor, ReactionEvent
from handlers.proposals.cards import approvals_needed
from handlers.proposals.moves import move_and_record
from storage import proposals as repo
from storage.models import AuditKind, OutboxKind, ProposalStatus, VoteKind
from storage.proposals import ProposalSnapshot


def vote_kind(emoji: str, config: WorkflowConfig) -> VoteKind | None:
    """Both sides normalised alike: `thumbsup`, `:+1:` and `👍` are one emoji."""
    name = emoji_name(emoji)
    return next(
        (k for k in VoteKind if any(emoji_name(e) == name for e in config.emoji_for(k))), None
    )


async def _resolve(event: ReactionEvent, ctx: Context) -> int | None:
    if event.proposal_id is not None:
        return event.proposal_id
    if event.message is None:
        return None
    async with ctx.services.db.session() as session:
        return await repo.find_id_by_card(
            session,
            workspace=ctx.workspace,
            channel=event.message.channel,
            message_id=event.message.message_id,
        )


async def _decide(
    session: AsyncSession,
    ctx: Context,
    *,
    snap: ProposalSnapshot,
    kind: VoteKind,
    actor: Actor,
) -> ProposalStatus | None:
    """Apply the vote just cast; the status it moved the proposal to (one winner only)."""
    now = ctx.services.clock.now()
    if kind == VoteKind.APPROVE:
        approvers = await repo.voters(
            session, proposal_id=snap.id, revision=snap.revision, kind=VoteKind.APPROVE
        )
        if len(approvers) < approvals_needed(snap, ctx.services.config):
            return None
        names = [name for _id, name in approvers]
        target, event_kind = (
            ProposalStatus.APPROVED,
            AuditKind.OVERRULED if snap.overrule else AuditKind.APPROVED,
        )
    elif kind == VoteKind.REJECT:
        names = [actor.name]
        target, event_kind = ProposalStatus.REJECTED, AuditKind.REJECTED
    else:
        names = [actor.name]
        target, event_kind = ProposalStatus.CHANGES_REQUESTED, AuditKind.CHANGES_REQUESTED
    final = target != ProposalStatus.CHANGES_REQUESTED
    moved = await move_and_record(
        session,
        ctx,
        proposal_id=snap.id,
        from_statuses=[ProposalStatus.PENDING],
        to_status=target,
        now=now,
        decided=final,
        decided_by=", ".join(names),
        event=event_kind,
        actor=actor,
        detail={"by": names, "revision": snap.revision},
    )
    return target if moved else None


async def _withdraw_vote(
    session: AsyncSession, ctx: Context, *, snap: ProposalSnapshot, kind: VoteKind, actor: Actor
) -> bool:
    """Take a vote back; the last request for changes taken back reopens the review."""
    removed = await repo.remove_vote(
        session, proposal_id=snap.id, revision=snap.revision, voter_id=actor.id, kind=kind
    )
    if not removed:
        return False
    if kind == VoteKind.CHANGES and snap.status == ProposalStatus.CHANGES_REQUESTED:
        others = await repo.voters(
            session, proposal_id=snap.id, revision=snap.revision, kind=VoteKind.CHANGES
        )
        if not others:
            await repo.transition(
                session,
                proposal_id=snap.id,
                from_statuses=[ProposalStatus.CHANGES_REQUESTED],
                to_status=ProposalStatus.PENDING,
                now=ctx.services.clock.now(),
            )
    return True


async def handle_reaction(event: ReactionEvent, ctx: Context) -> None:
    """A reaction added or removed anywhere; only editors' votes on open cards count."""
    config = ctx.services.config
    kind = vote_kind(event.emoji, config)
    if kind is None or not event.actor.is_editor:
        return
    proposal_id = await _resolve(event, ctx)
    if proposal_id is None:
        return
    now = ctx.services.clock.now()
    # A vote counts while the card waits; taking one back also while changes are asked for.
    open_for = [ProposalStatus.PENDING]
    if not event.added:
        open_for.append(ProposalStatus.CHANGES_REQUESTED)
    async with ctx.services.db.transaction() as session:
        if not await repo.lock_open(
            session, workspace=ctx.workspace, proposal_id=proposal_id, statuses=open_for, now=now
        ):
            return
        snap = await repo.snapshot(session, workspace=ctx.workspace, proposal_id=proposal_id)
        if snap is None or snap.author_id == event.actor.id:
            return
        if event.added:
            if not await repo.add_vote(
                session,
                proposal_id=snap.id,
                revision=snap.revision,
                voter_id=event.actor.id,
                voter_name=event.actor.name,
                kind=kind,
                now=now,
            ):
                return
        elif not await _withdraw_vote(session, ctx, snap=snap, kind=kind, actor=event.actor):
            return
        ctx.audit(
            session,
            AuditKind.VOTE_ADDED if event.added else AuditKind.VOTE_WITHDRAWN,
            at=now,
            actor=event.actor,
            proposal_id=snap.id,
            detail={"vote": str(kind), "revision": snap.revision}
            | ({"counted": "on reconnect"} if event.on_reconnect else {}),
        )
        decided = (
            await _decide(session, ctx, snap=snap, kind=kind, actor=event.actor)
            if event.added
            else None
        )
        if decided is None:
            outbox.owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.CARD_UPDATE)
        else:
            outbox.owe_decision(session, ctx, proposal_id=snap.id, status=decided)
    await outbox.send(ctx, proposal_id=proposal_id)
