"""`/propose`: send a draft to the editors, and edit, withdraw, overrule or look at it.

Bad input gets a kind, specific reply and changes nothing. A draft is stored
with its findings and audit events in one transaction before anything is
posted, so a crash after the acknowledgement never loses it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import outbox
from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand, usage_lines
from handlers.context import Context
from handlers.events import Actor, Invocation, Reply, Role
from handlers.proposals import board, feedback
from handlers.proposals.checking import CheckResult, check_draft
from handlers.proposals.moves import move_and_record
from handlers.proposals.queue import editors_queue
from handlers.proposals.visible import has_visible_text
from storage import proposals as repo
from storage.models import OPEN_STATUSES, AuditKind, OutboxKind, ProposalStatus
from storage.proposals import ProposalSnapshot

_MAX_ID = 2**31 - 1


def _status_for(result: CheckResult) -> ProposalStatus:
    return ProposalStatus.BLOCKED if result.verdict == "block" else ProposalStatus.PENDING


def _record_revision(
    session: AsyncSession,
    ctx: Context,
    *,
    proposal_id: int,
    revision: int,
    made: AuditKind,
    result: CheckResult,
    actor: Actor,
    now: datetime,
) -> None:
    """A new revision's two events: who made it (`made`: proposed or revised), and its check."""
    for kind, detail in (
        (made, {"revision": revision}),
        (AuditKind.CHECKED, result.audit_detail(revision)),
    ):
        ctx.audit(session, kind, at=now, actor=actor, proposal_id=proposal_id, detail=detail)


async def _new(call: Call, ctx: Context) -> Reply:
    inv, draft = call.invocation, call.text("text")
    if not has_visible_text(draft):  # only invisible characters: nothing to check
        return feedback.problem(feedback.EMPTY_DRAFT, footer=usage_lines(PROPOSE))
    if len(draft) > feedback.MAX_LENGTH:
        return feedback.too_long(len(draft))
    result = check_draft(ctx.services.checker, draft)
    now = ctx.services.clock.now()
    actor = inv.actor
    async with ctx.services.db.transaction() as session:
        proposal_id = await repo.create_proposal(
            session,
            workspace=ctx.workspace,
            author_id=actor.id,
            author_name=actor.name,
            text=draft,
            verdict=result.verdict,
            findings=result.findings,
            status=_status_for(result),
            origin_channel=inv.channel,
            now=now,
        )
        _record_revision(
            session,
            ctx,
            proposal_id=proposal_id,
            revision=1,
            made=AuditKind.PROPOSED,
            result=result,
            actor=actor,
            now=now,
        )
        if result.verdict != "block":
            outbox.owe(session, ctx, proposal_id=proposal_id, kind=OutboxKind.CARD, revision=1)
    snap = await _load(ctx, proposal_id)
    if snap.status == ProposalStatus.BLOCKED:
        return feedback.blocked(snap, overrule_approvals=ctx.services.config.overrule_approvals)
    snap = await _sent(ctx, proposal_id)
    return feedback.acknowledged(snap, posted=board.card_ref(snap) is not None)


async def _sent(ctx: Context, proposal_id: int) -> ProposalSnapshot:
    """Send what the change just committed owes, then the proposal as it is now."""
    await outbox.send(ctx, proposal_id=proposal_id)
    return await _load(ctx, proposal_id)


async def _load(ctx: Context, proposal_id: int) -> ProposalSnapshot:
    snap = await board.load(ctx, proposal_id)
    if snap is None:  # just written in this workspace: only a deleted row gets here
        raise LookupError(f"proposal {proposal_id} vanished")
    return snap


async def _numbered(ctx: Context, *, number: int | None) -> ProposalSnapshot | Reply:
    """Proposal N of this workspace, or the reply saying there is none."""
    if number is None or number > _MAX_ID or number < 1:
        return feedback.unknown_proposal("?" if number is None else str(number))
    snap = await board.load(ctx, number)
    if snap is None:
        return feedback.unknown_proposal(str(number))
    return snap


async def _own(call: Call, ctx: Context, action: str) -> ProposalSnapshot | Reply:
    """The caller's own proposal N, or the reply saying why not."""
    inv = call.invocation
    snap = await _numbered(ctx, number=call.number("number"))
    if isinstance(snap, Reply):
        return snap
    if snap.author_id != inv.actor.id:
        return feedback.not_yours(snap.id, action)
    return snap


