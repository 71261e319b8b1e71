"""Slack payloads parsed once, at the border, into small typed records.

Nothing past this module reads a raw Slack dict. A payload that lacks what we need
raises `BadPayload` (logged and ignored by the caller: bad input changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.emoji import emoji_name
from handlers.port import MessageRef

FORM_CALLBACK_ID = "postgate_form"
FORM_BLOCK_ID = "draft"
FORM_ACTION_ID = "text"


class BadPayload(ValueError):
    """A payload without the fields postgate needs."""


def workspace_key(team_id: str) -> str:
    return f"slack:{team_id}"


def unescape(value: str) -> str:
    """Slack sends `&`, `<`, `>` typed by members as entities; store what they wrote.
    (Our renderer escapes again on the way out, so nothing typed can become markup.)"""
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(data: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if required:
        raise BadPayload(f"missing {key}")
    return ""


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise BadPayload(f"missing {key}")
    return value


# Not frozen, unlike the other records: one is built before every ack, and a frozen
# dataclass's __init__ sets each field through object.__setattr__, twice the cost.
@dataclass(slots=True, kw_only=True)
class SlashCommand:
    team_id: str
    user_id: str
    user_name: str
    command: str  # without the slash
    text: str
    channel_id: str
    response_url: str
    trigger_id: str


def parse_command(body: Mapping[str, Any]) -> SlashCommand:
    return SlashCommand(
        team_id=_text(body, "team_id"),
        user_id=_text(body, "user_id"),
        user_name=_text(body, "user_name", required=False),
        command=_text(body, "command").lstrip("/").lower(),
        text=unescape(str(body.get("text") or "")).strip(),
        channel_id=_text(body, "channel_id", required=False),
        response_url=_text(body, "response_url", required=False),
        trigger_id=_text(body, "trigger_id", required=False),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Reaction:
    team_id: str
    event_id: str
    user_id: str
    emoji: str  # canonical name, skin tone dropped
    added: bool
    message: MessageRef


def parse_reaction(body: Mapping[str, Any]) -> Reaction | None:
    """An event_callback envelope with a reaction; None when the reaction is not on a
    message (a file, a file comment): those can never be review cards."""
    event = _mapping(body, "event")
    kind = _text(event, "type")
    if kind not in ("reaction_added", "reaction_removed"):
        raise BadPayload(f"not a reaction: {kind}")
    item = _mapping(event, "item")
    if item.get("type") != "message":
        return None
    team_id = _text(body, "team_id", required=False) or _text(event, "team", required=False)
    if not team_id:
        raise BadPayload("missing team_id")
    return Reaction(
        team_id=team_id,
        event_id=_text(body, "event_id"),
        user_id=_text(event, "user"),
        emoji=emoji_name(_text(event, "reaction")),
        added=kind == "reaction_added",
        message=MessageRef(channel=_text(item, "channel"), message_id=_text(item, "ts")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class FormContext:
    """What the form remembers between `views.open` and its submission."""

    command: str
    channel_id: str

    def dump(self) -> str:
        return json.dumps({"command": self.command, "channel": self.channel_id})


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSubmission:
    team_id: str
    user_id: str
    user_name: str
    text: str
    context: FormContext


def parse_form_submission(body: Mapping[str, Any]) -> FormSubmission:
    user = _mapping(body, "user")
    view = _mapping(body, "view")
    team = body.get("team")
    team_id = (_text(team, "id", required=False) if isinstance(team, Mapping) else "") or _text(
        user, "team_id"
    )
    try:
        meta = json.loads(_text(view, "private_metadata"))
        context = FormContext(command=str(meta["command"]), channel_id=str(meta["channel"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadPayload("form without its context") from exc
    values = _mapping(_mapping(view, "state"), "values")
    field = _mapping(_mapping(values, FORM_BLOCK_ID), FORM_ACTION_ID)
    return FormSubmission(
        team_id=team_id,
        user_id=_text(user, "id"),
        user_name=_text(user, "name", required=False) or _text(user, "username", required=False),
        text=str(field.get("value") or "").strip(),
        context=context,
    )


def form_view(*, command: str, title: str, prompt: str, channel_id: str) -> dict[str, Any]:
    """The modal `/propose` (with no text) opens: one multi-line field."""
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK_ID,
        "private_metadata": FormContext(command=command, channel_id=channel_id).dump(),
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": FORM_BLOCK_ID,
                "label": {"type": "plain_text", "text": prompt[:2000]},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FORM_ACTION_ID,
                    "multiline": True,
                    "max_length": 3000,
                },
            }
        ],
    }
