"""One line of the checklist."""

from __future__ import annotations

from dataclasses import dataclass

from bot.startup.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Item:
    ok: bool
    what: str  # what holds, or what is wrong
    fix: str = ""  # for an item that does not hold

    @classmethod
    def passed(cls, what: str) -> Item:
        return cls(ok=True, what=what)

    @classmethod
    def failed(cls, what: str, *, fix: str) -> Item:
        return cls(ok=False, what=what, fix=fix)

    @classmethod
    def warned(cls, what: str, *, fix: str) -> Item:
        """Works, but not in every case: shown, and the exit status stays 0."""
        return cls(ok=True, what=what, fix=fix)

    @classmethod
    def from_error(cls, error: ConfigError) -> Item:
        return cls(ok=False, what=f"{error.setting}: {error.problem}", fix=error.fix)

    def line(self) -> str:
        if self.ok and not self.fix:
            return f"✓ {self.what}"
        return f"{'!' if self.ok else '✗'} {self.what}\n    fix: {self.fix}"
