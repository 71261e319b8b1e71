"""Delivery keys (`handlers.delivery`): the same Slack delivery always gets the same key.

Events carry Slack's own `event_id`. Slash commands and form submissions carry no
such id, so their key is a hash: of the command's `trigger_id` (unique per command
typed), or of the view's id and the submitted state. Hashes, not the values, because
a trigger id is a short-lived credential of a kind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bot.platforms.slack.events import SlashCommand


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def command_key(command: SlashCommand, body: Mapping[str, Any]) -> str:
    if command.trigger_id:
        return f"slack-command:{_digest(command.trigger_id)}"
    return f"slack-command:{_digest(json.dumps(body, sort_keys=True, default=str))}"


def form_key(body: Mapping[str, Any]) -> str:
    view = body.get("view")
    view_id = str(view.get("id") or "") if isinstance(view, Mapping) else ""
    state = json.dumps(view.get("state") if isinstance(view, Mapping) else None, sort_keys=True)
    user = body.get("user")
    user_id = str(user.get("id") or "") if isinstance(user, Mapping) else ""
    if view_id:
        return f"slack-form:{_digest(view_id, user_id, state)}"
    return f"slack-form:{_digest(json.dumps(body, sort_keys=True, default=str))}"


def event_key(event_id: str) -> str:
    return f"slack-event:{event_id}"
