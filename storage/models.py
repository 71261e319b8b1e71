"""The tables. Every row is keyed by workspace (a Slack team, a Discord guild or
`local`) so one deployment can serve several parties.

Enums are stored as short strings, not database enums, so adding a value is a code
change rather than a migration on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProposalStatus(StrEnum):
    BLOCKED = "blocked"  # the checker blocked it; only the proposer has seen it
    PENDING = "pending"  # on the review channel, waiting for editors
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset(
    {ProposalStatus.BLOCKED, ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED}
)


class VoteKind(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CHANGES = "changes"


class AuditKind(StrEnum):
    PROPOSED = "proposed"
    CHECKED = "checked"
    POSTED_FOR_REVIEW = "posted_for_review"
    OVERRULE_REQUESTED = "overrule_requested"
    VOTE_ADDED = "vote_added"
    VOTE_WITHDRAWN = "vote_withdrawn"
    CHANGES_REQUESTED = "changes_requested"
    REVISED = "revised"
    APPROVED = "approved"
    OVERRULED = "overruled"  # approved although the checker blocked it
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64), index=True)
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), index=True)
    verdict: Mapped[str] = mapped_column(String(8))  # of the current revision
    overrule: Mapped[bool] = mapped_column(default=False)  # an editor overrule of a block
    revision: Mapped[int] = mapped_column(Integer, default=1)  # the current revision number
    card_channel: Mapped[str | None] = mapped_column(String(64))
    card_message_id: Mapped[str | None] = mapped_column(String(64))
    origin_channel: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(400))

    revisions: Mapped[list[Revision]] = relationship(
        back_populates="proposal", order_by="Revision.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("workspace", "card_channel", "card_message_id"),
        Index("ix_proposals_workspace_created", "workspace", "created_at"),
        Index(  # KPIs (0003); covering time to decision since 0005
            "ix_proposals_workspace_decided",
            "workspace",
            "decided_at",
            postgresql_include=["status", "created_at"],
        ),
    )


class Revision(Base):
    """One text of a proposal: votes bind to the exact text they were cast on."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship(back_populates="revisions")
    findings: Mapped[list[FindingRow]] = relationship(
        back_populates="revision", order_by="FindingRow.start", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("proposal_id", "number"),)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(String(64))

    revision: Mapped[Revision] = relationship(back_populates="findings")


class Vote(Base):
    """A vote that counts now. Withdrawing deletes it; the audit log keeps the history.

    The unique constraint makes a redelivered reaction a no-op in the database itself.
    """

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[str] = mapped_column(String(64))
    voter_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("proposal_id", "revision", "voter_id", "kind"),)


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted. The source of the KPIs."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_events_workspace_at", "workspace", "at"),
        Index(  # covering the busiest people for the KPIs since 0005
            "ix_audit_events_workspace_kind_at",
            "workspace",
            "kind",
            "at",
            postgresql_include=["actor_id", "actor_name"],
        ),
    )


class OutboxKind(StrEnum):
    CARD = "card"  # the review card of one revision
    CARD_UPDATE = "card_update"  # the card brought up to date with its proposal
    SUPERSEDED = "superseded"  # an earlier revision's card says a newer one replaced it
    REACTION = "reaction"  # postgate's own hint reaction on a card
    APPROVED_POST = "approved_post"
    NOTICE = "notice"  # the proposer told of a decision
    NEW_CARD = "new_card"  # the proposer told where a revision's card is


class OutboxMessage(Base):
    """A message postgate owes, written in the same transaction as the change that
    owes it; `sent_at` is set once the platform has it (handlers/outbox.py)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(64), default="")  # an emoji, a status
    # The message acted on (a reaction's card, a superseded card); once posted, where.
    channel: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_outbox_workspace_sent_next", "workspace", "sent_at", "next_at"),)


# --- Campaign ideas and scheduled reminders (issue 7) ---


class IdeaStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class IdeaAuditKind(StrEnum):
    """Audit kinds for ideas and reminders (AuditEvent.kind, proposal_id null)."""

    IDEA_ADDED = "idea_added"
    IDEA_DONE = "idea_done"
    IDEA_DROPPED = "idea_dropped"
    IDEA_SNOOZED = "idea_snoozed"
    REMINDERS_SET = "reminders_set"
    REMINDERS_PAUSED = "reminders_paused"
    REMINDERS_RESUMED = "reminders_resumed"
    DIGEST_SENT = "digest_sent"
    DUE_REMINDER_SENT = "due_reminder_sent"
    NUDGE_SENT = "nudge_sent"
    KPI_DIGEST_SENT = "kpi_digest_sent"


class Idea(Base):
    """A campaign idea on the steering group's backlog."""

    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)  # a day in the party's timezone
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.OPEN)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # done or dropped
    closed_by: Mapped[str | None] = mapped_column(String(200))
    # The local day its own due-day reminder went out: never twice for one idea.
    due_reminded_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_ideas_workspace_status", "workspace", "status"),)


class ReminderKind(StrEnum):
    DIGEST = "digest"  # the weekly list of open ideas, to the steering group
    DUE = "due"  # the morning an idea falls due
    NUDGE = "nudge"  # proposals waiting for editors
    KPIS = "kpis"  # last week's KPIs and chart, to the steering group


class ReminderSchedule(Base):
    """When one kind of reminder goes out in one workspace, and when it last did.

    `last_run_on` is the idempotency marker: a run claims its local day first, so a
    restart, a coalesced misfire or the doubled 01:00 hour of October never sends twice.
    """

    __tablename__ = "reminder_schedules"

    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    cron: Mapped[str] = mapped_column(String(100))  # five fields, named weekdays
    paused: Mapped[bool] = mapped_column(default=False)
    paused_until: Mapped[date | None] = mapped_column(Date)  # None while paused: until resumed
    last_run_on: Mapped[date | None] = mapped_column(Date)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(200))


# APScheduler's own job table (SQLAlchemyJobStore), declared here so Alembic owns the
# schema and autogenerate does not offer to drop it. The columns are APScheduler 3's.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


# --- Deliveries (issue 15: nothing acknowledged is lost, nothing done twice) ---


class Delivery(Base):
    """A command, interaction or reaction a platform handed postgate, stored before
    its ack (`handlers.delivery`). The key makes a redelivery insert nothing;
    `done_at` is set in the same transaction as the work's effect, so what a stop cut
    short runs at the next start, and nothing runs twice. No response URLs or
    interaction tokens here: they expire, and they are secrets of a kind."""

    __tablename__ = "deliveries"

    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    event: Mapped[dict[str, object]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
