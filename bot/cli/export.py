"""`postgate export audit [--csv] [--since DATE] [--workspace W] [--output FILE] [--no-bom]`.

The CSV starts with a UTF-8 byte order mark by default: Excel, the spreadsheet
most committee members have, reads a CSV without one in the Windows code page
and garbles names such as "Siân" or "Zoë"; with it, Excel, LibreOffice and
Google Sheets all read UTF-8. `--no-bom` leaves it out for scripts.
Lines end in CRLF, as RFC 4180 and Excel expect. Cells that a spreadsheet would
read as a formula are neutralised (`bot.cli.spreadsheet_cells`).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.cli.main import UserError, local_time
from bot.cli.schema import require_current_schema
from bot.cli.spreadsheet_cells import spreadsheet_row
from bot.settings import load_settings
from handlers.stats.audit_export import HEADER, audit_rows
from storage.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export data for a spreadsheet")
    what = parser.add_subparsers(dest="export_what", metavar="WHAT", required=True)
    audit = what.add_parser(
        "audit",
        help="the audit log, one row per event",
        description="Write the audit log as CSV: one row per event, oldest first, "
        "ISO 8601 times in POSTGATE_TIMEZONE with their offset.",
    )
    audit.add_argument(
        "--csv", action="store_true", help="CSV format (the default and, for now, the only one)"
    )
    audit.add_argument(
        "--since",
        metavar="DATE",
        help="only events from this date (YYYY-MM-DD, local midnight) or time (ISO 8601)",
    )
    audit.add_argument("--workspace", help="only this workspace (default: all)")
    audit.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write to FILE (default: stdout)"
    )
    audit.add_argument(
        "--no-bom", action="store_true", help="leave out the UTF-8 byte order mark Excel needs"
    )
    audit.set_defaults(func=_export_audit)


async def _write(
    out: TextIO, *, url: str, timezone: ZoneInfo, since: datetime | None, workspace: str | None
) -> int:
    # Every cell quoted, as OWASP advises against CSV injection (see spreadsheet_cells).
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    db = Database(url)
    count = 0
    try:
        async for row in audit_rows(db=db, timezone=timezone, since=since, workspace=workspace):
            writer.writerow(spreadsheet_row(row))
            count += 1
    finally:
        await db.dispose()
    return count


def _export_audit(args: argparse.Namespace) -> int:
    settings = load_settings()
    tz = ZoneInfo(settings.timezone)
    since = local_time(args.since, option="--since", timezone=tz) if args.since else None
    encoding = "utf-8" if args.no_bom else "utf-8-sig"
    require_current_schema(settings.resolved_database_url)
    with ExitStack() as stack:
        if args.output:
            try:
                out: TextIO = stack.enter_context(
                    args.output.open("w", encoding=encoding, newline="")
                )
            except OSError as exc:
                raise UserError(f"could not write {args.output}: {exc.strerror}") from exc
        else:
            out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
            stack.callback(out.detach)  # leave stdout itself open
            stack.callback(out.flush)
        count = asyncio.run(
            _write(
                out,
                url=settings.resolved_database_url,
                timezone=tz,
                since=since,
                workspace=args.workspace,
            )
        )
    if args.output:
        print(f"{count} audit events written to {args.output}", file=sys.stderr)
    return 0
