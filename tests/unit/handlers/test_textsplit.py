"""`split_text`: chunks under a platform's limit, cut where a reader would cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidance.sections import load_guidance
from handlers.textsplit import split_text


def _letters(text: str) -> str:
    return "".join(text.split())


def test_short_text_is_one_chunk_unchanged() -> None:
    assert split_text("* one\n* two", limit=100) == ["* one\n* two"]


def test_empty_and_blank_text_give_no_chunks() -> None:
    assert split_text("", limit=10) == []
    assert split_text(" \n\n \n", limit=10) == []


def test_a_limit_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_text("text", limit=0)


def test_cuts_between_paragraphs_first() -> None:
    text = "First paragraph here.\n\nSecond paragraph here.\n\nThird one."
    assert split_text(text, limit=45) == [
        "First paragraph here.\n\nSecond paragraph here.",
        "Third one.",
    ]


def test_never_cuts_inside_a_wrapped_list_item() -> None:
    text = (
        "These people have key duties:\n"
        "* The editor is responsible for\nsafe and appropriate use.\n"
        "* The IT officers provide apps\nand tools.\n"
        "* The steering group creates ideas."
    )
    chunks = split_text(text, limit=70)
    assert all(len(c) <= 70 for c in chunks)
    assert "* The editor is responsible for\nsafe and appropriate use." in chunks[0] + chunks[1]
    for chunk in chunks:
        # every chunk after the first starts at an item, never mid-item
        first = chunk.splitlines()[0]
        assert first.startswith(("These", "* "))


def test_numbered_items_keep_their_numbers() -> None:
    text = "\n".join(f"{i}) Principle number {i} says something worth saying." for i in range(1, 6))
    chunks = split_text(text, limit=120)
    assert all(
        line.startswith(tuple(f"{i})" for i in range(1, 6)))
        for c in chunks
        for line in c.splitlines()
    )
    assert _letters("".join(chunks)) == _letters(text)


def test_a_quoted_passage_stays_together_when_it_fits() -> None:
    text = "Intro line.\n“A quoted passage\nspanning three\nlines.”\nAfter the quote."
    chunks = split_text(text, limit=50)
    assert any("“A quoted passage\nspanning three\nlines.”" in c for c in chunks)


def test_markdown_style_quote_lines_stay_together() -> None:
    text = "Said:\n> one line of a quote\n> and its second line\nThen more text follows here."
    chunks = split_text(text, limit=50)
    assert any("> one line of a quote\n> and its second line" in c for c in chunks)


def test_a_long_line_is_cut_between_sentences() -> None:
    text = "One sentence here. Another sentence there! A third one? And the last."
    assert split_text(text, limit=40) == [
        "One sentence here.",
        "Another sentence there! A third one?",
        "And the last.",
    ]


def test_sentences_are_kept_whole_when_they_fit() -> None:
    text = "Short one. " * 30
    chunks = split_text(text.strip(), limit=35)
    assert all(c.endswith(".") for c in chunks)


def test_a_single_overlong_word_is_the_only_thing_cut_mid_word() -> None:
    url = "https://example.org/" + "a" * 100
    chunks = split_text(f"See {url} now", limit=30)
    assert all(len(c) <= 30 for c in chunks)
    assert _letters("".join(chunks)) == _letters(f"See {url} now")


@pytest.mark.parametrize("limit", [2000, 3000, 4096, 300, 120])
def test_every_shipped_section_fits_and_keeps_every_word(limit: int) -> None:
    for section in load_guidance(None).sections:
        chunks = split_text(section.text, limit=limit)
        assert chunks
        assert all(0 < len(c) <= limit for c in chunks)
        assert _letters("".join(chunks)) == _letters(section.text)


def test_the_rules_list_splits_at_item_boundaries() -> None:
    text = load_guidance(None).get("responsibilities")
    assert text is not None
    chunks = split_text(text.text, limit=300)
    assert len(chunks) > 1
    for chunk in chunks[1:]:
        assert chunk.startswith("* ")


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab cd.!?\n*>“”1)-")) | st.characters(codec="utf-8"),
        max_size=400,
    ),
    limit=st.integers(min_value=1, max_value=120),
)
def test_any_text_any_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit=limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert _letters("".join(chunks)) == _letters(text)
