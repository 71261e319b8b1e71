"""Run the checker on a draft and turn its report into what storage and the audit keep."""

from __future__ import annotations

from dataclasses import dataclass

from guidance.checker.checker import Checker
from storage.db import snapshot_of
from storage.proposals import StoredFinding


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    verdict: str  # pass | warn | block
    findings: tuple[StoredFinding, ...]

    def audit_detail(self, revision: int) -> dict[str, object]:
        """The CHECKED event's detail (the KPI engineer relies on these keys)."""
        return {
            "revision": revision,
            "verdict": self.verdict,
            "rules": sorted({f.rule for f in self.findings}),
            "sections": sorted({f.guidance for f in self.findings}),
        }


def check_draft(checker: Checker, draft: str) -> CheckResult:
    report = checker.check(draft)
    return CheckResult(
        verdict=str(report.verdict),
        findings=tuple(
            snapshot_of(StoredFinding, f, severity=str(f.severity)) for f in report.findings
        ),
    )
