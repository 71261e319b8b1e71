"""The policy as data: load and validate `policy.yaml` (the party's rules, word lists, allow list).

`load_policy(None)` reads the shipped file; `load_policy(path)` a party's own
(`POSTGATE_POLICY`). Anything wrong raises `PolicyError` naming the file and the
problem in words a volunteer can act on.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from guidance.checker.report import Severity
from guidance.sections import Guidance, load_guidance

BLOCK_RULES = (
    "abuse",
    "opponent",
    "slur",
    "discrimination",
    "sexual",
    "criminal",
    "drugs",
    "gambling",
    "cults",
    "spam",
)
WARN_RULES = (
    "defamation",
    "promise",
    "jargon",
    "off-topic",
    "imprint",
    "personal-data",
    "rival",
)
# Advisories: they only ever add an `info` finding and never change the verdict.
INFO_RULES = ("length", "shouting", "exclamations", "long-sentence")
KNOWN_RULES = BLOCK_RULES + WARN_RULES + INFO_RULES
# In a `near` list: any capitalised word that looks like a name ("Brian Hollis").
NAME_WORD = "@name"

# Keys that only make sense on some rules; anywhere else they are a mistake.
_SPECIAL_KEYS: dict[str, frozenset[str]] = {
    "terms": frozenset({"jargon"}),
    "imprint_patterns": frozenset({"imprint"}),
    "safe_words": frozenset({"personal-data"}),
    "safe_email_domains": frozenset({"personal-data"}),
    "safe_email_names": frozenset({"personal-data"}),
    "handles": frozenset({"rival"}),
    "handle_words": frozenset({"rival"}),
    "limit": frozenset(INFO_RULES),
}


class PolicyError(ValueError):
    """The policy file cannot be used; the message says which file and what is wrong."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Near(_Strict):
    """Words from EACH list within `within` words of each other (same sentence unless told)."""

    lists: list[list[str]] = Field(min_length=2, max_length=4)
    within: int = Field(default=6, ge=1, le=60)
    across_sentences: bool = False
    ordered: bool = False
    # "not" or "never" just before the last list's words denies them ("refugees are
    # not vermin"): counter-speech, not the attack the entry is about
    negatable: bool = False

    @field_validator("lists")
    @classmethod
    def _no_empty_list(cls, value: list[list[str]]) -> list[list[str]]:
        if any(not words for words in value):
            raise ValueError("every list under 'near' needs at least one word")
        return value


class Rule(_Strict):
    severity: Severity
    guidance: str
    message: str
    suggestion: str = ""
    words: list[str] = []
    near: list[Near] = []
    patterns: list[str] = []
    hedges: list[str] = []
    hedged_severity: Severity = Severity.INFO
    hedged_message: str = ""
    replaces: list[str] = []
    terms: dict[str, str] = {}
    imprint_patterns: list[str] = []
    safe_words: list[str] = []
    safe_email_domains: list[str] = []
    safe_email_names: list[str] = []
    handles: list[str] = []
    handle_words: list[str] = []
    limit: float | None = None


class Frame(_Strict):
    """One way of attacking people, written as templates the checker fills with every group.

    In a template, `{group}` is any group of people the policy names (or "them" once the
    post has named one), `{person}` a person or an official, `{name}` one of the word
    lists under `words`, and `...` up to four words of the same sentence.
    """

    rule: str
    message: str = ""
    templates: list[str] = Field(min_length=1)
    # False for templates that carry their own negation ("{group} are not human"):
    # a "not" before them does not make them innocent.
    negatable: bool = True


class GroupTerms(_Strict):
    nouns: list[str] = []  # "women", "woman": plural and singular
    adjectives: list[str] = []  # "female": a group with `people` after it ("female MPs")


class Hate(_Strict):
    """Groups of people by protected characteristic, and the frames that attack them."""

    groups: dict[str, GroupTerms] = {}
    people: list[str] = []  # nouns that make a group of an adjective: "gay people"
    lead: list[str] = []  # words that may come before a group: "all the", "those kinds of"
    pronouns: list[str] = []  # refer to a group the post has named: "I hate them"
    persons: list[str] = []  # people and officials a threat can be aimed at
    parties: list[str] = []  # a party's people, as a threat names them ("Tories")
    negators: list[str] = []
    # phrases that start with a negator but negate nothing: "no better than", "can't stand"
    not_negating: list[str] = []
    words: dict[str, list[str]] = {}
    frames: dict[str, Frame] = {}


