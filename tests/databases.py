"""Fresh, migrated databases for tests: a SQLite file, and PostgreSQL when
POSTGATE_TEST_DATABASE_URL is set (CI sets it).

Each PostgreSQL test gets its own database cloned from a migrated template, so
tests (and parallel runs) never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


def sqlite_url(directory: Path) -> str:
    url = f"sqlite:///{directory / 'postgate-test.db'}"
    upgrade(url)
    return url
