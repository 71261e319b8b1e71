"""`postgate stats [--period P] [--last] [--json] [--workspace W] [--chart FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.main import UserError, local_time
from bot.cli.printable import printable
from bot.cli.schema import require_current_schema
from bot.settings import Settings, load_settings
from handlers.clock import SystemClock
from handlers.stats.format import report_message
from handlers.stats.period import DEFAULT_PERIOD, PeriodKind, period_for
from handlers.stats.report import StatsReport, gather_report, report_json
from storage.db import Database
from storage.stats import workspaces

LOCAL = "local"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="social media KPIs: proposals, decisions, time to decision, rules, people",
        description="The KPIs /stats shows, for a calendar period in POSTGATE_TIMEZONE: "
        "the current one so far against the same stretch of the previous one, or with "
        "--last the previous complete period against the one before.",
    )
    parser.add_argument(
        "--period",
        choices=[k.value for k in PeriodKind],
        default=DEFAULT_PERIOD.value,
        help="calendar period (default: %(default)s)",
    )
    parser.add_argument(
        "--last", action="store_true", help="the previous complete period instead of this one"
    )
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument(
        "--workspace",
        help="workspace key (local, slack:TEAM, discord:GUILD); default: the only one "
        "with data, else local, else the most recently active",
    )
    parser.add_argument("--chart", type=Path, metavar="FILE", help="also write the PNG chart")
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="report as of this moment (ISO 8601, e.g. 2026-03-31T18:00+01:00; "
        "no offset means POSTGATE_TIMEZONE); default: now",
    )
    parser.set_defaults(func=_stats)


def choose_workspace(known: list[str], wanted: str | None) -> tuple[str, str | None]:
    """The workspace to report on, and a note for the terminal when it was a choice."""
    if wanted:
        return wanted, None
    if not known:
        return LOCAL, None
    if len(known) == 1:
        return known[0], None
    chosen = LOCAL if LOCAL in known else known[0]
    why = "the local workspace" if chosen == LOCAL else "the most recently active"
    note = (
        f"Several workspaces have data ({', '.join(known)}); showing {chosen} ({why}). "
        "Use --workspace to pick another."
    )
    return chosen, note


async def _report(args: argparse.Namespace, settings: Settings) -> tuple[StatsReport, str | None]:
    tz = ZoneInfo(settings.timezone)
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            known = await workspaces(session)
        workspace, note = choose_workspace(known, args.workspace)
        period = period_for(
            PeriodKind(args.period),
            now=local_time(args.at, option="--at", timezone=tz) if args.at else SystemClock().now(),
            timezone=tz,
            complete=args.last,
        )
        return await gather_report(db=db, workspace=workspace, period=period), note
    finally:
        await db.dispose()


def _stats(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_current_schema(settings.resolved_database_url)
    report, note = asyncio.run(_report(args, settings))
    if note:
        print(printable(note), file=sys.stderr)
    if args.chart:
        from handlers.stats.charts import weekly_chart  # matplotlib only when a chart is wanted

        chart = weekly_chart(
            weeks=report.weeks,
            timezone=report.period.timezone,
            title=f"Proposals and decisions per week ({report.period.kind.value} report)",
        )
        try:
            args.chart.write_bytes(chart.content)
        except OSError as exc:
            raise UserError(f"could not write the chart to {args.chart}: {exc.strerror}") from exc
    if args.json:
        print(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        print(printable(f"Workspace: {report.workspace}"))
        print(printable(report_message(report).as_plain_text()))
        if args.chart:
            print(f"Chart written to {args.chart}")
    return 0
