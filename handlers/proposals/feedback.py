"""What the proposer is told: acknowledgements, why a draft was blocked, decisions,
status, and kind replies to input that cannot be used."""

from __future__ import annotations

from handlers.context import WorkflowConfig
from handlers.events import Reply
from handlers.messages import Message, MessageField, Tone
from handlers.proposals.cards import checker_summary, finding_fields, plural, when
from handlers.textsplit import opening
from storage.models import ProposalStatus, VoteKind
from storage.proposals import ProposalSnapshot, ProposalSummary

MAX_LENGTH = 4000

STATUS_WORDS = {
    ProposalStatus.BLOCKED: "blocked by the checker (not sent to the editors)",
    ProposalStatus.PENDING: "waiting for the editors",
    ProposalStatus.CHANGES_REQUESTED: "changes requested: edit it to send it back",
    ProposalStatus.APPROVED: "approved",
    ProposalStatus.REJECTED: "rejected",
    ProposalStatus.WITHDRAWN: "withdrawn",
    ProposalStatus.EXPIRED: "expired (not rejected)",
}


def problem(body: str, *, footer: str = "") -> Reply:
    """A kind reply to input that cannot be used; nothing was stored."""
    return Reply(Message(body=body, footer=footer, tone=Tone.WARNING))


NOT_A_PROPOSER = (
    "Only approved users can propose posts for the party's accounts, and you are not "
    "on that list yet. Ask the comms officer or an editor to add you. Nothing was saved."
)


QUEUE_IS_FOR_EDITORS = (
    "/propose queue is for editors: it lists what waits for their decision. "
    "Type /propose status to see your own proposals."
)
EMPTY_DRAFT = (
    "There is no post to check yet. Write it after the command, "
    "for example: /propose Thank you to everyone who came canvassing on Saturday!"
)


def too_long(length: int) -> Reply:
    return problem(
        f"Your draft is {length:,} characters long; the limit is {MAX_LENGTH:,}. "
        f"Please shorten it by {length - MAX_LENGTH:,} characters and send it again. "
        "Nothing was saved."
    )


def unknown_proposal(number: str) -> Reply:
    return problem(
        f"There is no proposal {number}. Type /propose status to see your proposals and "
        "their numbers."
    )


def not_yours(proposal_id: int, action: str) -> Reply:
    return problem(
        f"Proposal {proposal_id} is someone else's, so only they can {action} it. "
        "Type /propose status to see your own proposals."
    )


def wrong_state(snap: ProposalSnapshot, action: str) -> Reply:
    said = f"Proposal {snap.id} is {STATUS_WORDS[snap.status]}, so it can't be {action} now."
    if snap.status == ProposalStatus.APPROVED:
        # Approved posts wait in the approved channel for someone to publish them by hand:
        # postgate cannot stop or take down what is published.
        said += (
            " If it should not go out, or is already on the party's accounts and should "
            "come down, tell an editor: postgate does not publish posts or take them down. "
            "To post something different, send it as a new post with /propose."
        )
    elif not snap.status.is_open:
        said += " You can propose it again as a new post with /propose."
    return problem(said)


def acknowledged(snap: ProposalSnapshot, *, posted: bool) -> Reply:
    where = (
        "It is on the review channel now; you'll hear here when an editor decides."
        if posted
        else "It is saved; postgate could not post it to the review channel just now and "
        "keeps trying. Meanwhile the editors see it in their queue (/propose queue)."
    )
    return Reply(
        Message(
            title=f"Thanks! Proposal {snap.id} is with the editors.",
            body=f"{checker_summary(snap)} {where}",
            fields=finding_fields(snap),
            footer=(
                f"Change it with /propose edit {snap.id} NEW TEXT, or take it back with "
                f"/propose withdraw {snap.id}."
            ),
            tone=Tone.SUCCESS,
        )
    )


def blocked(snap: ProposalSnapshot, *, overrule_approvals: int) -> Reply:
    sections = sorted({f.guidance for f in snap.findings if f.severity == "block"})
    read = ", ".join(f"/guidance {s}" for s in sections) or "/guidance"
    return Reply(
        Message(
            title=f"Proposal {snap.id} was blocked by the checker and not sent to the editors.",
            body=(
                "It was saved but not sent to the editors, because it breaks the party's "
                f"social media guidance as written. Read: {read}."
            ),
            fields=(
                *finding_fields(snap),
                MessageField(
                    "What you can do",
                    f"Rewrite it: /propose edit {snap.id} NEW TEXT (it is checked again). "
                    f"If you think the checker is wrong: /propose overrule {snap.id} sends it "
                    "to the editors marked as blocked; it then needs "
                    f"{plural(overrule_approvals, 'editor approval')} to go ahead.",
                ),
            ),
            quote=snap.text,
            tone=Tone.DANGER,
        )
    )


