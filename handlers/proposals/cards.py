"""The review card, and the post that goes to the approved channel.

Member text only ever goes into plain strings or `Message.quote`; the only
mentions are the editors named on purpose.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import WorkflowConfig
from handlers.emoji import emoji_char
from handlers.messages import Mention, Message, MessageField, Text, Tone, joined, text
from storage.models import ProposalStatus, VoteKind
from storage.proposals import ProposalSnapshot, StoredFinding

MAX_SPAN = 80


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def shown_emoji(config: WorkflowConfig, kind: VoteKind) -> str:
    """The emoji to suggest for a vote, as the character and its name."""
    name = config.hint_emoji(kind)
    return f"{emoji_char(name)} (:{name}:)"


def approvals_needed(snap: ProposalSnapshot, config: WorkflowConfig) -> int:
    return config.overrule_approvals if snap.overrule else config.approvals_required


def when(moment: datetime, config: WorkflowConfig) -> str:
    local = moment.astimezone(config.timezone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def span_text(snap_text: str, finding: StoredFinding) -> str:
    span = snap_text[finding.start : finding.end].replace("\n", " ").strip()
    if len(span) > MAX_SPAN:
        span = span[: MAX_SPAN - 1] + "\u2026"
    return span


def finding_fields(snap: ProposalSnapshot) -> tuple[MessageField, ...]:
    """One field per finding: what, where, why, and the guidance to read."""
    fields: list[MessageField] = []
    labels = {"block": "Blocked", "warn": "Check this", "info": "Tip"}
    for f in snap.findings:
        span = span_text(snap.text, f)
        where = f'"{span}": ' if span else ""
        advice = f" Suggestion: {f.suggestion}" if f.suggestion else ""
        fields.append(
            MessageField(
                name=f"{labels.get(f.severity, 'Note')} ({f.rule})",
                value=f"{where}{f.message}{advice} (see /guidance {f.guidance})",
            )
        )
    return tuple(fields)


def checker_summary(snap: ProposalSnapshot) -> str:
    if snap.verdict == "block":
        return "The checker BLOCKED this draft: it breaks the guidance as written."
    if snap.verdict == "warn":
        return (
            f"The checker found {plural(len(snap.findings), 'thing')} to look at before "
            "approving (below)."
        )
    if snap.findings:
        return "The checker found no problems; it has a tip or two (below)."
    return "The checker found no problems."


def _state_line(snap: ProposalSnapshot, config: WorkflowConfig, *, published: bool) -> str:
    needed = approvals_needed(snap, config)
    approvers = snap.voters(VoteKind.APPROVE)
    status = snap.status
    if status == ProposalStatus.PENDING:
        so_far = f" So far: {', '.join(approvers)}." if approvers else ""
        return f"Waiting for {plural(needed, 'editor approval')}.{so_far}"
    if status == ProposalStatus.CHANGES_REQUESTED:
        return (
            f"Changes requested by {', '.join(snap.voters(VoteKind.CHANGES)) or 'an editor'}. "
            f"Waiting for "
            f"{snap.author_name} to edit it; votes start again on the new version."
        )
    if status == ProposalStatus.APPROVED:
        how = "Overruled the checker and approved" if snap.overrule else "Approved"
        where = (
            "Sent to the approved channel."
            if published
            else "Posting it to the approved channel\u2026"
        )
        return f"{how} by {snap.decided_by or 'the editors'}. {where}"
    if status == ProposalStatus.REJECTED:
        return f"Rejected by {snap.decided_by or 'an editor'}."
    if status == ProposalStatus.WITHDRAWN:
        return f"Withdrawn by {snap.author_name}."
    if status == ProposalStatus.EXPIRED:
        return (
            f"Expired: no decision within {plural(config.expire_days, 'day')}. "
            "It was not rejected; it can be proposed again."
        )
    return f"Off the review list while {snap.author_name} revises it (the new draft was blocked)."


def _title(snap: ProposalSnapshot) -> str:
    base = f"Proposal {snap.id} from {snap.author_name}"
    endings = {
        ProposalStatus.PENDING: (
            "BLOCKED by the checker, editors asked to overrule"
            if snap.overrule
            else "waiting for an editor"
        ),
        ProposalStatus.CHANGES_REQUESTED: "changes requested",
        ProposalStatus.APPROVED: "APPROVED",
        ProposalStatus.REJECTED: "rejected",
        ProposalStatus.WITHDRAWN: "withdrawn",
        ProposalStatus.EXPIRED: "expired",
        ProposalStatus.BLOCKED: "being revised",
    }
    return f"{base}: {endings[snap.status]}"


def _tone(snap: ProposalSnapshot) -> Tone:
    if snap.status == ProposalStatus.APPROVED:
        return Tone.SUCCESS
    if snap.status == ProposalStatus.REJECTED or (
        snap.overrule and snap.status == ProposalStatus.PENDING
    ):
        return Tone.DANGER
    if snap.status == ProposalStatus.PENDING:
        return Tone.WARNING if snap.verdict == "warn" else Tone.INFO
    return Tone.NEUTRAL


def how_to_decide(snap: ProposalSnapshot, config: WorkflowConfig) -> str:
    approve = shown_emoji(config, VoteKind.APPROVE)
    reject = shown_emoji(config, VoteKind.REJECT)
    changes = shown_emoji(config, VoteKind.CHANGES)
    needed = approvals_needed(snap, config)
    again = (
        f" This is version {snap.revision}: reactions on an earlier version no longer "
        "count, so take an old reaction away and react again."
        if snap.revision > 1
        else ""
    )
    return (
        f"React {approve} to approve ({plural(needed, 'approval')} needed), {reject} to "
        f"reject, {changes} to ask {snap.author_name} for changes. Take your reaction "
        f"away to take your vote back.{again}"
    )


def review_card(
    snap: ProposalSnapshot,
    *,
    config: WorkflowConfig,
    editors: tuple[Mention, ...],
    published: bool = False,
) -> Message:
    """The card editors react to; rebuilt from the stored state on every change.
    `published`: an approved post is out in the approved channel."""
    deciders: Text = (
        joined(editors) if editors else ("the editors (no editor is set up yet: ask an admin)",)
    )
    fields: list[MessageField] = []
    fields.append(MessageField("Checker", checker_summary(snap)))
    fields.extend(finding_fields(snap))
    if snap.status == ProposalStatus.PENDING:
        fields.append(
            MessageField("Who decides", text(deciders, " (other people's reactions don't count)"))
        )
        fields.append(MessageField("How to decide", how_to_decide(snap, config)))
    fields.append(MessageField("State", _state_line(snap, config, published=published)))
    body = (
        f"{snap.author_name} asks the editors to BREAK the checker's block and approve this "
        "post. Read the reasons below first."
        if snap.overrule and snap.status == ProposalStatus.PENDING
        else f"{snap.author_name} would like to post this:"
    )
    return Message(
        title=_title(snap),
        body=body,
        quote=snap.text,
        fields=tuple(fields),
        footer=(
            f"Proposal {snap.id}, version {snap.revision}, proposed {when(snap.created_at, config)}"
        ),
        tone=_tone(snap),
    )


def superseded_card(snap: ProposalSnapshot, *, revision: int) -> Message:
    """What an earlier version's card becomes once version `revision` replaces it."""
    if snap.revision == revision and snap.status == ProposalStatus.BLOCKED:
        where = (
            "The checker blocked that version, so it is not on review: there is no newer "
            "card unless it is changed again or sent as an overrule."
        )
    else:
        where = "Each version the editors are to decide gets a card of its own, further down."
    return Message(
        title=f"Proposal {snap.id} from {snap.author_name}: superseded by revision {revision}",
        body=(
            f"{snap.author_name} changed this proposal to version {revision}. Reactions here "
            f"no longer count. {where}"
        ),
        footer=f"Proposal {snap.id}, an earlier version",
        tone=Tone.NEUTRAL,
    )


def approved_post(snap: ProposalSnapshot, *, config: WorkflowConfig) -> Message:
    """What goes to the approved channel: the exact approved text, ready to publish."""
    fields: list[MessageField] = [
        MessageField(
            "Approved by",
            f"{snap.decided_by or 'the editors'}"
            + (" (overruling the checker's block)" if snap.overrule else ""),
        )
    ]
    imprint = next((f for f in snap.findings if f.rule == "imprint"), None)
    if imprint is not None:
        fields.append(
            MessageField(
                "Before you publish: add the imprint",
                "This looks like election material, so the law needs a digital imprint: "
                '"Promoted by NAME on behalf of PARTY, both at ADDRESS". Put it in the post, '
                f"or in the account bio if it does not fit (see /guidance {imprint.guidance}).",
            )
        )
    return Message(
        title=f"Ready to publish: proposal {snap.id} from {snap.author_name}",
        body="Copy the text exactly as it is below; this is the version the editors approved.",
        quote=snap.text,
        fields=tuple(fields),
        footer=f"Proposal {snap.id}, version {snap.revision}",
        tone=Tone.SUCCESS,
    )
