"""Bearer values kept out of the logs, at every level, whichever library logs them.

At DEBUG, slack_sdk logs every `response_url` it posts to, Socket Mode and
discord.py log whole payloads (a Discord interaction's `token`, a slash
command's `response_url`), and discord.py logs the URLs of interaction
callbacks and follow-ups, which carry the interaction token. Each of those
lets whoever reads the log answer as postgate, so they are replaced with
`[redacted]` before any handler sees the record.

The redaction is a log record factory rather than a filter on the loggers: a
logger's filter sees only the records logged on that very logger, not those
of its children (`slack_sdk.web.async_base_client`, `discord.gateway`, ...),
and a handler's filter misses handlers added later. The factory runs once for
every record that passes its logger's level, whatever logger and handler.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "[redacted]"

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack's response URLs and incoming webhooks: the whole path is the credential.
    (re.compile(r"(https?:(?://|\\/\\/)hooks\.slack(?:-gov)?\.com)[^\s'\"<>]*"), rf"\1/{REDACTED}"),
    # The same shape on any host (GovSlack, a stand-in): /commands/TEAM/ID/TOKEN.
    (
        re.compile(
            r"((?:/|\\/)(?:commands|actions)(?:/|\\/)\w+(?:/|\\/)\d+(?:/|\\/))[^\s/\\'\"?&]+"
        ),
        rf"\1{REDACTED}",
    ),
    # Discord: /interactions/ID/TOKEN/callback and /webhooks/APP/TOKEN carry the token.
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[^\s/'\"?&]+"), rf"\1{REDACTED}"),
    # A password inside a URL, such as DATABASE_URL's postgresql://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:)[^\s@/'\"]+@"), rf"\1{REDACTED}@"),
    # Slack tokens: bot, user, app-level, refresh, configuration.
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+"), REDACTED),
    (re.compile(r"\b(Bot|Bearer) [A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    # A value under a secret's name, in a dict, JSON or a form body.
    (
        re.compile(
            r"""(\b(?:response_url|token|\w+_token|secret|\w+_secret|password)
                 ['"]?\s*[:=]\s*['"]?)[^'"&\s,}]+""",
            re.IGNORECASE | re.VERBOSE,
        ),
        rf"\1{REDACTED}",
    ),
)
_MIN_SECRET = 8  # shorter "secrets" would redact ordinary words

_known: set[str] = set()


def redact(text: str) -> str:
    """`text` with every bearer value it holds replaced by `[redacted]`."""
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


def register_secrets(*values: str | None) -> None:
    """Redact these exact values too (the configured tokens and signing secret)."""
    _known.update(v for v in values if v and len(v) >= _MIN_SECRET)


_formatter = logging.Formatter()


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format call: logging reports it when it emits the record
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text, so the traceback is redacted once, here.
        record.exc_text = redact(_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class _RedactingFactory:
    def __init__(self, base: Callable[..., logging.LogRecord]) -> None:
        self.base = base

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.base(*args, **kwargs)
        _redact_record(record)
        return record


def install_log_redaction(*, secrets: Iterable[str | None] = ()) -> None:
    """Redact every log record from now on; safe to call more than once."""
    register_secrets(*secrets)
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(current))
