"""Slack's answer to a failed call, whatever its shape."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_code(exc: SlackApiError) -> str:
    """Slack's error code: a JSON answer has one; a proxy's or an outage's page (text,
    not JSON) has only its HTTP status."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"
