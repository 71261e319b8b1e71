"""The neutral message model that handlers build and each platform renders its own way.

Strings here are always plain text, never markup: every renderer escapes them, so a
member's draft that says `<!channel>` or `@everyone` shows as text and pings no one.
The only way to ping is a `Mention`, which a handler adds on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class MentionKind(StrEnum):
    USER = "user"
    GROUP = "group"  # a Slack user group, a Discord role, a local group name


@dataclass(frozen=True, slots=True)
class Mention:
    kind: MentionKind
    id: str
    label: str = ""  # shown where the platform cannot render a live mention

    @classmethod
    def user(cls, user_id: str, label: str = "") -> Mention:
        return cls(MentionKind.USER, user_id, label)

    @classmethod
    def group(cls, group_id: str, label: str = "") -> Mention:
        return cls(MentionKind.GROUP, group_id, label)


Inline = str | Mention
Text = tuple[Inline, ...]


def text(*parts: Inline | Iterable[Inline]) -> Text:
    """Flatten strings, mentions and sequences of them into one `Text`."""
    out: list[Inline] = []
    for part in parts:
        if isinstance(part, str | Mention):
            out.append(part)
        else:
            out.extend(part)
    return tuple(out)


def joined(items: Iterable[Inline], sep: str = ", ") -> Text:
    """`a, b, c` with mentions kept as mentions."""
    out: list[Inline] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return tuple(out)


def plain(value: str | Text) -> str:
    """The text with mentions as their labels or ids: for logs, tests and the terminal."""
    if isinstance(value, str):
        return value
    return "".join(p if isinstance(p, str) else "@" + (p.label or p.id) for p in value)


class Tone(StrEnum):
    """How a platform may colour the message; never the only carrier of meaning."""

    NEUTRAL = "neutral"
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class MessageField:
    name: str
    value: str | Text


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """A title, a body, an optional quoted member draft, fields and a footer."""

    body: str | Text = ""
    title: str = ""
    quote: str | None = None  # a member's own words, shown as a quotation
    fields: tuple[MessageField, ...] = field(default_factory=tuple)
    footer: str | Text = ""
    tone: Tone = Tone.NEUTRAL
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)

    def mentions(self) -> tuple[Mention, ...]:
        """Every deliberate mention, so a platform can allow exactly these to ping."""
        found: list[Mention] = []
        parts: list[str | Text] = [self.body, self.footer, *(f.value for f in self.fields)]
        for part in parts:
            if not isinstance(part, str):
                found.extend(p for p in part if isinstance(p, Mention))
        return tuple(dict.fromkeys(found))

    def as_plain_text(self) -> str:
        """All of it as plain text, in reading order."""
        lines: list[str] = []
        if self.title:
            lines.append(self.title)
        if self.body:
            lines.append(plain(self.body))
        if self.quote is not None:
            lines.extend("> " + line for line in self.quote.splitlines() or [""])
        lines.extend(f"{f.name}: {plain(f.value)}" for f in self.fields)
        if self.footer:
            lines.append(plain(self.footer))
        lines.extend(f"[attachment: {a.filename}]" for a in self.attachments)
        return "\n".join(lines)
