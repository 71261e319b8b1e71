"""Shared fixtures. `database_url` runs a test once per backend: SQLite always,
PostgreSQL too when POSTGATE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.db import Database
from tests.databases import PG_ENV, PostgresTemplate, backends, sqlite_url

# Tests never read the developer's own settings: none of the environment's (every
# setting's name, and any postgate-looking one a newer setting may add), and never
# the .env file (`_no_dotenv` below runs each test in a folder of its own).
_SETTING_NAMES = {str(f.alias) for f in Settings.model_fields.values() if f.alias}
for _name in list(os.environ):
    if _name == PG_ENV:
        continue
    if _name in _SETTING_NAMES or _name.startswith(("SLACK_", "DISCORD_", "POSTGATE_")):
        del os.environ[_name]


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PostgresTemplate | None]:
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    template = PostgresTemplate(base)
    yield template
    template.drop()


@pytest.fixture(params=backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_template: PostgresTemplate | None
) -> Iterator[str]:
    """A fresh database at the newest schema, on each backend in turn."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    assert pg_template is not None
    with pg_template.clone() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # pydantic-settings reads .env from the working directory; run tests elsewhere.
    monkeypatch.chdir(tmp_path)
