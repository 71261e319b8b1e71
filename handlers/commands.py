"""The list of commands every platform offers. Add a command here, once."""

from __future__ import annotations

from handlers.guidance import GUIDANCE
from handlers.help import HELP
from handlers.ideas.idea import IDEA_COMMAND
from handlers.ideas.reminders import REMINDERS_COMMAND
from handlers.proposals.propose import PROPOSE
from handlers.registry import CommandSpec
from handlers.stats.command import STATS

COMMANDS: tuple[CommandSpec, ...] = (
    PROPOSE,
    GUIDANCE,
    IDEA_COMMAND,
    REMINDERS_COMMAND,
    STATS,
    HELP,
)
