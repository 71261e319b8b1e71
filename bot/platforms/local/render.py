"""The neutral message as terminal lines, each naming where it was posted.

Text is made safe for a terminal: control characters (escape sequences that
could recolour or rewrite the screen) are dropped from everything shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.messages import Mention, Message, Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
INDENT = "  "


def clean(value: str) -> str:
    """Printable text only; tabs become spaces."""
    return _CONTROL.sub("", value.replace("\t", "    ").replace("\r\n", "\n"))


def inline(value: str | Text) -> str:
    if isinstance(value, str):
        return clean(value)
    return "".join(
        "@" + clean(part.label or part.id) if isinstance(part, Mention) else clean(part)
        for part in value
    )


def render(
    message: Message,
    *,
    where: str,
    updated: bool = False,
    attachments: Sequence[str] | None = None,
) -> list[str]:
    """`[where] title` then the rest indented; the member's own words behind `| `.

    `attachments`: what to show for each attachment (where it was written); by default
    its name.
    """
    head: list[str] = []
    body: list[str] = []
    title = clean(message.title)
    if updated:
        title = f"(card updated) {title}" if title else "(card updated)"
    if title:
        head.append(title)
    body.extend(inline(message.body).splitlines() if message.body else [])
    if message.quote is not None:
        body.extend("| " + line for line in (clean(message.quote).splitlines() or [""]))
    for field in message.fields:
        value = inline(field.value).splitlines() or [""]
        body.append(f"{clean(field.name)}: {value[0]}")
        body.extend(INDENT + line for line in value[1:])
    if message.footer:
        body.extend("-- " + line for line in inline(message.footer).splitlines())
    if attachments is None:
        attachments = [a.filename for a in message.attachments]
    body.extend(f"[attachment: {clean(label)}]" for label in attachments)
    if not head:
        head, body = body[:1] or [""], body[1:]
    return [f"[{where}] {head[0]}", *(INDENT + line for line in body)]