async def _revise(
    session: AsyncSession,
    inv: Invocation,
    ctx: Context,
    snap: ProposalSnapshot,
    *,
    draft: str,
    result: CheckResult,
    now: datetime,
) -> int | None:
    """Add the edited text as the next revision, with its audit events; None when the
    proposal moved on meanwhile."""
    number = await repo.add_revision(
        session,
        proposal_id=snap.id,
        expected_revision=snap.revision,
        text=draft,
        verdict=result.verdict,
        findings=result.findings,
        status=_status_for(result),
        now=now,
    )
    if number is None:
        return None
    # Read after the revision is written (its row is locked now): a card that went up
    # since `snap` was read is superseded too.
    now_snap = await repo.snapshot(session, workspace=ctx.workspace, proposal_id=snap.id)
    old_card = None if now_snap is None else board.card_ref(now_snap)
    if old_card is not None:  # a fresh card per revision: votes on the old one stop counting
        await repo.set_card(
            session, proposal_id=snap.id, revision=number, channel=None, message_id=None, now=now
        )
        outbox.owe(
            session,
            ctx,
            proposal_id=snap.id,
            kind=OutboxKind.SUPERSEDED,
            revision=number,
            ref=old_card,
        )
    if result.verdict != "block":
        outbox.owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.CARD, revision=number)
    _record_revision(
        session,
        ctx,
        proposal_id=snap.id,
        revision=number,
        made=AuditKind.REVISED,
        result=result,
        actor=inv.actor,
        now=now,
    )
    return number


async def _edit(call: Call, ctx: Context) -> Reply:
    inv, draft = call.invocation, call.text("text")
    snap = await _own(call, ctx, "edit")
    if isinstance(snap, Reply):
        return snap
    if not has_visible_text(draft):
        return feedback.problem(
            f"Put the new text after the number: /propose edit {snap.id} NEW TEXT. "
            "Nothing was changed."
        )
    if len(draft) > feedback.MAX_LENGTH:
        return feedback.too_long(len(draft))
    if not snap.status.is_open:
        return feedback.wrong_state(snap, "edited")
    result = check_draft(ctx.services.checker, draft)
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        number_now = await _revise(session, inv, ctx, snap, draft=draft, result=result, now=now)
    if number_now is None:
        return feedback.problem(
            f"Proposal {snap.id} changed while you were editing it (an editor may have just "
            f"decided it). Type /propose status {snap.id} to see where it is; nothing was "
            "changed."
        )
    snap = await _sent(ctx, snap.id)
    return feedback.revised(
        snap,
        posted=board.card_ref(snap) is not None,
        overrule_approvals=ctx.services.config.overrule_approvals,
    )


async def _withdraw(call: Call, ctx: Context) -> Reply:
    inv = call.invocation
    snap = await _own(call, ctx, "withdraw")
    if isinstance(snap, Reply):
        return snap
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        moved = await move_and_record(
            session,
            ctx,
            proposal_id=snap.id,
            from_statuses=OPEN_STATUSES,
            to_status=ProposalStatus.WITHDRAWN,
            now=now,
            decided=True,
            decided_by=inv.actor.name,
            event=AuditKind.WITHDRAWN,
            actor=inv.actor,
            detail={"by": [inv.actor.name], "revision": snap.revision},
        )
        if moved:
            outbox.owe(session, ctx, proposal_id=snap.id, kind=OutboxKind.CARD_UPDATE)
    snap = await _sent(ctx, snap.id)
    if not moved:
        if snap.status == ProposalStatus.WITHDRAWN:
            return feedback.problem(f"Proposal {snap.id} is already withdrawn.")
        return feedback.wrong_state(snap, "withdrawn")
    return feedback.withdrawn(snap)


