"""Fresh, migrated databases for tests: a SQLite file, and PostgreSQL when
POSTGATE_TEST_DATABASE_URL is set (CI sets it).

Each test gets its own database copied from a migrated template (a file for SQLite,
a template database for PostgreSQL), so tests (and parallel runs) never see each
other's rows, and the migrations run once per session, not once per test.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.migrate import upgrade
from storage.urls import sync_url

PG_ENV = "POSTGATE_TEST_DATABASE_URL"


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def _admin_engine(base_url: str):  # type: ignore[no-untyped-def]
    return create_engine(sync_url(base_url), isolation_level="AUTOCOMMIT")


class PostgresTemplate:
    """A migrated template database, made once per test session."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"postgate_tpl_{uuid.uuid4().hex[:12]}"
        engine = _admin_engine(base_url)
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()
        upgrade(self.url_for(self.name))

    def url_for(self, name: str) -> str:
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    @contextmanager
    def clone(self) -> Iterator[str]:
        name = f"postgate_t_{uuid.uuid4().hex[:12]}"
        engine = _admin_engine(self.base_url)
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
            yield self.url_for(name)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()

    def drop(self) -> None:
        engine = _admin_engine(self.base_url)
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


class SqliteTemplate:
    """A migrated SQLite file, made once per test session; each test gets a copy."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "postgate-template.db"
        upgrade(f"sqlite:///{self.path}")

    def copy_to(self, directory: Path) -> str:
        target = directory / "postgate-test.db"
        # SQLite's own backup: a consistent copy whatever its journal mode left beside it.
        with (
            closing(sqlite3.connect(self.path)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return f"sqlite:///{target}"
