"""What a handler is given: the process-wide services and the platform it serves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from guidance.checker.checker import Checker
from guidance.lookup.lookup import GuidanceIndex
from guidance.sections import Guidance
from handlers.clock import Clock, SystemClock
from handlers.events import Actor
from handlers.port import ChatPort
from handlers.reminder_control import ReminderControl
from storage import audit
from storage.db import Database
from storage.models import AuditKind, IdeaAuditKind, VoteKind

# The emoji a card suggests for each vote, when the settings include it.
_USUAL_EMOJI = {"approve": "white_check_mark", "reject": "x", "changes": "pencil2"}


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowConfig:
    """The workflow's knobs, from the settings."""

    approvals_required: int = 1
    overrule_approvals: int = 2
    expire_days: int = 14
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    approve_emoji: frozenset[str] = frozenset({"white_check_mark", "heavy_check_mark"})
    reject_emoji: frozenset[str] = frozenset({"x"})
    changes_emoji: frozenset[str] = frozenset({"pencil2", "memo"})

    def emoji_for(self, kind: VoteKind) -> frozenset[str]:
        """The reactions that cast a vote of this kind: `approve_emoji` for approve."""
        match kind:
            case VoteKind.APPROVE:
                return self.approve_emoji
            case VoteKind.REJECT:
                return self.reject_emoji
            case VoteKind.CHANGES:
                return self.changes_emoji

    def hint_emoji(self, kind: VoteKind) -> str:
        """The one reaction to suggest for a vote of this kind: the usual one when set."""
        usual, names = _USUAL_EMOJI[kind], self.emoji_for(kind)
        return usual if usual in names else min(names, default=usual)


@dataclass(slots=True, kw_only=True)
class Services:
    """Built once per process by `bot.assembly` and shared by every platform."""

    config: WorkflowConfig
    db: Database
    checker: Checker
    guidance: Guidance
    lookup: GuidanceIndex  # the /guidance search index of `guidance`
    clock: Clock = field(default_factory=SystemClock)
    reminders: ReminderControl | None = None  # set by the scheduler when it starts
    # What this process is sending now (handlers/outbox.py): outbox rows by id, and
    # proposals whose card is being changed, so no message goes out twice at once.
    sending: set[object] = field(default_factory=set)


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """One call's view: the services and the port of the platform the call came from."""

    services: Services
    port: ChatPort
    workspace: str

    def audit(
        self,
        session: AsyncSession,
        kind: AuditKind | IdeaAuditKind,
        *,
        at: datetime,
        actor: Actor | None = None,
        proposal_id: int | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        """Add an event to this workspace's audit log, in the session's transaction."""
        audit.record(
            session,
            workspace=self.workspace,
            kind=kind,
            at=at,
            proposal_id=proposal_id,
            actor_id=None if actor is None else actor.id,
            actor_name=None if actor is None else actor.name,
            detail=detail,
        )
