"""Settings as a volunteer writes them: a value of only spaces is unset; an overrule
set below an approval is raised to it."""

from __future__ import annotations

import pytest

from bot.assembly import workflow_config
from bot.settings import Settings


@pytest.mark.parametrize("blank", ["", " ", "   \t"])
def test_a_value_of_only_spaces_is_unset(blank: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_SIGNING_SECRET", "DATABASE_URL", "POSTGATE_TIMEZONE", "SLACK_EDITORS"):
        monkeypatch.setenv(name, blank)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.slack_signing_secret is None
    assert settings.database_url is None
    assert settings.timezone == "Europe/London"
    assert settings.slack_editors == ()


def test_an_overrule_never_needs_fewer_approvals_than_a_post() -> None:
    lower = Settings(_env_file=None, POSTGATE_APPROVALS_REQUIRED=3, POSTGATE_OVERRULE_APPROVALS=1)  # type: ignore[call-arg]
    assert workflow_config(lower).overrule_approvals == 3
    higher = Settings(_env_file=None, POSTGATE_APPROVALS_REQUIRED=1, POSTGATE_OVERRULE_APPROVALS=2)  # type: ignore[call-arg]
    assert workflow_config(higher).overrule_approvals == 2
