"""`postgate check` starts quickly because it never loads the database or platform
libraries: each subcommand is imported only when it runs (docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "psycopg", "alembic", "slack_bolt", "discord", "apscheduler")

SCRIPT = f"""
import sys
from bot.cli.main import main
status = main(["check", "Vote Labour on Thursday"])
print(status, sorted(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_check_loads_no_database_or_platform_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "0 []"
