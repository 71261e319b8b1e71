"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from storage.urls import sqlite_file, sync_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # `%` would be read as interpolation by configparser.
    rendered = sync_url(url).render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", rendered)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision`; safe to run at every start."""
    command.upgrade(alembic_config(url), revision)


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None  # None: no postgate tables yet
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(url: str) -> SchemaState:
    """Where the schema at `url` stands against the migrations shipped, changing nothing.
    A SQLite file that does not exist is not created."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return SchemaState(current=None, head=head)
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    return SchemaState(current=current, head=head)
