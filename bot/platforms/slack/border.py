"""HTTP mode's border: what reaches bolt is signed, well formed, and parsed right.

Two gaps in slack-bolt 1.x's own handling of a raw body are closed here:

- Its body parser (`slack_bolt.request.internals.parse_body`) takes any form body
  in which the text "payload" appears for an interaction, whose JSON sits in a
  `payload` field; a slash command has no such field, so it parses to `{}` and
  bolt answers 404. A member whose name, channel or draft holds the word could not
  use postgate. Here the body is parsed as Slack sends it (a `payload` field, and
  only that, is an interaction) and bolt is handed the parsed body.
- A body that is not JSON (`{x`), bytes that are not UTF-8, or a timestamp that
  is not a number raise inside bolt or slack_sdk's verifier: a 500 and a
  traceback each. Here the signature is checked first, the timestamp and body
  are checked before anything parses them, and a refusal is a 401 (a 400 for a
  body that cannot be judged or is signed junk) and one log line.

bolt's own signature check still runs on the request handed to it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

# Seconds since 1970 have ten digits until 2286: a longer "timestamp" is junk (and a
# few thousand digits would make int() itself refuse it).
_TIMESTAMP_DIGITS = 12


class Refused(Exception):
    """A request turned away at the border: the HTTP status and why, for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_signature(
    *, body: bytes, headers: Mapping[str, str], verifier: SignatureVerifier
) -> None:
    """Refused (401) unless Slack signed `body` in the last five minutes."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        raise Refused(401, "it has no signature headers")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _TIMESTAMP_DIGITS):
        raise Refused(401, "its timestamp is not a time")
    try:
        valid = verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except UnicodeDecodeError:
        # Slack signs UTF-8 text; slack_sdk cannot even compute a signature for this.
        raise Refused(400, "its body is not UTF-8 text") from None
    if not valid:
        raise Refused(401, "its signature is wrong or it is more than five minutes old")


def parse_body(text: str, *, content_type: str | None) -> dict[str, Any]:
    """The body as Slack sends it: JSON (events), or a form whose `payload` field holds
    an interaction's JSON, or a plain form (slash commands). ValueError if it is none."""
    if content_type == "application/json" or text.startswith("{"):
        parsed: object = json.loads(text)
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        parsed = json.loads(form["payload"]) if "payload" in form else form
    if not isinstance(parsed, dict):
        raise ValueError("not a JSON object")
    return parsed


def bolt_request(
    *,
    body: bytes,
    headers: Mapping[str, str],
    query: str,
    content_type: str | None,
    verifier: SignatureVerifier,
) -> AsyncBoltRequest:
    """A request bolt can dispatch as it is, or Refused."""
    verify_signature(body=body, headers=headers, verifier=verifier)
    text = body.decode("utf-8")  # the signature check decoded it already
    try:
        parsed = parse_body(text, content_type=content_type)
    except (ValueError, RecursionError):  # JSONDecodeError, or JSON nested past the stack
        raise Refused(400, "its body is neither JSON nor a form Slack sends") from None
    # bolt parses the raw body again in its constructor; give it none to parse, then the
    # raw body its signature check reads and the body as parsed here.
    request = AsyncBoltRequest(body="", query=query, headers=dict(headers))
    request.raw_body = text
    request.body = parsed
    request.context = build_async_context(AsyncBoltContext({}), parsed)
    return request
