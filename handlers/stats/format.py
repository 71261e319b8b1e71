"""The KPI report in words: every figure beside the previous period's, with the
direction spelled out (not shown by colour or an arrow alone)."""

from __future__ import annotations

from handlers.messages import Attachment, Message, MessageField, Tone
from handlers.stats.report import StatsReport
from storage.stats import Ranked


def duration(seconds: float | None) -> str:
    """1 h 20 min, 2 days 3 h, 45 min, under a minute."""
    if seconds is None:
        return "none decided"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def _delta(now: int, before: int) -> str:
    if now == before:
        return "same as before"
    direction = "up" if now > before else "down"
    return f"{direction} {abs(now - before)} from {before}"


def count_change(now: int, before: int) -> str:
    """12 (up 3 from 9)"""
    return f"{now} ({_delta(now, before)})"


def rate_change(now: float | None, before: float | None) -> str:
    if now is None:
        return "no posts approved or rejected yet"
    shown = f"{round(now * 100)}%"
    if before is None:
        return f"{shown} (none decided before)"
    points = round(now * 100) - round(before * 100)
    if points == 0:
        return f"{shown} (same as before)"
    direction = "up" if points > 0 else "down"
    return f"{shown} ({direction} {abs(points)} points from {round(before * 100)}%)"


def time_change(now: float | None, before: float | None) -> str:
    if now is None:
        return "none decided"
    if before is None:
        return f"{duration(now)} (none decided before)"
    gap = round(now / 60) - round(before / 60)
    if gap == 0:
        return f"{duration(now)} (same as before)"
    word = "slower" if gap > 0 else "quicker"
    return f"{duration(now)} ({duration(abs(gap) * 60)} {word} than {duration(before)})"


def _ranked(items: list[Ranked], *, unit: tuple[str, str]) -> str:
    """One line each: "alex: 2 proposals (up 1 from 1)"."""
    if not items:
        return "none"
    lines = []
    for item in items:
        noun = unit[0] if item.count == 1 else unit[1]
        line = f"{item.label}: {item.count} {noun} ({_delta(item.count, item.previous)})"
        if item.sections:
            line += f", guidance {', '.join(item.sections)}"
        lines.append(line)
    return "\n".join(lines)


def report_message(report: StatsReport, *, chart: Attachment | None = None) -> Message:
    now, before = report.now, report.before
    period = report.period
    fields = (
        MessageField("Proposals made", count_change(now.proposed, before.proposed)),
        MessageField("Approved (overrules included)", count_change(now.approved, before.approved)),
        MessageField("Rejected", count_change(now.rejected, before.rejected)),
        MessageField(
            "Changes requested", count_change(now.changes_requested, before.changes_requested)
        ),
        MessageField("Expired undecided", count_change(now.expired, before.expired)),
        MessageField("Withdrawn by the proposer", count_change(now.withdrawn, before.withdrawn)),
        MessageField(
            "Overruled (approved although the checker blocked them)",
            count_change(now.overruled, before.overruled),
        ),
        MessageField(
            "Approval rate (approved out of approved and rejected)",
            rate_change(now.approval_rate, before.approval_rate),
        ),
        MessageField(
            "Time from proposal to decision, median",
            time_change(report.times_now.median, report.times_before.median),
        ),
        MessageField(
            "Time from proposal to decision, 90th percentile",
            time_change(report.times_now.p90, report.times_before.p90),
        ),
        MessageField("Rules found most often", _ranked(report.rules, unit=("check", "checks"))),
        MessageField(
            "Busiest proposers", _ranked(report.proposers, unit=("proposal", "proposals"))
        ),
        MessageField("Busiest editors", _ranked(report.editors, unit=("vote", "votes"))),
    )
    footer = (
        "Decisions count when they were made; time to decision covers posts an editor "
        "approved, overruled or rejected."
    )
    if chart is not None:
        footer += " The chart shows proposals and decisions per week, and time to decision."
    return Message(
        title=f"Social media KPIs: {period.describe()}",
        body=f"Each figure is compared with {period.describe_previous()}.",
        fields=fields,
        footer=footer,
        tone=Tone.INFO,
        attachments=(chart,) if chart is not None else (),
    )
