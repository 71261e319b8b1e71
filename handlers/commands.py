"""The list of commands every platform offers. Add a command here, once."""

from __future__ import annotations

from handlers.guidance import GUIDANCE
from handlers.help import HELP
from handlers.ideas import IDEA_COMMAND
from handlers.propose import PROPOSE
from handlers.registry import CommandSpec
from handlers.reminders import REMINDERS_COMMAND
from handlers.stats import STATS

COMMANDS: tuple[CommandSpec, ...] = (
    PROPOSE,
    GUIDANCE,
    IDEA_COMMAND,
    REMINDERS_COMMAND,
    STATS,
    HELP,
)
