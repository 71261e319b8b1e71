"""Any exception that ends a command, as one line for the operator (never a traceback).

Configuration problems say which setting and the fix; a database that cannot be
reached or does not exist says so with its address (password hidden); anything else
names its kind and points to POSTGATE_LOG_LEVEL=DEBUG, which shows the traceback.
"""

from __future__ import annotations

import re
import sqlite3

import psycopg
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.startup.errors import CONFIG_EXIT, ConfigError

UNEXPECTED_EXIT = 1
_FIXES = {
    "int_parsing": "write it in digits, for example 2",
    "bool_parsing": "use true or false",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
}


# What a setting's value is not, in plain words, where pydantic's own would puzzle.
_PLAIN = {"int_parsing": "is not a whole number", "bool_parsing": "is not true or false"}


def settings_error(exc: ValidationError) -> ConfigError:
    """The first invalid setting of a `ValidationError` (its input shown only when it is
    not a secret: no secret setting is validated beyond being text)."""
    error = exc.errors()[0]
    setting = ".".join(str(part) for part in error["loc"]) or "a setting"
    problem = str(error["msg"]).removeprefix("Value error, ")
    shown = error.get("input")
    if isinstance(shown, str) and error["type"] != "value_error":
        plain = _PLAIN.get(str(error["type"]), f"is not valid ({problem[:1].lower()}{problem[1:]})")
        problem = f"{shown!r} {plain}"
    # Our own validators say the fix after "; ".
    problem, _, fix = problem.partition("; ")
    fix = fix or _FIXES.get(str(error["type"]), "see .env.example for what it takes")
    if error["type"] == "int_parsing" and setting.upper().startswith("DISCORD_"):
        fix = "use the id's digits (Developer Mode on, right-click it, Copy ID)"
    return ConfigError(setting=setting, problem=problem, fix=fix)


def database_error(exc: BaseException, *, url: str) -> ConfigError:
    """A database that failed to open or answer, said plainly."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(original).split())
    where = _where(url)
    missing = re.search(r'database "([^"]+)" does not exist', text)
    if missing:
        return ConfigError(
            setting="DATABASE_URL",
            problem=f"the database {missing.group(1)} does not exist on {where}",
            fix=f"create it (createdb {missing.group(1)}, see docs/deploy.md) or correct the name",
        )
    if re.search(
        r"password authentication failed|no password supplied|role .* does not exist", text
    ):
        user = make_url(url).username or "(none)"
        return ConfigError(
            setting="DATABASE_URL",
            problem=f"PostgreSQL at {where} refused the user {user}",
            fix="check the user name and password in the URL",
        )
    if re.search(
        r"Connection refused|could not connect|timeout expired|Name or service not known|"
        r"could not translate host|No route to host|connection failed",
        text,
    ):
        return ConfigError(
            setting="DATABASE_URL",
            problem=f"cannot reach PostgreSQL at {where}",
            fix="start the server, or correct the host and port (postgate doctor checks it)",
        )
    if isinstance(original, sqlite3.Error) and "unable to open" in text:
        return ConfigError(
            setting="DATABASE_URL",
            problem=f"cannot open the SQLite file {where}",
            fix="check its folder exists and postgate's user may write there",
        )
    return ConfigError(
        setting="DATABASE_URL",
        problem=f"the database at {where} failed: {text[:200]}",
        fix="run postgate doctor, or set POSTGATE_LOG_LEVEL=DEBUG for the details",
    )


def is_database_error(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError | psycopg.Error | sqlite3.Error)


def one_line(exc: BaseException, *, url: str | None) -> tuple[str, int]:
    """The line to print and the exit status, for an exception that ended a command."""
    if isinstance(exc, ValidationError):
        return str(settings_error(exc)), CONFIG_EXIT
    if (isinstance(exc, ArgumentError) or is_database_error(exc)) and url is not None:
        return str(database_error(exc, url=url)), CONFIG_EXIT
    if isinstance(exc, ConfigError):
        return str(exc), CONFIG_EXIT
    summary = " ".join(str(exc).split())[:200]
    return (
        f"stopped by an unexpected {type(exc).__name__}"
        + (f": {summary}" if summary else "")
        + " (set POSTGATE_LOG_LEVEL=DEBUG to see where)",
        UNEXPECTED_EXIT,
    )


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    host = parsed.host or "localhost"
    port = parsed.port or 5432
    return f"{host}:{port}"
