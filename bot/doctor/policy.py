"""The guidance and policy: loaded and consistent, as `run` and `check` need them."""

from __future__ import annotations

from bot.doctor.checklist import Item
from bot.settings import Settings
from bot.startup.policy import load_consistent
from guidance.policy import PolicyError
from guidance.sections import GuidanceError


def check_policy(settings: Settings) -> list[Item]:
    try:
        guidance, policy = load_consistent(
            guidance_path=settings.guidance_path, policy_path=settings.policy_path
        )
    except (GuidanceError, PolicyError) as exc:
        return [
            Item.failed(
                f"guidance and policy: {exc}",
                fix="correct the file named (docs/policy.md says what each part takes)",
            )
        ]
    return [
        Item.passed(
            f"guidance and policy: {len(guidance.sections)} sections, "
            f"{len(policy.rules)} rules, every rule cites a section"
        )
    ]
