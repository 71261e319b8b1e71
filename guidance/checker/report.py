"""What the checker says about a draft: a verdict and findings, each citing the guidance."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2}


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    WARN = "warn"
    BLOCK = "block"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing the checker found: `text[start:end]` is what it points at."""

    rule: str
    severity: Severity
    start: int
    end: int
    message: str
    suggestion: str
    guidance: str

    def as_json(self) -> dict[str, object]:
        """The shape of the `postgate check --jsonl` contract (DESIGN.md)."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "guidance": self.guidance,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> Verdict:
        """The highest severity found; info never changes the verdict."""
        worst = max((f.severity.rank for f in self.findings), default=0)
        if worst == Severity.BLOCK.rank:
            return Verdict.BLOCK
        if worst == Severity.WARN.rank:
            return Verdict.WARN
        return Verdict.PASS

    def rules(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.findings)
