"""Stop postgate and start it again on the same database: the schedule, its jobs and the
ideas are all still there, unchanged. Two real `postgate run --local` processes, each
fed a script on stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from storage.urls import sync_url


def run_local(database_url: str, cwd: Path, *lines: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "run", "--local"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stdout


def saved_state(database_url: str) -> dict[str, object]:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        state: dict[str, object] = {
            "jobs": conn.execute(
                text("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY id")
            ).all(),
            "schedules": conn.execute(
                text(
                    "SELECT workspace, kind, cron, paused, paused_until "
                    "FROM reminder_schedules ORDER BY kind"
                )
            ).all(),
            "ideas": conn.execute(
                text(
                    "SELECT id, workspace, text, author_name, created_at, due_on, status "
                    "FROM ideas ORDER BY id"
                )
            ).all(),
        }
    engine.dispose()
    return state


def test_a_restart_keeps_the_schedule_and_the_ideas(database_url: str, tmp_path: Path) -> None:
    first = run_local(
        database_url,
        tmp_path,
        "/as chair",
        "/idea Leaflet the new estate #housing --due 2030-01-10",
        "/idea Street stall at the market",
        '/reminders set "thu 18:30"',
        "/reminders pause nudge until 2030-01-01",
    )
    assert "Idea 2 is on the list" in first
    before = saved_state(database_url)
    assert [row[0] for row in before["jobs"]] == [  # type: ignore[attr-defined]
        "digest:local",
        "due:local",
        "expiry:local",
        "kpis:local",
        "nudge:local",
        "prune:local",
    ]
    assert ("local", "digest", "30 18 * * thu", False, None) in before["schedules"]  # type: ignore[operator]

    second = run_local(database_url, tmp_path, "/reminders", "/idea list")
    assert saved_state(database_url) == before
    assert "Thursdays at 18:30" in second
    assert "paused until" in second
    assert "#1 Leaflet the new estate #housing - chair" in second
    assert "#2 Street stall at the market - chair" in second
