"""A known history for the KPI tests, made through the real workflow.

People type in the local workspace (`/propose`, `/react`, `/propose edit`, ...)
while a FixedClock moves, and the expiry job runs as the scheduler would run it.
Nothing is inserted by hand: the figures come from the audit log the workflow
wrote. The expected figures are worked out by hand below each step.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from bot.platforms.local.platform import LocalWorkspace
from guidance.checker.checker import Checker
from guidance.policy import load_policy
from handlers.proposals.expiry import expire_overdue
from tests.clock import FixedClock
from tests.workflow_support import make_services

# The report is asked for at NOW: "this month so far" is 1 March 00:00 to NOW
# (Europe/London is on GMT until 29 March), against 1 February 00:00 to 20 February 12:00.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)

CLEAN_1 = "Thank you to everyone who canvassed in St Ives on Saturday!"
JARGON = "Join our CLP GC meeting on the NEC motion."
CLEAN_2 = "Great turnout at the Penzance litter pick this morning, thank you all."
CLEAN_3 = "Our councillors will hold a surgery at the library on Friday."
PROMISE = "We promise to cut council tax by 10% next year."
PROMISE_FIXED = "We are asking residents what they think about council tax."
ABUSIVE = "The Tory scum running the council are fucking useless."
IMPRINT = "Vote Labour on Thursday!"
CLEAN_4 = "Lovely to meet so many of you at the Hayle market stall today."

# (draft, proposer) for every check made in each window, for the expected rule counts.
CHECKS_BEFORE = (JARGON, CLEAN_1)
CHECKS_NOW = (CLEAN_3, PROMISE, PROMISE_FIXED, ABUSIVE, IMPRINT, CLEAN_4)


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


async def build_history(database_url: str) -> None:
    clock = FixedClock(at(2, 10, month=2))
    services = make_services(database_url, clock=clock)
    ws = LocalWorkspace(services=services, editors=("editor", "chair"), steering=("chair",))

    async def step(when: datetime, *lines: str) -> None:
        clock.set(when)
        for line in lines:
            out = await ws.send(line)
            assert not any("went wrong" in o for o in out), out

    try:
        # --- the previous stretch: 1 Feb 00:00 to 20 Feb 12:00 ---
        await step(at(2, 10, 2), "/as alex", f"/propose {CLEAN_1}")  # 1
        await step(at(2, 12, 2), "/as editor", "/react 1 white_check_mark")  # approved, 2 h
        await step(at(3, 10, 2), "/as bob", f"/propose {JARGON}")  # 2
        await step(at(3, 14, 2), "/as editor", "/react 2 x")  # rejected, 4 h
        # after the previous stretch ends: counted in neither window...
        await step(at(25, 10, 2), "/as alex", f"/propose {CLEAN_2}")  # 3
        # --- this month so far: 1 Mar 00:00 to 20 Mar 12:00 ---
        await step(at(1, 9), "/as bob", f"/propose {CLEAN_3}")  # 4: left to expire
        # ...but its decision is this month: 5 days from proposal to approval.
        await step(at(2, 10), "/as chair", "/react 3 white_check_mark")
        await step(at(3, 9), "/as alex", f"/propose {PROMISE}")  # 5
        await step(at(3, 10), "/as editor", "/react 5 pencil2")  # changes requested
        await step(at(3, 11), "/as alex", f"/propose edit 5 {PROMISE_FIXED}")
        await step(at(3, 12), "/as editor", "/react 5 white_check_mark")  # approved, 3 h
        await step(at(4, 9), "/as bob", f"/propose {ABUSIVE}")  # 6: blocked
        await step(at(4, 9).replace(minute=30), "/propose overrule 6")
        await step(at(4, 10), "/as editor", "/react 6 white_check_mark")
        await step(at(4, 11), "/as chair", "/react 6 white_check_mark")  # overruled, 2 h
        await step(at(5, 9), "/as cat", f"/propose {IMPRINT}")  # 7
        await step(at(5, 10), "/as chair", "/react 7 x")  # rejected, 1 h
        await step(at(6, 9), "/as alex", f"/propose {CLEAN_4}")  # 8
        await step(at(6, 10), "/propose withdraw 8")  # withdrawn
        clock.set(at(16, 9))
        assert await expire_overdue(ws.ctx) == 1  # 4 expires after 14 days
        clock.set(NOW)
    finally:
        await services.db.dispose()


def rule_counts(drafts: tuple[str, ...]) -> Counter[str]:
    """Checks per rule as the checker sees these drafts (once per check per rule)."""
    checker = Checker(load_policy())
    found: Counter[str] = Counter()
    for draft in drafts:
        found.update({f.rule for f in checker.check(draft).findings})
    return found


def rule_sections(drafts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    checker = Checker(load_policy())
    sections: dict[str, set[str]] = {}
    for draft in drafts:
        for f in checker.check(draft).findings:
            sections.setdefault(f.rule, set()).add(f.guidance)
    return {rule: tuple(sorted(s)) for rule, s in sections.items()}