class CounterSpeech(_Strict):
    """Hate quoted or reported in order to condemn it: a warning for the editors, not a block."""

    message: str
    # what to do instead: fits a quotation, not the rule's own advice ("remove the word")
    suggestion: str = ""
    rules: list[str] = []  # the findings that counter-speech softens
    # before the offending words, in the same sentence: "stop calling", "how can you say"
    markers: list[str] = []
    # a marker said by the writer ("I say"): the words after it are their own
    affirming: list[str] = []
    # anywhere in the post, these make a quotation counter-speech: "racist", "reported"
    condemnations: list[str] = []


class Misspelling(_Strict):
    # the hate word lists read through misspellings, besides the block rules' words
    lists: list[str] = []
    # short words that posts run into a listed word: "fuckall", "deathto", "ihate"
    joiners: list[str] = []
    # English words one swapped or dropped letter away from a listed word: read as is
    real_words: list[str] = []


class Derived(_Strict):
    # the rules whose single words are also read with these endings ("scum": "scummy")
    rules: list[str] = []
    endings: list[str] = []
    # derived forms that are innocent English words of their own: never made
    innocent: list[str] = []


class PolicySettings(_Strict):
    # True: the account bio carries the digital imprint, so posts need none of their own.
    imprint_in_bio: bool = False


class Policy(_Strict):
    version: Literal[1] = 1
    settings: PolicySettings = PolicySettings()
    allow: list[str] = []
    synonyms: dict[str, list[str]] = {}
    rules: dict[str, Rule]
    hate: Hate = Hate()
    counter_speech: CounterSpeech | None = None
    # a word and the words that show its innocent reading: faggots [gravy, butcher, ...]
    homonyms: dict[str, list[str]] = {}
    misspellings: Misspelling = Misspelling()
    derived: Derived = Derived()
    origin: str = "policy"


def load_policy(path: Path | None = None) -> Policy:
    """The party's policy: `path` (POSTGATE_POLICY) or the shipped `guidance/policy.yaml`."""
    if path is None:
        origin = "the shipped policy (guidance/policy.yaml)"
        source = resources.files("guidance").joinpath("policy.yaml").read_text(encoding="utf-8")
    else:
        origin = str(path)
        if not path.is_file():
            raise PolicyError(
                f"the policy file {path} does not exist or is a folder (check POSTGATE_POLICY, "
                "or leave it empty for the shipped policy)"
            )
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"cannot read the policy file {path}: {exc.strerror}") from exc
        except UnicodeDecodeError:
            raise PolicyError(f"the policy file {path} is not UTF-8 text") from None
    return parse_policy(source, origin=origin)


def parse_policy(source: str, *, origin: str = "policy") -> Policy:
    """Validate a policy document (YAML text) or raise `PolicyError`."""
    try:
        # The C loader when PyYAML has it: five times faster, same safe subset.
        data = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise PolicyError(f"{origin}: this is not valid YAML{_yaml_where(exc)}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{origin}: expected keys such as 'rules:' at the top of the file")
    _check_rule_keys(data, origin)
    try:
        policy = Policy.model_validate({**data, "origin": origin})
    except ValidationError as exc:
        raise PolicyError(f"{origin}: {_describe(exc)}") from exc
    _check_semantics(policy, origin)
    return policy


def load_consistent(
    *, guidance_path: Path | None, policy_path: Path | None
) -> tuple[Guidance, Policy]:
    """The guidance and policy, checked against each other: what `run`, `check` and
    `doctor` all rely on, so none passes what another refuses. GuidanceError or
    PolicyError (one line each) when either is broken or a rule cites a missing section."""
    guidance = load_guidance(guidance_path)
    policy = load_policy(policy_path)
    check_sections(policy, guidance=guidance)
    return guidance, policy


def check_sections(policy: Policy, *, guidance: Guidance) -> None:
    """Every rule must cite a section that exists in the guidance in use."""
    missing = {
        rule_id: rule.guidance
        for rule_id, rule in policy.rules.items()
        if rule.guidance not in guidance.ids
    }
    if missing:
        listed = ", ".join(f"{rule_id} -> {section!r}" for rule_id, section in missing.items())
        known = ", ".join(sorted(guidance.ids))
        raise PolicyError(
            f"{policy.origin}: these rules cite guidance sections that do not exist: {listed} "
            f"(the sections are: {known})"
        )


