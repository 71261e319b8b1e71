"""Attachments as real Slack files, and the words that tell people where they went.

slack-sdk's `files_upload_v2` asks `files.getUploadURLExternal` for an upload URL per
file, POSTs the bytes there, and shares them with `files.completeUploadExternal`: every
step goes through the client built with `SLACK_API_URL`, and the token is never sent
to the upload URL. An upload that fails never breaks the message it belongs to: it is
logged (Slack's error code, never a token or the bytes) and the message says the file
could not be attached.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.errors import error_code
from handlers.messages import Attachment

log = logging.getLogger(__name__)

# Slack's answers that mean "this app may not upload files": the scope is missing or
# the workspace forbids it. An IT officer can fix these; trying again will not.
_NOT_ALLOWED = frozenset(
    {"missing_scope", "not_allowed_token_type", "no_permission", "restricted_action"}
)
_NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


async def upload_files(
    client: AsyncWebClient,
    *,
    channel: str,
    attachments: Sequence[Attachment],
    thread_ts: str | None = None,
    initial_comment: str | None = None,
) -> str | None:
    """Upload and share `attachments` in `channel` (in a thread when `thread_ts` is set).

    Returns None when Slack shared them, else the reason: Slack's error code, or the
    kind of failure when Slack gave none. Never raises for a failed upload."""
    uploads: list[dict[str, Any]] = [_upload_item(a) for a in attachments]
    try:
        await client.files_upload_v2(
            file_uploads=uploads,
            channel=channel,
            thread_ts=thread_ts,
            initial_comment=initial_comment,
        )
    except SlackApiError as exc:
        reason = error_code(exc)
    except (SlackClientError, OSError, TimeoutError) as exc:
        reason = type(exc).__name__
    else:
        return None
    names = ", ".join(a.filename for a in attachments)
    log.warning("Slack file upload of %s to %s failed: %s", names, channel, reason)
    return reason


def _upload_item(attachment: Attachment) -> dict[str, Any]:
    item: dict[str, Any] = {
        "filename": attachment.filename,
        "content": attachment.content,
        "title": attachment.title or attachment.filename,
    }
    if attachment.content_type.startswith("image/") and attachment.title:
        item["alt_txt"] = attachment.title  # read aloud by screen readers
    return item


def _naming(attachments: Sequence[Attachment]) -> tuple[str, str]:
    """`("The chart", "is")` or `("The 2 files", "are")`: what the notes call them."""
    # postgate's only pictures are charts; anything else is a file.
    noun = "chart" if all(a.content_type.startswith("image/") for a in attachments) else "file"
    if len(attachments) == 1:
        return f"The {noun}", "is"
    return f"The {len(attachments)} {noun}s", "are"


def in_direct_messages(attachments: Sequence[Attachment]) -> str:
    what, verb = _naming(attachments)
    return (
        f"{what} {verb} in your DMs with postgate: Slack cannot show files in a reply "
        "only you can see."
    )


def just_above(attachments: Sequence[Attachment]) -> str:
    what, verb = _naming(attachments)
    return f"{what} {verb} just above, in this channel."


def just_below(attachments: Sequence[Attachment]) -> str:
    what, verb = _naming(attachments)
    return f"{what} {verb} just below."


def not_attached(attachments: Sequence[Attachment], *, reason: str) -> str:
    what, _verb = _naming(attachments)
    if reason in _NOT_ALLOWED:
        why = (
            "postgate is not allowed to upload files in this workspace yet. An IT officer "
            "can add the files:write permission to the Slack app and reinstall it."
        )
    elif reason in _NOT_A_MEMBER:
        why = "postgate is not in this channel. Invite it with /invite @postgate."
    else:
        why = "Slack did not accept the upload. Please try again in a few minutes."
    return f"{what} could not be attached: {why}"
