"""`postgate guidance [QUERY] [--json]` through the console script's `main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from guidance.sections import load_guidance

PARTY_GUIDANCE = """\
# Anytown Branch Posting Rules

## Be kind {#kindness}
Summary: No insults, ever.

Never insult anyone online, including councillors from other parties.

## Photos of children {#photos}
Summary: Ask a parent first.

* Only post photos of children with a parent's written consent.
* Never name a child in a caption.
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["guidance", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_question_prints_the_best_section_like_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "can", "I", "reply", "to", "a", "Tory", "councillor?")
    assert code == 0
    assert out.startswith("Rules for approved users\n")
    assert "Interact with Huntingdon CLP’s opponents" in out
    assert "Guidance section: rules." in out


def test_no_query_prints_the_contents(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0
    for section in load_guidance(None).sections:
        assert f"/guidance {section.id}" in out


def test_json_lists_hits_best_first_with_the_contract_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--json", "oponents")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["id"] == "rules"
    assert all(set(h) == {"id", "title", "score", "text"} for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(hits) <= 3


def test_json_exact_id_wins_with_the_exact_score(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--json", "--limit", "1", "who-can-post")
    assert json.loads(out) == [
        {
            "id": "who-can-post",
            "title": "Who can use and post on Huntingdon CLP social media accounts?",
            "score": 1000.0,
            "text": load_guidance(None).get("who-can-post").text,  # type: ignore[union-attr]
        }
    ]


def test_json_without_a_query_is_every_section_unscored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "--json")
    sections = json.loads(out)
    assert [s["id"] for s in sections] == [s.id for s in load_guidance(None).sections]
    assert {s["score"] for s in sections} == {None}


def test_json_with_nothing_matching_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "xylophone", "quartz")
    assert (code, json.loads(out)) == (0, [])


def test_nothing_matching_lists_what_the_guidance_covers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "xylophone quartz")
    assert code == 0
    assert "it may not cover that" in out and "/guidance imprint" in out


def test_postgate_guidance_points_at_a_party_s_own_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = tmp_path / "our-guidance.md"
    own.write_text(PARTY_GUIDANCE, encoding="utf-8")
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(own))
    _, out, _ = run(capsys, "--json")
    assert [s["id"] for s in json.loads(out)] == ["kindness", "photos"]
    _, out, _ = run(capsys, "--json", "can I post a photo of a child?")
    assert json.loads(out)[0]["id"] == "photos"
    _, out, _ = run(capsys, "childrn photos")
    assert out.startswith("Photos of children\n")
    _, out, _ = run(capsys)
    assert out.startswith("Anytown Branch Posting Rules\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("## Be kind\nBe kind.\n", "line 1: '## Be kind' is not a section heading"),
        ("## Be kind {#Kind}\nBe kind.\n", "is not a section heading"),
        ("## A {#a}\nSummary: x\n\n## B {#b}\ntext\n", "section 'a' has no text"),
        ("## A {#a}\none\n## A again {#a}\ntwo\n", "line 3: section id 'a' is used twice"),
        ("Just some words.\n", "no sections found"),
    ],
)
def test_a_malformed_file_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: str,
    expected: str,
) -> None:
    bad = tmp_path / "guidance.md"
    bad.write_text(content, encoding="utf-8")
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(bad))
    code, out, err = run(capsys, "rules")
    assert code == 2
    assert out == ""
    assert err.startswith(f"postgate: {bad}")
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_file_names_the_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(tmp_path / "nope.md"))
    code, _, err = run(capsys, "--json")
    assert code == 2
    assert "does not exist (check POSTGATE_GUIDANCE)" in err
    assert "Traceback" not in err


def test_a_file_that_is_not_utf8_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "latin1.md"
    bad.write_bytes("## Caf\xe9 {#cafe}\ntext\n".encode("latin-1"))
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(bad))
    code, _, err = run(capsys)
    assert code == 2
    assert "is not UTF-8 text" in err


def test_a_broken_policy_file_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("synonyms: [this is not a mapping\n", encoding="utf-8")
    monkeypatch.setenv("POSTGATE_POLICY", str(bad))
    code, out, err = run(capsys, "rules")
    assert (code, out) == (2, "")
    assert err.startswith("postgate: ")
    assert str(bad) in err
    assert "Traceback" not in err