def _check_rule_keys(data: dict[str, Any], origin: str) -> None:
    rules = data.get("rules")
    if not isinstance(rules, dict):
        raise PolicyError(f"{origin}: 'rules:' must list the rules by id (abuse:, opponent:, ...)")
    for rule_id, body in rules.items():
        if rule_id not in KNOWN_RULES:
            raise PolicyError(
                f"{origin}: unknown rule id {rule_id!r}; the rule ids are: {', '.join(KNOWN_RULES)}"
            )
        if not isinstance(body, dict):
            raise PolicyError(f"{origin}: rule {rule_id!r} must be a set of keys (severity: ...)")
        for key in body:
            owners = _SPECIAL_KEYS.get(str(key))
            if owners is not None and rule_id not in owners:
                raise PolicyError(
                    f"{origin}: rule {rule_id!r} cannot have the key {key!r} "
                    f"(it belongs to: {', '.join(sorted(owners))})"
                )


def _check_semantics(policy: Policy, origin: str) -> None:
    _check_frames(policy, origin)
    for rule_id in policy.derived.rules:
        if rule_id not in KNOWN_RULES:
            raise PolicyError(f"{origin}: 'derived: rules' names unknown rule {rule_id!r}")
    for ending in policy.derived.endings:
        if not ending.isalpha() or not ending.islower():
            raise PolicyError(
                f"{origin}: 'derived: endings' must be lower-case letters, not {ending!r}"
            )
    for rule_id, rule in policy.rules.items():
        if rule_id in INFO_RULES and rule.severity is not Severity.INFO:
            raise PolicyError(
                f"{origin}: rule {rule_id!r} is advisory: its severity must be 'info'"
            )
        for pattern in (*rule.patterns, *rule.imprint_patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise PolicyError(
                    f"{origin}: rule {rule_id!r} has a pattern that is not a valid "
                    f"regular expression: {pattern!r} ({exc})"
                ) from exc
        listed = [*rule.words, *rule.hedges, *rule.safe_words, *rule.terms]
        listed += [word for near in rule.near for words in near.lists for word in words]
        for word in listed:
            if not any(c.isalnum() or c == "£" for c in word):
                raise PolicyError(
                    f"{origin}: rule {rule_id!r} lists {word!r}, which has no letters or "
                    "digits to match"
                )
        for other in rule.replaces:
            if other not in KNOWN_RULES:
                raise PolicyError(f"{origin}: rule {rule_id!r} replaces unknown rule {other!r}")
        for near in rule.near:
            for words in near.lists:
                for word in words:
                    ref = word.removeprefix("@")
                    if word.startswith("@") and word != NAME_WORD and ref not in policy.rules:
                        raise PolicyError(
                            f"{origin}: rule {rule_id!r} uses {word!r} but there is "
                            f"no rule {ref!r} to take the words from"
                        )


_SLOT = re.compile(r"\{([^{}]*)\}")


def _check_frames(policy: Policy, origin: str) -> None:
    hate = policy.hate
    known = {"group", "person", "target", "adjective", "party", *hate.words}
    for frame_id, frame in hate.frames.items():
        if frame.rule not in policy.rules:
            raise PolicyError(
                f"{origin}: hate frame {frame_id!r} reports under rule {frame.rule!r}, "
                "which the policy does not have"
            )
        for template in frame.templates:
            slots = _SLOT.findall(template)
            unknown = [s for s in slots if s not in known]
            if unknown:
                raise PolicyError(
                    f"{origin}: hate frame {frame_id!r} has the template {template!r}, "
                    f"which names {{{unknown[0]}}}, but there is no such list under "
                    f"hate: words (the lists are: {', '.join(sorted(known))})"
                )
            if not {"group", "person", "target", "adjective", "party"} & set(slots):
                raise PolicyError(
                    f"{origin}: hate frame {frame_id!r} has the template {template!r}, "
                    "which needs {group}, {person}, {party} or {target} to say who it is "
                    "aimed at"
                )
    counter = policy.counter_speech
    for rule_id in counter.rules if counter else ():
        if rule_id not in policy.rules:
            raise PolicyError(f"{origin}: counter_speech softens unknown rule {rule_id!r}")


def _yaml_where(exc: yaml.YAMLError) -> str:
    """Where and what, in one line: ", line 490, column 6: found a tab" (PyYAML's own
    message runs over several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = " ".join(str(getattr(exc, "problem", "") or "").split())
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{where}: {problem}" if problem else where


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = " > ".join(str(p) for p in error["loc"])
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown key at {where}")
        elif error["loc"] and error["loc"][-1] == "severity":
            parts.append(f"{where}: severity must be one of block, warn, info")
        else:
            parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
