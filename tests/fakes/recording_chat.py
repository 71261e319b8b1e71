"""A stand-in chat platform for scheduler tests: it records what postgate posts.

It plays the platform (the `ChatPort` protocol and the runtime's `Platform`), never
postgate's own handlers or storage. Tests that can use the local workspace should.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers.messages import Mention, Message
from handlers.port import ChannelRole, Group, MessageRef, SendKey
from tests.clock import FixedClock

STEERING = Mention.group("S-steer", "steering")
EDITORS = (Mention.user("U-edith", "Edith"), Mention.user("U-ed", "Ed"))


@dataclass
class Posted:
    channel: str
    message: Message

    @property
    def text(self) -> str:
        return self.message.as_plain_text()


@dataclass
class RecordingPort:
    posts: list[Posted] = field(default_factory=list)
    notes: list[tuple[str, Message]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def platform(self) -> str:
        return "test"

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        self.posts.append(Posted(str(channel), message))
        return MessageRef(str(channel), str(next(self._ids)))

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        return None

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        return None

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        self.notes.append((user_id, message))

    def link(self, ref: MessageRef) -> str | None:
        return None

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        return (STEERING,) if group == Group.STEERING else EDITORS

    def to(self, channel: ChannelRole) -> list[Posted]:
        return [p for p in self.posts if p.channel == str(channel)]


class RecordingPlatform:
    def __init__(self, workspace: str = "test:T1") -> None:
        self._workspace = workspace
        self._port = RecordingPort()
        self._closed = asyncio.Event()

    @property
    def name(self) -> str:
        return "test"

    @property
    def workspace(self) -> str:
        return self._workspace

    @property
    def port(self) -> RecordingPort:
        return self._port

    async def start(self) -> None:
        return None

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def stop(self) -> None:
        self._closed.set()


def clock_driven_datetime(clock: FixedClock) -> type[datetime]:
    """A `datetime` whose now() is the test's clock, to give APScheduler a controllable now."""

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            current = clock.now()
            return current.astimezone(tz) if tz is not None else current  # type: ignore[arg-type]

    return ClockDatetime


async def run_due_jobs(scheduler: AsyncIOScheduler) -> None:
    """Let APScheduler look at its jobs now (by the test clock) and finish what it starts."""
    scheduler.wakeup()
    executor = scheduler._lookup_executor("default")
    for _ in range(50):
        await asyncio.sleep(0)
        pending = list(executor._pending_futures)
        if pending:
            await asyncio.wait(pending, timeout=10)
    await asyncio.sleep(0)
