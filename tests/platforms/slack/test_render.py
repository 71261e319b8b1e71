"""Block Kit rendering: escaping, deliberate mentions, tone not by colour, Slack's limits."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.platforms.slack.render import (
    FIELD_LIMIT,
    MAX_BLOCKS,
    SECTION_LIMIT,
    render,
)
from handlers.messages import Mention, Message, MessageField, Tone, text

MARKUP = re.compile(r"<[^>]*>")


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(f["text"] for f in block.get("fields", []))
        found.extend(e["text"] for e in block.get("elements", []))
    return found


def test_member_text_is_escaped_and_pings_no_one() -> None:
    draft = "Hey <!channel> and <!here>, ask <@U123> & see <https://evil.example|this>"
    rendered = render(Message(title="<!everyone>", body=draft, quote=draft, footer=draft))
    dumped = json.dumps(rendered.blocks) + rendered.text
    assert MARKUP.findall(dumped) == []
    assert "&lt;!channel&gt;" in dumped
    assert "&amp; see" in dumped


def test_only_deliberate_mentions_become_markup() -> None:
    message = Message(
        body=text("Editors: ", Mention.user("UED1"), " and ", Mention.group("SSTEER")),
        fields=(MessageField("Who", text(Mention.user("UED2"))),),
    )
    dumped = json.dumps(render(message).blocks)
    assert sorted(MARKUP.findall(dumped)) == ["<!subteam^SSTEER>", "<@UED1>", "<@UED2>"]


def test_tone_is_carried_by_an_emoji_not_colour() -> None:
    warned = render(Message(title="Check this", body="x", tone=Tone.WARNING))
    assert warned.blocks[0]["text"]["text"].startswith(":warning:")
    assert "attachments" not in json.dumps(warned.blocks)
    untitled = render(Message(body="x", tone=Tone.DANGER))
    assert ":no_entry:" in untitled.blocks[0]["elements"][0]["text"]
    assert render(Message(body="x", tone=Tone.SUCCESS)).text.startswith(":white_check_mark:")


def test_quote_is_a_quotation_of_the_exact_words() -> None:
    rendered = render(Message(quote="line one\n> not markup\nline <three>"))
    assert rendered.blocks[0]["text"]["text"] == (
        "> line one\n> &gt; not markup\n> line &lt;three&gt;"
    )


def test_long_text_is_split_under_the_limits_and_keeps_every_word() -> None:
    words = [f"w{i}&" for i in range(4000)]
    body = " ".join(words)
    rendered = render(
        Message(body=body, quote=body, fields=(MessageField("Long", body),), footer=body)
    )
    assert len(rendered.blocks) <= MAX_BLOCKS
    for chunk in _texts(rendered.blocks):
        assert len(chunk) <= SECTION_LIMIT
    body_text = " ".join(b["text"]["text"] for b in rendered.blocks if b["type"] == "section")
    assert html.unescape(body_text).split()[:4000] == words


_inline = st.one_of(
    st.text(alphabet=st.sampled_from("ab <>&\n!@#|:*_"), max_size=400),
    st.builds(Mention.user, st.from_regex(r"U[A-Z0-9]{6}", fullmatch=True)),
)


@settings(max_examples=60, deadline=None)
@given(
    body=st.lists(_inline, max_size=12),
    quote=st.text(alphabet=st.sampled_from("xy <>&\n"), max_size=7000),
    n_fields=st.integers(0, 14),
)
def test_any_message_fits_slack(body: list[Any], quote: str, n_fields: int) -> None:
    message = Message(
        title="T",
        body=text(*body),
        quote=quote,
        fields=tuple(MessageField(f"f{i}", "v&" * (i * 150)) for i in range(n_fields)),
    )
    rendered = render(message)
    assert 0 < len(rendered.blocks) <= MAX_BLOCKS
    for block in rendered.blocks:
        assert len(block.get("fields", [])) <= 10
        for field in block.get("fields", []):
            assert len(field["text"]) <= FIELD_LIMIT
    for chunk in _texts(rendered.blocks):
        assert 0 < len(chunk) <= SECTION_LIMIT
        for markup in MARKUP.findall(chunk):
            assert re.fullmatch(r"<@U[A-Z0-9]{6}>", markup)
