"""The tests' clock: it only moves when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FixedClock:
    """A `handlers.clock.Clock` that only moves when told."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)