async def _overrule(call: Call, ctx: Context) -> Reply:
    inv = call.invocation
    snap = await _own(call, ctx, "ask to overrule")
    if isinstance(snap, Reply):
        return snap
    if snap.status != ProposalStatus.BLOCKED:
        if snap.status.is_open and snap.overrule:
            return feedback.problem(
                f"Proposal {snap.id} is already with the editors as an overrule of the "
                "checker's block. Type /propose status "
                f"{snap.id} to see where it is."
            )
        if snap.status.is_open:
            return feedback.problem(
                f"Proposal {snap.id} was not blocked by the checker, so there is nothing to "
                "overrule: it is already with the editors."
            )
        return feedback.wrong_state(snap, "sent for an overrule")
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        moved = await move_and_record(
            session,
            ctx,
            proposal_id=snap.id,
            from_statuses=[ProposalStatus.BLOCKED],
            to_status=ProposalStatus.PENDING,
            now=now,
            overrule=True,
            event=AuditKind.OVERRULE_REQUESTED,
            actor=inv.actor,
            detail={"revision": snap.revision},
        )
        if moved:
            outbox.owe(
                session, ctx, proposal_id=snap.id, kind=OutboxKind.CARD, revision=snap.revision
            )
    snap = await _sent(ctx, snap.id)
    if not moved:
        return feedback.wrong_state(snap, "sent for an overrule")
    return feedback.overrule_requested(
        snap,
        needed=ctx.services.config.overrule_approvals,
        posted=board.card_ref(snap) is not None,
    )


async def _status(call: Call, ctx: Context) -> Reply:
    inv, number = call.invocation, call.number("number")
    config = ctx.services.config
    if number is None:
        async with ctx.services.db.session() as session:
            mine = await repo.list_proposals(
                session, workspace=ctx.workspace, author_id=inv.actor.id, limit=20
            )
        return feedback.status_list(mine, config=config)
    snap = await _numbered(ctx, number=number)
    if isinstance(snap, Reply):
        return snap
    if snap.author_id != inv.actor.id and not inv.actor.is_editor:
        return feedback.not_yours(snap.id, "see")
    return feedback.status_one(snap, config=config)


_NUMBER = Arg(
    name="number",
    shown="N",
    kind=ArgKind.NUMBER,
    description="the proposal's number",
    problem=(
        "{command} needs the proposal's number, for example {command} 3. "
        "Type /propose status to see your proposals."
    ),
)


_TEXT = Arg(
    name="text", shown="TEXT", kind=ArgKind.TEXT, description="text", problem=feedback.EMPTY_DRAFT
)


PROPOSE = Command(
    name="propose",
    summary="Send a draft post to the editors for approval (and edit, withdraw or check it)",
    subcommands=(
        Subcommand(
            name="new",
            summary="sends a draft to the editors",
            handler=_new,
            args=(_TEXT,),
            keyword=False,
            roles=frozenset({Role.PROPOSER}),
            refusal=feedback.NOT_A_PROPOSER,
        ),
        Subcommand(
            name="edit",
            summary="replaces the text of your proposal N",
            handler=_edit,
            meant_by=("change", "update", "fix", "amend", "rewrite", "replace"),
            args=(_NUMBER, replace(_TEXT, problem="Put the new text after the number: {usage}.")),
        ),
        Subcommand(
            name="withdraw",
            summary="takes your proposal N back",
            handler=_withdraw,
            args=(_NUMBER,),
            meant_by=("cancel", "delete", "remove", "undo", "retract", "unsend", "revoke", "stop"),
        ),
        Subcommand(
            name="overrule",
            summary="asks the editors to approve a blocked proposal anyway",
            handler=_overrule,
            args=(_NUMBER,),
            meant_by=("override", "unblock", "appeal"),
        ),
        Subcommand(
            name="status",
            summary="shows your proposals, or proposal N in full",
            handler=_status,
            args=(replace(_NUMBER, shown="[N]", optional=True),),
            meant_by=("list", "show", "mine", "check", "view", "see", "find", "get"),
        ),
        Subcommand(
            name="queue",
            summary="lists what waits for the editors' decision, oldest first (editors)",
            handler=editors_queue,
            meant_by=("pending", "waiting"),
            roles=frozenset({Role.EDITOR}),
            refusal=feedback.QUEUE_IS_FOR_EDITORS,
        ),
    ),
    plain="new",
    number_means="status",
    prose=True,
    arg_description="your draft post, or edit N / withdraw N / overrule N / status N",
    opens_form_when_empty=True,
    not_here={
        word: "Editors approve or reject a proposal by reacting to its card in the review "
        "channel; /propose status N shows where it is."
        for word in ("approve", "reject", "accept", "decline")
    },
)
