"""Every check, in the order a newcomer fixes things: settings, database, guidance,
then each platform whose token is set."""

from __future__ import annotations

import asyncio

from pydantic import ValidationError

from bot.doctor.checklist import Item
from bot.settings import Settings, load_settings
from bot.startup.explain import database_error, is_database_error, settings_error
from bot.startup.settings_checks import (
    database_url_problems,
    discord_problems,
    setting_problems,
    slack_problems,
    voting_emoji,
)
from guidance.policy import PolicyError, load_consistent
from guidance.sections import GuidanceError
from handlers.emoji import known_emoji
from storage.migrate import schema_state
from storage.urls import safe_url

UPGRADE = "run postgate db upgrade (postgate run does it too)"


def run_checks() -> list[Item]:
    try:
        settings = load_settings()
    except ValidationError as exc:
        return [Item.from_error(settings_error(exc))]
    items = check_settings(settings)
    if not database_url_problems(settings.database_url):
        items += check_database(settings.resolved_database_url)
    items += check_policy(settings)
    items += asyncio.run(_platforms(settings))
    return items


def check_settings(settings: Settings) -> list[Item]:
    """The settings, checked without the network (the same checks `run` makes)."""
    problems = setting_problems(settings)
    if problems:
        return [Item.from_error(problem) for problem in problems]
    platforms = [
        name
        for name, on in (("Slack", settings.slack_enabled), ("Discord", settings.discord_enabled))
        if on
    ]
    serves = " and ".join(platforms) if platforms else "the local workspace only (no token set)"
    items = [Item.passed(f"settings: valid; postgate run serves {serves}")]
    items += check_overrule(settings)
    if settings.slack_enabled and settings.slack_editors:
        items.append(check_editors("SLACK_EDITORS", settings.slack_editors, settings))
    return items + check_emoji(settings)


def check_overrule(settings: Settings) -> list[Item]:
    """An overrule set lower than an approval: postgate raises it (`overrule_needed`),
    and says so, since the setting does not mean what it says."""
    needed, written = settings.approvals_required, settings.overrule_approvals
    if written >= needed:
        return []
    return [
        Item.warned(
            f"POSTGATE_OVERRULE_APPROVALS is {written}, fewer than the {needed} of "
            f"POSTGATE_APPROVALS_REQUIRED, so an overrule needs {needed} too (publishing a "
            "post the checker blocked is never easier than one it let through)",
            fix=f"set POSTGATE_OVERRULE_APPROVALS to {needed} or more",
        )
    ]


def check_emoji(settings: Settings) -> list[Item]:
    """A voting emoji postgate does not know: right only if the workspace has its own
    emoji of that name, else no reaction will ever match it."""
    return [
        Item.warned(
            f"{setting}: {name} is not an emoji postgate knows, so only a workspace's own "
            f"emoji called :{name}: will count",
            fix=f"if there is no such custom emoji, write the emoji itself in {setting} "
            "(or its name as Slack shows it, like white_check_mark)",
        )
        for setting, _does, names in voting_emoji(settings)
        for name in names
        if known_emoji(name) is None
    ]


def check_editors(setting: str, editors: tuple[str, ...], settings: Settings) -> Item:
    """Enough editors for every approval the settings ask for. An editor's vote never
    counts on their own post, so theirs needs that many editors besides them."""
    count = len(set(editors))
    for needed, name, what in (
        (settings.approvals_required, "POSTGATE_APPROVALS_REQUIRED", "a post"),
        (settings.overrule_needed, "POSTGATE_OVERRULE_APPROVALS", "an overrule of a block"),
    ):
        fix = f"add editors to {setting}, or set {name} lower"
        if count < needed:
            return Item.failed(
                f"{setting}: {what} needs {_approvals(needed)} and there are only "
                f"{count} editors, so none could ever go ahead",
                fix=fix,
            )
        if count - 1 < needed:
            return Item.warned(
                f"{setting}: {what} needs {_approvals(needed)}, so an editor's own "
                f"could never go ahead (their own vote does not count, and there "
                f"{'is' if count == 2 else 'are'} {count - 1} other{'' if count == 2 else 's'})",
                fix=fix,
            )
    return Item.passed(f"{setting}: {count} editors, enough for every approval")


def _approvals(count: int) -> str:
    return f"{count} editor approval{'' if count == 1 else 's'}"


def check_database(url: str) -> list[Item]:
    """Reachable, and its schema at the migrations this postgate ships."""
    try:
        state = schema_state(url)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        return [Item.from_error(database_error(exc, url=url))]
    where = safe_url(url)
    if state.current is None:
        return [
            Item.warned(
                f"database {where}: reachable, no postgate tables yet",
                fix="none needed: postgate run makes them when it starts "
                "(postgate db upgrade makes them now)",
            )
        ]
    if not state.up_to_date:
        return [
            Item.passed(f"database {where}: reachable"),
            Item.failed(
                f"database schema at {state.current}, this postgate needs {state.head}",
                fix=UPGRADE,
            ),
        ]
    return [Item.passed(f"database {where}: reachable, schema current ({state.head})")]


def check_policy(settings: Settings) -> list[Item]:
    """The guidance and policy: loaded and consistent, as `run` and `check` need them."""
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


async def _platforms(settings: Settings) -> list[Item]:
    items: list[Item] = []
    # Each platform's library loads only when that platform is configured.
    if settings.slack_enabled and not slack_problems(settings):
        from bot.doctor.slack import check_slack

        items += await check_slack(settings)
    if settings.discord_enabled and not discord_problems(settings):
        from bot.doctor.discord import check_discord

        items += await check_discord(settings)
    return items
