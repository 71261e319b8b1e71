"""Disguised abuse is still seen: look-alike letters, fancy fonts, hidden characters, split
letters, masks, leetspeak and stretched letters. Spans point at what the proposer wrote."""

from __future__ import annotations

import unicodedata

import pytest

from guidance.checker.checker import Checker
from guidance.checker.report import Verdict


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


BOLD_SCUM = "\U0001d42c\U0001d41c\U0001d42e\U0001d426"

DISGUISED = [
    # (text, rule, the words the finding must cover)
    ("You are scum", "abuse", "scum"),
    ("You are SCUM", "abuse", "SCUM"),
    ("You are s\u0441um", "abuse", "s\u0441um"),  # Cyrillic es, which looks like c
    ("You are \u0455cum", "abuse", "\u0455cum"),  # Cyrillic dze, which looks like s
    ("You are \uff53\uff43\uff55\uff4d", "abuse", "\uff53\uff43\uff55\uff4d"),  # full width
    ("You are " + BOLD_SCUM, "abuse", BOLD_SCUM),  # mathematical bold letters
    ("You are sc\u200bum", "abuse", "sc\u200bum"),  # zero-width space
    ("You are sc\u00adum", "abuse", "sc\u00adum"),  # soft hyphen
    ("You are sc\u2060u\ufeffm", "abuse", "sc\u2060u\ufeffm"),
    ("You are s c u m", "abuse", "s c u m"),
    ("You are s.c.u.m", "abuse", "s.c.u.m"),
    ("f-u-c-k this council", "abuse", "f-u-c-k"),
    ("f*u*c*k this council", "abuse", "f*u*c*k"),
    ("You are sc*m", "abuse", "sc*m"),
    ("f*** the council", "abuse", "f***"),
    ("What sh1t service", "abuse", "sh1t"),
    ("What sh!t service", "abuse", "sh!t"),
    ("You are $cum", "abuse", "$cum"),
    ("What a tw@t", "abuse", "tw@t"),
    ("What an idi0t", "abuse", "idi0t"),
    ("You are scuuuum", "abuse", "scuuuum"),
    ("What a fuuuuuucking mess", "abuse", "fuuuuuucking"),
    ("You absolute \u0456d\u0456ot", "abuse", "\u0456d\u0456ot"),  # Cyrillic i
    ("Tory scum", "opponent", "Tory scum"),
    ("T*ry sc*m", "opponent", "T*ry sc*m"),
    ("T0ry $cum", "opponent", "T0ry $cum"),
    ("\u03a4\u03bfry scum", "opponent", "\u03a4\u03bfry scum"),  # Greek tau and omicron
    ("T o r y  s c u m", "opponent", "T o r y  s c u m"),
    ("#ToryScum", "opponent", "ToryScum"),
    ("Lib Dem l0sers", "opponent", "Lib Dem l0sers"),
    ("What a p@ki shop", "slur", "p@ki"),
]


@pytest.mark.parametrize(("text", "rule", "words"), DISGUISED)
def test_disguise_is_seen(checker: Checker, text: str, rule: str, words: str) -> None:
    report = checker.check(text)
    assert report.verdict is Verdict.BLOCK, report
    matching = [f for f in report.findings if f.rule == rule]
    assert matching, report
    start = text.index(words)
    end = start + len(words)
    assert any(f.start <= start and end <= f.end + 1 and f.start < end for f in matching), [
        text[f.start : f.end] for f in matching
    ]
    for finding in matching:
        marked = text[finding.start : finding.end]
        assert marked.strip() == marked and marked


def test_opponent_replaces_the_plain_abuse_finding(checker: Checker) -> None:
    report = checker.check("Tory scum!")
    assert report.rules() == {"opponent"}


def test_finding_carries_message_suggestion_and_section(checker: Checker) -> None:
    (finding,) = checker.check("Tory scum").findings
    assert finding.guidance == "rules"
    assert "record" in finding.suggestion
    assert finding.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02 control \x7f characters",
        "😀😀😀",
        "Привет, как дела? Это обычный текст.",
        "ΚΑΛΗΜΕΡΑ σε όλους",
        "مرحبا بالجميع",
        "这是一个普通的帖子",
        "\u200b\u200b\u200b",
        "*** --- ... ***",
        "a" * 100_000,
        ("s c u m " * 5_000),
        ("Tory " * 20_000),
    ],
)
def test_awkward_input_gives_a_report(checker: Checker, text: str) -> None:
    report = checker.check(text)
    for finding in report.findings:
        assert 0 <= finding.start <= finding.end <= len(text)


def test_not_text_is_a_clear_error(checker: Checker) -> None:
    with pytest.raises(ValueError, match="string"):
        checker.check(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="string"):
        checker.check(b"bytes")  # type: ignore[arg-type]


def _invisible_characters() -> list[str]:
    """Every format character (Unicode category Cf) and every filler that draws nothing."""
    found = []
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf" or (
            category == "Lo" and unicodedata.name(char, "").endswith(" FILLER")
        ):
            found.append(char)
    return found


INVISIBLE = _invisible_characters()


def test_the_invisible_characters_include_the_ones_seen_in_attacks() -> None:
    for char in "\u2066\u2067\u2068\u2069\u202e\u3164\u115f\u1160\uffa0\u200b":
        assert char in INVISIBLE, hex(ord(char))
    assert "\U000e0041" in INVISIBLE  # a tag character
    assert " " not in INVISIBLE and "a" not in INVISIBLE


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_inside_a_word_hides_nothing(checker: Checker, char: str) -> None:
    text = f"Tory sc{char}um"
    report = checker.check(text)
    assert report.verdict is Verdict.BLOCK, report
    (finding,) = [f for f in report.findings if f.rule == "opponent"]
    assert text[finding.start : finding.end] == text


def test_a_run_of_tag_characters_hides_nothing(checker: Checker) -> None:
    tags = "".join(chr(0xE0000 + ord(c)) for c in "hello") + "\U000e007f"
    assert checker.check(f"You are sc{tags}um").verdict is Verdict.BLOCK
