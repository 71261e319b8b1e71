"""The soak, long form: Slack and Discord at once against a real `postgate run`.

Members propose, edit, withdraw, react and take reactions back (duplicates, two
editors racing, reactions on superseded cards) and add ideas, through the fake Slack
and the fake Discord of tests/fakes/, while postgate is SIGKILLed and started again
at random (seeded) moments and Slack's Web API has 500 and 429 (Retry-After) windows.
At the end, once the outbox has drained, it checks that nothing acknowledged was
lost or doubled (tests/soak_support.py, shared with the suite's short form) and
prints one summary line per database, then each violation found.

    .venv/bin/python benchmarks/soak.py [--proposals 500] [--reactions 2000] [--kills 5]
        [--seed 17] [--postgresql URL | --no-postgresql] [--no-sqlite]

Exit 0 when no run found a violation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.migrate import upgrade  # noqa: E402
from tests.soak_support import LONG, SoakPlan, run_soak  # noqa: E402

LOCAL_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def _database(postgresql: str, folder: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file in `folder`, or a PostgreSQL database
    made on the server at `postgresql` and dropped afterwards."""
    if not postgresql:
        url = f"sqlite:///{folder}/soak.db"
        upgrade(url)
        yield url
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.urls import sync_url

    name = f"postgate_soak_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(postgresql), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(postgresql).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def soak_once(plan: SoakPlan, postgresql: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp, _database(postgresql, Path(tmp)) as url:
        result = asyncio.run(run_soak(plan, database_url=url, workdir=Path(tmp)))
        print(result.summary(), flush=True)
        for line in result.violations:
            print(f"  {line}")
        if not result.drained:
            print("  the outbox had not drained when the checks ran")
        return not result.violations and result.drained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=LONG.proposals)
    parser.add_argument("--reactions", type=int, default=LONG.reactions)
    parser.add_argument("--kills", type=int, default=LONG.kills)
    parser.add_argument("--outages", type=int, default=LONG.outages)
    parser.add_argument("--ideas", type=int, default=LONG.ideas)
    parser.add_argument("--seed", type=int, default=LONG.seed)
    parser.add_argument("--postgresql", default=LOCAL_POSTGRESQL, help="a server to soak on")
    parser.add_argument("--no-postgresql", action="store_true", help="soak on SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="soak on PostgreSQL only")
    args = parser.parse_args()
    plan = replace(
        LONG,
        proposals=args.proposals,
        reactions=args.reactions,
        kills=args.kills,
        outages=args.outages,
        ideas=args.ideas,
        seed=args.seed,
    )
    ok = True
    if not args.no_sqlite:
        ok = soak_once(plan, "") and ok
    if not args.no_postgresql:
        ok = soak_once(plan, args.postgresql) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
