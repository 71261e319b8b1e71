"""A neutral `Message` as Discord messages: embeds, the deliberate mentions, and the
`AllowedMentions` that let exactly those ping.

Every string in a `Message` is plain text, often a member's own words, so it is
escaped (markdown and `@everyone`/`@here`/`<@id>`/`<@&id>`) before it reaches an
embed. Mentions inside an embed never ping on Discord, so the deliberate ones are
repeated in the message content, and the allowed mentions name only them: never
everyone, never anything parsed from user text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import discord

from handlers.messages import Mention, MentionKind, Message, Text, Tone, plain
from handlers.textsplit import clip, split_text

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000

# Colour is never the only carrier of meaning: the title carries a marker too
# (a symbol a screen reader names, and a word when the message has no title).
_TONES = {
    Tone.NEUTRAL: (discord.Colour.light_grey(), "", ""),
    Tone.INFO: (discord.Colour.blue(), "ℹ️", "Note"),
    Tone.SUCCESS: (discord.Colour.green(), "✅", "Done"),
    Tone.WARNING: (discord.Colour.gold(), "⚠️", "Warning"),
    Tone.DANGER: (discord.Colour.red(), "⛔", "Problem"),
}
SHORTENED = "\n… (shortened: the rest does not fit in one Discord message)"


@dataclass(frozen=True, slots=True)
class DiscordMessage:
    """One Discord message: what `send`/`edit` take."""

    content: str
    embeds: tuple[discord.Embed, ...]
    allowed_mentions: discord.AllowedMentions
    files: tuple[tuple[str, bytes], ...] = field(default_factory=tuple)

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]


_BRACKETS = ("[", "]")
_BRACKET_SPLIT = re.compile(r"([\[\]])")


def escape(value: str) -> str:
    """Plain text that shows as typed and pings no one.

    Square brackets are escaped here, and the text between them by discord.py:
    `escape_markdown` matches a masked link `[...](...)` greedily, so on a line with
    two it escaped only the first `[` and left the second link live, and the
    markdown between them unescaped. With the brackets split out no link can match."""
    return discord.utils.escape_mentions(
        "".join(
            "\\" + part if part in _BRACKETS else discord.utils.escape_markdown(part)
            for part in _BRACKET_SPLIT.split(value)
        )
    )


def mention_markup(mention: Mention) -> str:
    if mention.id.isdigit():
        return f"<@{mention.id}>" if mention.kind is MentionKind.USER else f"<@&{mention.id}>"
    return escape("@" + (mention.label or mention.id))


def inline(value: str | Text) -> str:
    """Text with its deliberate mentions as Discord markup and everything else escaped."""
    if isinstance(value, str):
        return escape(value)
    return "".join(escape(p) if isinstance(p, str) else mention_markup(p) for p in value)


def allowed_mentions_for(mentions: tuple[Mention, ...]) -> discord.AllowedMentions:
    """Exactly the deliberate mentions may ping; `@everyone`/`@here` never."""
    numeric = [m for m in mentions if m.id.isdigit()]
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(int(m.id)) for m in numeric if m.kind is MentionKind.USER],
        roles=[discord.Object(int(m.id)) for m in numeric if m.kind is MentionKind.GROUP],
        replied_user=False,
    )


def _quote(draft: str) -> str:
    return "\n".join("> " + escape(line) for line in draft.splitlines() or [""])


def _embeds(message: Message) -> Iterator[discord.Embed]:
    colour, symbol, word = _TONES[message.tone]
    words = discord.utils.escape_mentions(message.title) or word
    title = clip(" ".join(p for p in (symbol, words) if p), TITLE_LIMIT)
    description_parts = [inline(message.body)] if message.body else []
    if message.quote is not None:
        description_parts.append(_quote(message.quote))
    description = "\n\n".join(description_parts)
    pieces = split_text(description, limit=DESCRIPTION_LIMIT) or [""]
    embeds = [discord.Embed(colour=colour, description=piece or None) for piece in pieces]
    if title.strip():
        embeds[0].title = title
    # Footers show raw text: no markdown, no live mentions, so no escaping either.
    footer = clip(plain(message.footer), FOOTER_LIMIT) if message.footer else ""
    last = embeds[-1]
    for item in message.fields:
        values = split_text(inline(item.value), limit=FIELD_VALUE_LIMIT) or ["-"]
        for i, value in enumerate(values):
            name = item.name if i == 0 else f"{item.name} (continued)"
            name = clip(discord.utils.escape_mentions(name), FIELD_NAME_LIMIT) or "-"
            # Each embed stays within one message's total, with room for the footer.
            room = EMBED_TOTAL_LIMIT - len(footer) - len(last)
            if len(last.fields) >= FIELDS_PER_EMBED or len(name) + len(value) > room:
                last = discord.Embed(colour=colour)
                embeds.append(last)
            last.add_field(name=name, value=value, inline=False)
    if footer:
        if len(last) + len(footer) > EMBED_TOTAL_LIMIT:
            last = discord.Embed(colour=colour)
            embeds.append(last)
        last.set_footer(text=footer)
    yield from embeds


def render(message: Message, *, single: bool = False) -> list[DiscordMessage]:
    """The Discord messages that carry `message`, each within Discord's limits.

    `single` keeps it to one message (a review card is edited in place later), shortening
    the end with a visible note when it does not fit.
    """
    mentions = message.mentions()
    content = clip(" ".join(mention_markup(m) for m in mentions), CONTENT_LIMIT)
    allowed = allowed_mentions_for(mentions)
    groups: list[list[discord.Embed]] = [[]]
    total = 0
    for embed in _embeds(message):
        size = len(embed)
        if groups[-1] and (
            len(groups[-1]) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL_LIMIT
        ):
            groups.append([])
            total = 0
        groups[-1].append(embed)
        total += size
    if single and len(groups) > 1:
        groups = [_shorten(groups[0])]
    files = tuple((a.filename, a.content) for a in message.attachments)
    image = next((a for a in message.attachments if a.content_type.startswith("image/")), None)
    if image is not None:
        # Shown inside the card rather than as a loose file below it.
        groups[0][-1].set_image(url=f"attachment://{image.filename}")
    return [
        DiscordMessage(
            content=content if i == 0 else "",
            embeds=tuple(group),
            allowed_mentions=allowed,
            files=files if i == 0 else (),
        )
        for i, group in enumerate(groups)
    ]


def _shorten(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Make room for the "shortened" note at the end: drop trailing fields and embeds,
    then trim the last description."""
    embeds = list(embeds)
    while True:
        last = embeds[-1]
        over = sum(len(e) for e in embeds) + len(SHORTENED) - EMBED_TOTAL_LIMIT
        text = last.description or ""
        keep = min(len(text) - max(0, over), DESCRIPTION_LIMIT - len(SHORTENED))
        if keep >= 0 and (text or over <= 0):
            last.description = text[:keep] + SHORTENED
            return embeds
        if last.fields:
            last.remove_field(-1)
        elif len(embeds) > 1:
            embeds.pop()
        else:
            last.set_footer(text=None)
            last.description = SHORTENED
            return embeds
