"""Settings as a volunteer writes them: a value of only spaces is unset."""

from __future__ import annotations

import pytest

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
