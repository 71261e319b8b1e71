"""The guidance and policy, loaded and checked against each other: what `run`,
`check` and `doctor` all rely on, so none passes what another refuses."""

from __future__ import annotations

from pathlib import Path

from guidance.policy import Policy, check_sections, load_policy
from guidance.sections import Guidance, load_guidance


def load_consistent(
    *, guidance_path: Path | None, policy_path: Path | None
) -> tuple[Guidance, Policy]:
    """GuidanceError or PolicyError (one line each) when either is broken or a rule
    cites a section the guidance lacks."""
    guidance = load_guidance(guidance_path)
    policy = load_policy(policy_path)
    check_sections(policy, guidance=guidance)
    return guidance, policy
