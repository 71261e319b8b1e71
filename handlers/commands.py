"""The list of commands every platform offers. Add a command here, once."""

from __future__ import annotations

from handlers.guidance import GUIDANCE
from handlers.help import HELP
from handlers.propose import PROPOSE
from handlers.registry import CommandSpec
from handlers.stats import STATS

COMMANDS: tuple[CommandSpec, ...] = (PROPOSE, GUIDANCE, STATS, HELP)
