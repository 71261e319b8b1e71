"""The index as postgate builds it at start: the shipped guidance and the policy's synonyms."""

from __future__ import annotations

from functools import lru_cache

from guidance.lookup.lookup import GuidanceIndex
from guidance.policy import load_policy
from guidance.sections import load_guidance


def shipped_synonyms() -> dict[str, list[str]]:
    return load_policy(None).synonyms


@lru_cache(maxsize=1)
def shipped_index() -> GuidanceIndex:
    return GuidanceIndex.build(load_guidance(None), synonyms=shipped_synonyms())
