"""A configuration problem the person running postgate can fix."""

from __future__ import annotations

CONFIG_EXIT = 2  # DESIGN.md: a configuration error is one line on stderr, exit 2


class ConfigError(Exception):
    """One line for the operator: the setting, what is wrong, how to fix it."""

    def __init__(self, *, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.problem = problem
        self.fix = fix
        super().__init__(f"{setting}: {problem}; {fix}")
