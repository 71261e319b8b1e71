"""The soak's short form (tests/soak_support.py): Slack and Discord at once against a
real `postgate run`, SIGKILLed and restarted at random moments, with Slack Web API
500 and 429 windows; nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

from pathlib import Path

from tests.soak_support import SHORT, run_soak


async def test_the_short_soak_loses_and_doubles_nothing(database_url: str, tmp_path: Path) -> None:
    result = await run_soak(SHORT, database_url=database_url, workdir=tmp_path)
    print(result.summary())
    assert result.counts.kills == SHORT.kills
    assert result.drained, result.summary()
    assert result.violations == [], "\n".join([result.summary(), *result.violations[:40]])
