"""A neutral Message as Discord messages: escaping, exact allowed mentions, limits."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.platforms.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    SHORTENED,
    render,
)
from handlers.messages import Attachment, Mention, Message, MessageField, Tone, text

ROLE = "850000000000000001"
USER = "870000000000000001"


def test_user_text_pings_no_one_and_shows_as_typed() -> None:
    draft = f"Hi @everyone and @here, ask <@&{ROLE}> or <@{USER}> **now**"
    (part,) = render(Message(title="Card", body=draft, quote=draft))
    description = part.embeds[0].description or ""
    assert "@everyone" not in description and "@here" not in description
    assert f"<@&{ROLE}>" not in description and f"<@{USER}>" not in description
    assert "@\u200beveryone" in description
    assert "\\*\\*now\\*\\*" in description  # markdown shows as typed
    assert part.content == ""
    assert dict(part.allowed_mentions.to_dict()) == {"parse": [], "users": [], "roles": []}


def test_only_deliberate_mentions_may_ping() -> None:
    message = Message(
        body=text("Decided by ", Mention.group(ROLE, "editors"), " for ", Mention.user(USER)),
        fields=(MessageField("Who", text(Mention.user(USER))),),
    )
    (part,) = render(message)
    assert part.content == f"<@&{ROLE}> <@{USER}>"
    assert dict(part.allowed_mentions.to_dict()) == {
        "parse": [],
        "users": [int(USER)],
        "roles": [int(ROLE)],
    }
    assert f"<@&{ROLE}>" in (part.embeds[0].description or "")


def test_a_mention_without_a_discord_id_is_plain_text() -> None:
    (part,) = render(Message(body=text("Ask ", Mention.group("editors", "the editors"))))
    assert "@the editors" in (part.embeds[0].description or "")
    assert dict(part.allowed_mentions.to_dict()) == {"parse": [], "users": [], "roles": []}


def test_tone_has_a_text_marker_besides_colour() -> None:
    for tone, marker in ((Tone.SUCCESS, "✅"), (Tone.WARNING, "⚠️"), (Tone.DANGER, "⛔")):
        (part,) = render(Message(title="Proposal 1", tone=tone))
        assert (part.embeds[0].title or "").startswith(marker)
    (part,) = render(Message(body="x", tone=Tone.WARNING))
    assert part.embeds[0].title == "⚠️ Warning"
    (part,) = render(Message(body="x"))
    assert part.embeds[0].title is None


def test_footer_is_raw_text() -> None:
    (part,) = render(Message(body="x", footer="Proposal 3, version 2 (a_b)"))
    assert part.embeds[0].footer.text == "Proposal 3, version 2 (a_b)"


def test_a_long_draft_is_split_across_embeds_within_limits() -> None:
    draft = "\n".join(f"Line {i}: " + "word " * 30 for i in range(200))  # ~32 000 characters
    message = Message(
        title="Long",
        body="Please read:",
        quote=draft,
        fields=tuple(MessageField(f"F{i}", "v " * 700) for i in range(30)),
    )
    parts = render(message)
    assert len(parts) > 1
    shown = ""
    for part in parts:
        assert len(part.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL_LIMIT
        for embed in part.embeds:
            assert len(embed.description or "") <= DESCRIPTION_LIMIT
            assert len(embed.fields) <= FIELDS_PER_EMBED
            assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)
            shown += embed.description or ""
    assert "Line 199:" in shown  # nothing lost


def test_a_card_that_is_too_long_stays_one_message_and_says_it_is_shortened() -> None:
    draft = "word " * 4000
    (part,) = render(Message(title="Card", quote=draft), single=True)
    assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL_LIMIT
    assert (part.embeds[-1].description or "").endswith(SHORTENED)


@settings(max_examples=60, deadline=None)
@given(
    body=st.text(max_size=9000),
    quote=st.one_of(st.none(), st.text(max_size=9000)),
    fields=st.lists(st.text(max_size=1500), max_size=30),
)
def test_any_message_fits_discords_limits(body: str, quote: str | None, fields: list[str]) -> None:
    message = Message(
        title="t" * 300,
        body=body,
        quote=quote,
        fields=tuple(MessageField("n" * 300, v) for v in fields),
        footer="f" * 3000,
    )
    for single in (False, True):
        parts = render(message, single=single)
        assert parts
        if single:
            assert len(parts) == 1
        for part in parts:
            assert len(part.content) <= CONTENT_LIMIT
            assert 1 <= len(part.embeds) <= EMBEDS_PER_MESSAGE
            assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL_LIMIT
            for embed in part.embeds:
                assert len(embed.title or "") <= 256
                assert len(embed.description or "") <= DESCRIPTION_LIMIT
                assert len(embed.footer.text or "") <= 2048
                for f in embed.fields:
                    assert 1 <= len(f.name or "") <= 256
                    assert 1 <= len(f.value or "") <= FIELD_VALUE_LIMIT


def test_an_image_attachment_is_shown_in_the_embed() -> None:
    chart = Attachment("chart.png", b"\x89PNG...", content_type="image/png")
    (part,) = render(Message(title="KPIs", body="x", attachments=(chart,)))
    assert part.files == (("chart.png", b"\x89PNG..."),)
    assert part.embeds[-1].image.url == "attachment://chart.png"


LIVE_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")


def test_every_masked_link_in_a_line_is_escaped() -> None:
    draft = (
        "Please [donate here](https://evil.example/a) or [here](https://evil.example/b) "
        "**now** [and](https://evil.example/c)\n[next line](https://evil.example/d)"
    )
    (part,) = render(Message(title="Card", body=draft, quote=draft))
    description = part.embeds[0].description or ""
    assert not LIVE_LINK.search(description), description
    assert description.count("\\[") == 8
    assert "\\*\\*now\\*\\*" in description  # the markdown between the links too
    assert "https://evil.example/a" in description  # the address still shows as typed
