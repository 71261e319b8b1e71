"""What the running scheduler offers handlers: `/reminders set` moves a live job.

`bot.scheduler` implements it and puts itself on `Services.reminders` when it starts;
handlers never import `bot`. Without a running scheduler the schedule row is still
changed and the scheduler picks it up when it next starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ReminderControl(Protocol):
    async def reschedule(self, *, workspace: str, kind: str, cron: str) -> None:
        """Move the job for `kind` in `workspace` to the new cron line."""
        ...

    def next_run(self, *, workspace: str, kind: str) -> datetime | None:
        """When the live job fires next, or None when there is no such job."""
        ...