def overrule_requested(snap: ProposalSnapshot, *, needed: int, posted: bool) -> Reply:
    body = (
        f"Proposal {snap.id} is on the review channel, marked as blocked. It needs "
        f"{plural(needed, 'editor approval')} to go ahead."
        if posted
        else f"Proposal {snap.id} is marked for overrule; postgate could not post it to "
        "the review channel just now and keeps trying. Meanwhile the editors see it in their "
        "queue (/propose queue)."
    )
    return Reply(Message(body=body, tone=Tone.INFO))


def revised(snap: ProposalSnapshot, *, posted: bool, overrule_approvals: int) -> Reply:
    if snap.status == ProposalStatus.BLOCKED:
        return blocked(snap, overrule_approvals=overrule_approvals)
    where = (
        "The editors see the new version now; earlier votes no longer count."
        if posted
        else "It is saved; postgate could not post its card to the review channel just now "
        "and keeps trying. Meanwhile the editors see it in their queue (/propose queue)."
    )
    return Reply(
        Message(
            title=f"Proposal {snap.id} is now version {snap.revision}.",
            body=f"{checker_summary(snap)} {where}",
            fields=finding_fields(snap),
            tone=Tone.SUCCESS,
        )
    )


def new_card_notice(snap: ProposalSnapshot, *, link: str | None) -> Message:
    """Told to the proposer once a revision's card is up: where the editors decide now."""
    where = f": {link}" if link else "."
    return Message(
        body=(
            f"Version {snap.revision} of your proposal {snap.id} has a new card on the review "
            f"channel{where} The editors decide on this version; reactions on the earlier "
            "card no longer count."
        ),
        tone=Tone.INFO,
    )


def withdrawn(snap: ProposalSnapshot) -> Reply:
    # A blocked draft never had a card.
    card = " The editors' card says so too." if snap.card_message_id else ""
    return Reply(Message(body=f"Proposal {snap.id} is withdrawn.{card}"))


def decision_notice(snap: ProposalSnapshot, *, config: WorkflowConfig) -> Message:
    """Told to the proposer when the editors (or time) decide."""
    by = snap.decided_by or "the editors"
    days = plural(config.expire_days, "day")
    tone = Tone.NEUTRAL
    if snap.status == ProposalStatus.APPROVED:
        extra = " (overruling the checker)" if snap.overrule else ""
        body = (
            f"Good news: {by} approved your proposal {snap.id}{extra}. It is in the "
            "approved channel, ready to publish exactly as approved."
        )
        tone = Tone.SUCCESS
    elif snap.status == ProposalStatus.REJECTED:
        body = (
            f"{by} rejected your proposal {snap.id}. If you are not sure why, ask them; "
            "you are welcome to propose a different post."
        )
        tone = Tone.DANGER
    elif snap.status == ProposalStatus.CHANGES_REQUESTED:
        asked = ", ".join(snap.voters(VoteKind.CHANGES)) or "An editor"
        body = (
            f"{asked} asked for changes to your proposal {snap.id}. Ask them what to "
            f"change, then send the new text with /propose edit {snap.id} NEW TEXT."
        )
        tone = Tone.WARNING
    elif snap.status == ProposalStatus.EXPIRED and snap.card_channel is None:
        body = (
            f"Your proposal {snap.id} expired: it was blocked by the checker and not "
            f"revised within {days}. Nothing was posted; you are welcome to propose a new "
            "version."
        )
    elif snap.status == ProposalStatus.EXPIRED:
        body = (
            f"Your proposal {snap.id} expired: nobody decided it within {days}. It was not "
            "rejected; propose it again if it is still useful."
        )
    else:
        body = f"Your proposal {snap.id} is now {STATUS_WORDS[snap.status]}."
    return Message(body=body, tone=tone)


def status_list(proposals: list[ProposalSummary], *, config: WorkflowConfig) -> Reply:
    if not proposals:
        return Reply(Message(body="You have no proposals yet. Send one with /propose YOUR POST."))
    lines = [
        f"{p.id}: {STATUS_WORDS[p.status]} (proposed {when(p.created_at, config)}): "
        f"{opening(p.text)}"
        for p in proposals
    ]
    return Reply(
        Message(
            title="Your proposals, newest first",
            body="\n".join(lines),
            footer="Type /propose status N to see one in full.",
        )
    )


def status_one(snap: ProposalSnapshot, *, config: WorkflowConfig) -> Reply:
    votes = ", ".join(f"{v.voter_name} ({v.kind})" for v in snap.votes) or "none yet"
    fields = [
        MessageField("State", STATUS_WORDS[snap.status]),
        MessageField("Checker", checker_summary(snap)),
        *finding_fields(snap),
        MessageField("Votes on this version", votes),
    ]
    if snap.decided_at is not None:
        fields.append(
            MessageField(
                "Decided", f"{when(snap.decided_at, config)} by {snap.decided_by or 'postgate'}"
            )
        )
    return Reply(
        Message(
            title=f"Proposal {snap.id} from {snap.author_name}, version {snap.revision}",
            quote=snap.text,
            fields=tuple(fields),
            footer=f"Proposed {when(snap.created_at, config)}",
        )
    )
