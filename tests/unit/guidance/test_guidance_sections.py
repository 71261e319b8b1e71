"""Splitting a guidance file into sections, and the errors a party's own file can hit."""

from __future__ import annotations

from pathlib import Path

import pytest

import guidance as guidance_module
from bot.assembly import build_services
from bot.settings import load_settings
from guidance.sections import GuidanceError, load_guidance, parse_guidance

SHIPPED_IDS = [
    "nec-statement",
    "why",
    "who-can-post",
    "what-accounts-are-for",
    "responsibilities",
    "rules",
    "general-advice",
    "principles",
    "imprint",  # supplementary: the Elections Act 2022 rule the imprint check cites
]


def test_the_shipped_guidance_has_its_sections_with_summaries() -> None:
    guidance = load_guidance(None)
    assert guidance.title == "Huntingdon CLP Social Media Guidance"
    assert [s.id for s in guidance.sections] == SHIPPED_IDS
    assert all(s.summary and s.text for s in guidance.sections)
    rules = guidance.get("rules")
    assert rules is not None
    assert rules.text.startswith("Users must not:")
    assert "Summary:" not in rules.text
    assert guidance.get("nope") is None


def test_comments_are_dropped_and_the_preamble_kept() -> None:
    guidance = parse_guidance(
        "<!-- a note\nover lines -->\n# Title\nIntro words.\n## One {#one}\nBody <!-- x --> text\n"
    )
    assert guidance.title == "Title"
    assert guidance.preamble == "Intro words."
    assert guidance.sections[0].text == "Body  text"
    assert guidance.sections[0].summary == ""


def test_a_summary_only_counts_straight_after_the_heading() -> None:
    guidance = parse_guidance("## One {#one}\nFirst line.\nSummary: part of the text\n")
    assert guidance.sections[0].summary == ""
    assert "Summary: part of the text" in guidance.sections[0].text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("## Rules\nText.\n", "line 1: '## Rules' is not a section heading"),
        ("## Rules {#Rules}\nText.\n", "the id in lower case"),
        ("## Rules {#rules!}\nText.\n", "is not a section heading"),
        ("intro\n\n## Rules {#rules}\n\n", "line 3: section 'rules' has no text"),
        ("## A {#a}\nSummary: only a summary\n## B {#b}\nb\n", "section 'a' has no text"),
        ("## A {#a}\na\n\n## B {#a}\nb\n", "line 4: section id 'a' is used twice"),
        ("", "no sections found"),
        ("# Title only\nSome words.\n", "no sections found"),
    ],
)
def test_malformed_guidance_names_the_line_and_the_fix(source: str, message: str) -> None:
    with pytest.raises(GuidanceError, match=r"^ours\.md") as caught:
        parse_guidance(source, origin="ours.md")
    assert message in str(caught.value)


def test_a_very_long_bad_heading_is_shortened_in_the_message() -> None:
    with pytest.raises(GuidanceError) as caught:
        parse_guidance("## " + "word " * 100 + "\ntext\n", origin="g.md")
    assert len(str(caught.value)) < 300


def test_load_guidance_errors_are_plain(tmp_path: Path) -> None:
    with pytest.raises(GuidanceError, match="does not exist"):
        load_guidance(tmp_path / "missing.md")
    with pytest.raises(GuidanceError, match="is a folder"):
        load_guidance(tmp_path)
    latin = tmp_path / "latin.md"
    latin.write_bytes("## Caf\xe9 {#cafe}\ntext\n".encode("latin-1"))
    with pytest.raises(GuidanceError, match="not UTF-8"):
        load_guidance(latin)


async def test_postgate_guidance_builds_the_sections_and_index_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shipped sections stay (the shipped policy cites them) and one is added.
    shipped = (Path(guidance_module.__file__).parent / "guidance.md").read_text(encoding="utf-8")
    own = tmp_path / "ours.md"
    own.write_text(
        shipped + "\n## Photos {#photos}\nSummary: Ask first.\n\n"
        "Ask a parent before posting photos of children.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(own))
    services = build_services(load_settings())
    try:
        assert [s.id for s in services.guidance.sections] == [*SHIPPED_IDS, "photos"]
        assert services.lookup.guidance is services.guidance
        assert services.lookup.search("photo of a child")[0].section.id == "photos"
    finally:
        await services.db.dispose()


def test_a_malformed_file_stops_the_start_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("## No id here\ntext\n", encoding="utf-8")
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(bad))
    with pytest.raises(GuidanceError, match="line 1"):
        build_services(load_settings())
