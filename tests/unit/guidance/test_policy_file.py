"""The policy file: the shipped one is complete and valid; a party's own edits take effect;
mistakes are reported naming the file and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guidance.checker.checker import Checker
from guidance.checker.report import Severity
from guidance.policy import (
    BLOCK_RULES,
    INFO_RULES,
    WARN_RULES,
    Policy,
    PolicyError,
    check_sections,
    load_policy,
)
from guidance.sections import load_guidance, parse_guidance

SHIPPED = Path(__file__).resolve().parents[3] / "guidance" / "policy.yaml"


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped_data() -> dict[str, object]:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_shipped_policy_has_every_rule_with_its_default_severity() -> None:
    policy = load_policy()
    for rule_id in BLOCK_RULES:
        assert policy.rules[rule_id].severity is Severity.BLOCK
    for rule_id in WARN_RULES:
        assert policy.rules[rule_id].severity is Severity.WARN
    for rule_id in INFO_RULES:
        assert policy.rules[rule_id].severity is Severity.INFO
    assert len(BLOCK_RULES + WARN_RULES) == 17
    for rule in policy.rules.values():
        assert rule.message and rule.suggestion and rule.guidance
    assert policy.settings.imprint_in_bio is False
    assert isinstance(policy.synonyms, dict)


def test_shipped_rules_cite_sections_of_the_shipped_guidance() -> None:
    check_sections(load_policy(), guidance=load_guidance())


def test_a_rule_citing_a_missing_section_is_reported() -> None:
    guidance = parse_guidance("## Only one {#only-one}\nSome text.\n")
    with pytest.raises(PolicyError, match=r"abuse -> 'nec-statement'.*only-one"):
        check_sections(load_policy(), guidance=guidance)


def test_synonyms_default_to_empty(tmp_path: Path) -> None:
    data = _shipped_data()
    data.pop("synonyms", None)
    assert load_policy(_write(tmp_path, data)).synonyms == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"].update(insults={"severity": "block"}), "unknown rule id 'insults'"),
        (lambda d: d["rules"]["abuse"].update(severity="fatal"), "severity must be one of"),
        (lambda d: d["rules"]["spam"].update(patterns=["(unclosed"]), "not a valid regular"),
        (lambda d: d["rules"]["abuse"].update(wrods=["x"]), "unknown key at rules > abuse > wrods"),
        (lambda d: d.update(colour="red"), "unknown key at colour"),
        (lambda d: d["rules"]["abuse"].update(terms={"CLP": "x"}), "cannot have the key 'terms'"),
        (lambda d: d["rules"]["length"].update(severity="block"), "advisory"),
        (lambda d: d["rules"]["opponent"]["near"][0]["lists"][1].append("@nothing"), "@nothing"),
        (lambda d: d["rules"]["abuse"]["words"].append("!!!"), "no letters or digits"),
    ],
)
def test_mistakes_name_the_file_and_the_problem(
    tmp_path: Path, change: object, message: str
) -> None:
    data = _shipped_data()
    change(data)  # type: ignore[operator]
    path = _write(tmp_path, data)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_unreadable_or_broken_files_are_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"does not exist .*POSTGATE_POLICY"):
        load_policy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(broken)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="rules"):
        load_policy(listy)


def _edited(tmp_path: Path, edit: object) -> Checker:
    data = _shipped_data()
    edit(data)  # type: ignore[operator]
    policy: Policy = load_policy(_write(tmp_path, data))
    return Checker(policy)


def test_a_party_adds_a_word(tmp_path: Path) -> None:
    checker = _edited(tmp_path, lambda d: d["rules"]["abuse"]["words"].append("gobshite"))
    report = checker.check("What a g0bsh1te.")
    assert report.rules() == {"abuse"}


def test_a_party_allows_a_name(tmp_path: Path) -> None:
    checker = _edited(tmp_path, lambda d: d["allow"].append("Idiot Lane"))
    assert str(checker.check("Litter picking on Idiot Lane this Sunday.").verdict) == "pass"
    assert str(checker.check("You idiot.").verdict) == "block"


def test_a_party_adds_a_jargon_term(tmp_path: Path) -> None:
    checker = _edited(
        tmp_path, lambda d: d["rules"]["jargon"]["terms"].update({"LCF": "our campaign forum"})
    )
    (finding,) = checker.check("The LCF meets tonight.").findings
    assert finding.rule == "jargon"
    assert "our campaign forum" in finding.suggestion
    assert not checker.check("The lcf meets tonight.").findings


def test_a_party_changes_a_severity(tmp_path: Path) -> None:
    checker = _edited(tmp_path, lambda d: d["rules"]["jargon"].update(severity="info"))
    assert str(checker.check("The CLP meets tonight.").verdict) == "pass"


def test_imprint_in_bio_stops_imprint_findings(tmp_path: Path) -> None:
    assert "imprint" in Checker().check("Vote Labour on Thursday!").rules()
    checker = _edited(tmp_path, lambda d: d["settings"].update(imprint_in_bio=True))
    assert "imprint" not in checker.check("Vote Labour on Thursday!").rules()


def test_a_party_can_drop_a_rule(tmp_path: Path) -> None:
    checker = _edited(tmp_path, lambda d: d["rules"].pop("jargon"))
    assert str(checker.check("The CLP EC meets tonight.").verdict) == "pass"
