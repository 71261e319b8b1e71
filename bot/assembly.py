"""Builds the process-wide services from the settings, once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.settings import Settings
from guidance.checker.checker import Checker
from guidance.lookup.lookup import GuidanceIndex
from guidance.policy import load_consistent
from handlers.clock import Clock, SystemClock
from handlers.context import Services, WorkflowConfig
from storage.db import Database


def workflow_config(settings: Settings) -> WorkflowConfig:
    return WorkflowConfig(
        approvals_required=settings.approvals_required,
        overrule_approvals=settings.overrule_needed,
        expire_days=settings.expire_days,
        timezone=ZoneInfo(settings.timezone),
        approve_emoji=frozenset(settings.approve_emoji),
        reject_emoji=frozenset(settings.reject_emoji),
        changes_emoji=frozenset(settings.changes_emoji),
    )


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Load the guidance and policy (failing early with a clear message) and open the database."""
    guidance, policy = load_consistent(
        guidance_path=settings.guidance_path, policy_path=settings.policy_path
    )
    return Services(
        config=workflow_config(settings),
        db=Database(settings.resolved_database_url),
        checker=Checker(policy),
        guidance=guidance,
        lookup=GuidanceIndex.build(guidance, synonyms=policy.synonyms),
        clock=clock or SystemClock(),
    )
