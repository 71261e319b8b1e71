"""One database URL, two drivers: async for the app, sync for Alembic and APScheduler."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url

_ASYNC = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str, table: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in table:
        raise ValueError(
            f"postgate supports SQLite and PostgreSQL databases, not {backend!r} "
            "(check DATABASE_URL)"
        )
    return parsed.set(drivername=table[backend])


def async_url(url: str) -> URL:
    return _with_driver(url, _ASYNC)


def sync_url(url: str) -> URL:
    return _with_driver(url, _SYNC)


def safe_url(url: str) -> str:
    """The URL with any password hidden, for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database; None for an in-memory one, a `file:` URI (which
    may name either) and other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)
