"""What docs/deploy.md ships and tells an IT officer to run: the systemd unit passes
`systemd-analyze verify`, and a pg_dump backup restores into a database postgate
serves, with every proposal in it (the restore drill, step by step)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.databases import PG_ENV, PostgresTemplate
from tests.process_support import child_env, run_postgate

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "deploy" / "postgate.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    # The unit names /opt/postgate; verify checks the command exists, so point it here.
    postgate = Path(sys.executable).parent / "postgate"
    unit = tmp_path / "postgate.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/postgate/.venv/bin/postgate", str(postgate)),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "postgate.service" not in done.stderr, done.stderr  # no warning about our unit


def test_the_unit_runs_postgate_run_and_restarts_on_failure() -> None:
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    assert "ExecStart=/opt/postgate/.venv/bin/postgate run" in lines
    assert "Restart=on-failure" in lines
    assert "EnvironmentFile=/etc/postgate/postgate.env" in lines


def libpq(url: str) -> str:
    """The URL pg_dump and psql take: no `+psycopg` driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def postgres(pg_template: PostgresTemplate | None) -> Iterator[str]:
    if pg_template is None:
        pytest.skip(f"PostgreSQL only: set {PG_ENV}")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    with pg_template.clone() as url:
        yield url


@pytest.fixture
def empty_database(pg_template: PostgresTemplate | None) -> Iterator[str]:
    assert pg_template is not None
    base = os.environ[PG_ENV]
    name = f"postgate_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield pg_template.url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_restore_drill(postgres: str, empty_database: str, tmp_path: Path) -> None:
    # Some history to keep: a proposal approved, one waiting.
    script = (
        "/as alex\n/propose Our new leaflet is out: pick one up at the market on Saturday.\n"
        "/as editor\n/react 1 white_check_mark\n"
        "/as bob\n/propose Come to the branch meeting on Tuesday at 7pm.\n"
    )
    run_postgate("run", "--local", env=child_env(postgres), cwd=tmp_path, input=script)

    # 1. The nightly backup: pg_dump in its custom format.
    backup = tmp_path / "postgate.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={backup}", libpq(postgres)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # 2. The drill: restore into an empty database...
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={libpq(empty_database)}",
            str(backup),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # 3. ...which postgate doctor passes, holding every proposal.
    restored_env = child_env(empty_database)
    doctor = run_postgate("doctor", env=restored_env, cwd=tmp_path, check=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "schema current" in doctor.stdout

    def proposals(url: str) -> list[dict[str, object]]:
        listed = run_postgate("proposals", "--json", env=child_env(url), cwd=tmp_path)
        return list(json.loads(listed.stdout))

    original = proposals(postgres)
    assert [p["status"] for p in original] == ["pending", "approved"]
    assert proposals(empty_database) == original
