"""A neutral `Message` as Slack Block Kit.

Every plain string is escaped (`&`, `<`, `>`), so a draft that says `<!channel>`,
`<@U123>` or `<https://x|click>` shows as text and pings or links no one. Only a
`Mention` becomes live markup. Long text is split under Slack's limits (3,000
characters a section, 2,000 a field, 10 fields a section, 50 blocks a message):
plain text at gentle boundaries by `handlers.textsplit`, text with mentions by
word, never inside a mention or an `&amp;`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from handlers.messages import Inline, Mention, MentionKind, Message, Text, Tone
from handlers.textsplit import split_text

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_ELEMENTS = 10
MAX_BLOCKS = 50
FALLBACK_LIMIT = 3000  # the notification text; Slack truncates far later, people read less

Block = dict[str, Any]

# Meaning never rides on colour alone: each tone has an emoji and a word.
_TONE: dict[Tone, tuple[str, str]] = {
    Tone.NEUTRAL: ("", ""),
    Tone.INFO: (":information_source:", "For information"),
    Tone.SUCCESS: (":white_check_mark:", "Done"),
    Tone.WARNING: (":warning:", "Please check"),
    Tone.DANGER: (":no_entry:", "Not done"),
}
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """What `chat.postMessage`/`chat.update`/`respond` take: fallback text and blocks."""

    text: str
    blocks: list[Block]


def escape(value: str) -> str:
    """Slack's three control characters as entities: user text can never become markup."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention_markup(mention: Mention) -> str:
    if mention.kind is MentionKind.USER:
        return f"<@{mention.id}>"
    return f"<!subteam^{mention.id}>"


def _atoms(value: str | Text) -> Iterator[str]:
    """Rendered pieces that must not be cut: escaped words and whole mentions."""
    parts: Iterable[Inline] = (value,) if isinstance(value, str) else value
    for part in parts:
        if isinstance(part, Mention):
            yield mention_markup(part)
            continue
        for word in _WORDS.findall(part):
            yield escape(word)


def _pack(atoms: Iterable[str], limit: int) -> list[str]:
    """Greedy packing of atoms into chunks of at most `limit` characters; an atom
    longer than the limit (a very long word) is cut between characters, never
    inside an entity such as `&amp;`."""
    chunks: list[str] = []
    current = ""
    for atom in atoms:
        while len(atom) > limit:
            cut = limit - len(current)
            amp = atom.rfind("&", max(0, cut - 5), cut)
            if amp != -1 and ";" not in atom[amp:cut]:
                cut = amp
            if cut <= 0:
                chunks.append(current)
                current = ""
                continue
            chunks.append(current + atom[:cut])
            current, atom = "", atom[cut:]
        if len(current) + len(atom) > limit:
            chunks.append(current)
            current = ""
        current += atom
    if current or not chunks:
        chunks.append(current)
    return [c for c in (chunk.rstrip() for chunk in chunks) if c]


def mrkdwn(value: str | Text) -> str:
    """One line of text as mrkdwn, unsplit."""
    return "".join(_atoms(value))


def split_mrkdwn(value: str | Text, *, limit: int = SECTION_LIMIT) -> list[str]:
    if not isinstance(value, str) and all(isinstance(p, str) for p in value):
        value = "".join(p for p in value if isinstance(p, str))
    if isinstance(value, str):
        return _split_plain(value, limit)
    return _pack(_atoms(value), limit)


def _split_plain(value: str, limit: int, raw_limit: int | None = None) -> list[str]:
    """Split at gentle boundaries, then escape; a chunk that escaping made longer than
    `limit` (many `&`, `<`, `>`) is split again more finely."""
    out: list[str] = []
    for chunk in split_text(value, limit=raw_limit or limit):
        escaped = escape(chunk)
        if len(escaped) <= limit:
            out.append(escaped)
        else:
            finer = max(1, min(len(chunk) - 1, limit * len(chunk) // len(escaped) - 1))
            out.extend(_split_plain(chunk, limit, finer))
    return out


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _quote_lines(quote: str) -> Iterator[str]:
    for line in quote.splitlines() or [""]:
        # The `>` is our markup; the member's words inside it are escaped.
        for piece in _pack(_atoms(line), SECTION_LIMIT - 2) or [""]:
            yield ">" + (" " + piece if piece else "")


def _quote_blocks(quote: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in _quote_lines(quote):
        if current and size + len(line) + 1 > SECTION_LIMIT:
            blocks.append(_section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(_section("\n".join(current)))
    return blocks


def _field_blocks(message: Message) -> list[Block]:
    blocks: list[Block] = []
    short: list[dict[str, str]] = []
    for field in message.fields:
        name = f"*{escape(field.name)}*"
        value = mrkdwn(field.value)
        if len(name) + 1 + len(value) <= FIELD_LIMIT:
            short.append({"type": "mrkdwn", "text": f"{name}\n{value}"})
            continue
        # Too long for a field: its own sections, name first.
        for i, chunk in enumerate(split_mrkdwn(field.value, limit=SECTION_LIMIT - len(name) - 1)):
            blocks.append(_section(f"{name}\n{chunk}" if i == 0 else chunk))
    grouped = [
        {"type": "section", "fields": short[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(short), FIELDS_PER_SECTION)
    ]
    return grouped + blocks


def _context_blocks(value: str | Text) -> list[Block]:
    elements = [{"type": "mrkdwn", "text": chunk} for chunk in split_mrkdwn(value)]
    return [
        {"type": "context", "elements": elements[i : i + CONTEXT_ELEMENTS]}
        for i in range(0, len(elements), CONTEXT_ELEMENTS)
    ]


def render(message: Message, *, attachments_note: str | None = None) -> SlackMessage:
    """The message as Block Kit plus a fallback text for notifications.

    Attachments are named in a last line; `attachments_note` (plain text) replaces it
    once the adapter knows where the files went or why they could not be attached."""
    emoji, word = _TONE[message.tone]
    blocks: list[Block] = []
    if message.title:
        title = f"*{escape(message.title)}*"
        blocks.append(_section(f"{emoji} {title}" if emoji else title))
    elif emoji:
        blocks.append(_context(f"{emoji} {word}"))
    blocks.extend(_section(chunk) for chunk in split_mrkdwn(message.body))
    if message.quote is not None:
        blocks.extend(_quote_blocks(message.quote))
    blocks.extend(_field_blocks(message))
    if message.footer:
        blocks.extend(_context_blocks(message.footer))
    # Where the files are must survive shortening: it is kept as the last block.
    last = _attachments_block(message, attachments_note)
    room = MAX_BLOCKS - len(last)
    if len(blocks) > room:
        blocks = [*blocks[: room - 1], _context("(shortened: too long for one message)")]
    return SlackMessage(text=fallback_text(message), blocks=blocks + last)


def _attachments_block(message: Message, note: str | None) -> list[Block]:
    if not message.attachments:
        return []
    names = ", ".join(escape(a.title or a.filename) for a in message.attachments)
    line = f":paperclip: {escape(note)}" if note else f"Attached: {names}"
    return [_context(line)]


def fallback_text(message: Message) -> str:
    """The notification line: the title, else the start of the body; escaped."""
    emoji, _word = _TONE[message.tone]
    source: str | Text = message.title or message.body or message.quote or ""
    chunks = _pack(_atoms(source), FALLBACK_LIMIT - 4)
    head = (chunks[0] + (" …" if len(chunks) > 1 else "")) if chunks else ""
    text = f"{emoji} {head}".strip() if emoji else head
    return text or "postgate"
