"""`/stats [week|month|quarter|year]`: the IT officers' KPIs, with a chart.

Editors and the steering group may see them: the guidance makes the IT officers
(who sit among them) responsible for the KPIs, and the report names the busiest
proposers, which is not for every member. Others get a kind refusal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand, usage
from handlers.context import Context, Services
from handlers.events import Reply, Role
from handlers.messages import Message, Tone
from handlers.port import ChannelRole, MessageRef
from handlers.stats.format import report_message
from handlers.stats.period import Period, PeriodKind, parse_period, period_for
from handlers.stats.report import gather_report


async def stats_command(call: Call, ctx: Context) -> Reply:
    period_text = call.text("period")
    parsed = parse_period(period_text)
    if parsed is None:
        return Reply(
            Message(
                body=(
                    f"postgate did not understand {period_text!r} as a period. "
                    "Try /stats week, /stats month, /stats quarter or /stats year, "
                    "or /stats last month for the previous complete month."
                ),
                footer=f"Usage: {usage(STATS)}",
                tone=Tone.WARNING,
            )
        )
    kind, complete = parsed
    config = ctx.services.config
    period = period_for(
        kind, now=ctx.services.clock.now(), timezone=config.timezone, complete=complete
    )
    return Reply(await _report_with_chart(ctx, period))


async def _report_with_chart(ctx: Context, period: Period) -> Message:
    report = await gather_report(db=ctx.services.db, workspace=ctx.workspace, period=period)
    # Imported here: matplotlib takes a moment to load, and only the KPIs need it.
    from handlers.stats.charts import weekly_chart

    # Drawing takes a moment of CPU: keep the event loop free for everyone else.
    chart = await asyncio.to_thread(
        weekly_chart,
        weeks=report.weeks,
        timezone=period.timezone,
        title=f"Proposals and decisions per week ({period.kind.value} report)",
    )
    return report_message(report, chart=chart)


async def kpi_digest_message(ctx: Context) -> tuple[Period, Message]:
    """Last complete week's KPIs and chart (the weekly digest), and that week."""
    period = period_for(
        PeriodKind.WEEK,
        now=ctx.services.clock.now(),
        timezone=ctx.services.config.timezone,
        complete=True,
    )
    return period, await _report_with_chart(ctx, period)


async def post_kpi_digest(ctx: Context) -> MessageRef:
    """Last week's KPIs and chart, posted to the steering channel."""
    _period, message = await kpi_digest_message(ctx)
    return await ctx.port.post(channel=ChannelRole.STEERING, message=message)


def _complete_period(_services: Services, typed: str) -> Sequence[str]:
    choices = ("month", "week", "quarter", "year", "last week", "last month", "last quarter")
    return [c for c in (*choices, "last year") if c.startswith(typed.strip().lower())]


STATS = Command(
    name="stats",
    summary="Social media KPIs for editors and the steering group, with a chart.",
    subcommands=(
        Subcommand(
            name="report",
            summary="the KPIs for a period, with a chart",
            handler=stats_command,
            args=(
                Arg(
                    name="period",
                    shown="[week|month|quarter|year]",
                    kind=ArgKind.TEXT,
                    description="week, month, quarter or year (add 'last' for the previous one)",
                    optional=True,
                ),
            ),
            keyword=False,
            roles=frozenset({Role.EDITOR, Role.STEERING}),
            refusal=(
                "The KPIs are for editors and the steering group. "
                "If you need them, ask an IT officer."
            ),
        ),
    ),
    plain="report",
    arg_description="week, month, quarter or year (add 'last' for the previous one)",
    autocomplete=_complete_period,
)
