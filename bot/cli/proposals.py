"""`postgate proposals [--status S] [--json]`: proposals, newest first, for admins and scripts."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.cli.printable import printable
from bot.cli.schema import require_current_schema
from bot.settings import load_settings
from storage import proposals as repo
from storage.db import Database
from storage.models import ProposalStatus
from storage.proposals import ProposalSummary


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("proposals", help="list proposals (newest first)")
    parser.add_argument(
        "--status",
        choices=[str(s) for s in ProposalStatus],
        help="only proposals in this state",
    )
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=_run)


def _row(p: ProposalSummary) -> dict[str, object]:
    return {
        "id": p.id,
        "workspace": p.workspace,
        "status": p.status,
        "author": p.author_name,
        "author_id": p.author_id,
        "verdict": p.verdict,
        "revision": p.revision,
        "created": p.created_at.isoformat(),
        "decided": p.decided_at.isoformat() if p.decided_at else None,
        "decided_by": p.decided_by,
    }


async def _fetch(url: str, status: ProposalStatus | None) -> list[dict[str, object]]:
    db = Database(url)
    try:
        async with db.session() as session:
            return [_row(p) for p in await repo.list_proposals(session, status=status)]
    finally:
        await db.dispose()


def _table(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "No proposals."
    headers = ["id", "status", "author", "verdict", "created", "decided"]
    cells = [
        [
            str(r["id"]),
            str(r["status"]),
            printable(str(r["author"]), one_line=True),
            str(r["verdict"]),
            str(r["created"])[:16].replace("T", " "),
            str(r["decided"])[:16].replace("T", " ") if r["decided"] else "-",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *cells]
    )


def _run(args: argparse.Namespace) -> int:
    url = load_settings().resolved_database_url
    require_current_schema(url)
    status = ProposalStatus(args.status) if args.status else None
    rows = asyncio.run(_fetch(url, status))
    print(json.dumps(rows, indent=2) if args.json else _table(rows))
    return 0
