"""The KPI chart's time axis follows the data, and an empty period says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.stats.charts import chart_figure, time_unit, weekly_chart
from storage.stats import WeekFigures

LONDON = ZoneInfo("Europe/London")


def weeks(*times: float | None, proposed: int = 1) -> list[WeekFigures]:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    return [
        WeekFigures(
            start=start + timedelta(weeks=i),
            proposed=proposed,
            approved=proposed,
            rejected=0,
            other_decided=0,
            median=t,
            p90=t,
        )
        for i, t in enumerate(times)
    ]


@pytest.mark.parametrize(
    ("longest", "unit"),
    [
        (27.0, "Minutes"),
        (7199.0, "Minutes"),
        (7200.0, "Hours"),
        (50 * 3600.0, "Hours"),
        (3 * 86400.0, "Days"),
        (20 * 86400.0, "Days"),
    ],
)
def test_the_unit_follows_the_longest_time(longest: float, unit: str) -> None:
    assert time_unit([1.0, longest])[1] == unit


def test_decisions_in_seconds_are_charted_in_minutes() -> None:
    figure = chart_figure(weeks=weeks(27.0, 60.0, None), timezone=LONDON, title="KPIs")
    time_axis = figure.axes[1]
    assert time_axis.get_ylabel() == "Minutes from proposal to decision"
    assert max(time_axis.lines[0].get_ydata()) == pytest.approx(1.0)


def test_decisions_over_days_are_charted_in_days() -> None:
    figure = chart_figure(weeks=weeks(86400.0, 5 * 86400.0), timezone=LONDON, title="KPIs")
    assert figure.axes[1].get_ylabel() == "Days from proposal to decision"


def test_an_empty_period_says_so_in_the_picture() -> None:
    figure = chart_figure(weeks=weeks(None, None, proposed=0), timezone=LONDON, title="KPIs")
    assert "No proposals in this period" in [t.get_text() for t in figure.texts]
    assert (
        weekly_chart(weeks=weeks(None, proposed=0), timezone=LONDON, title="KPIs").content[:8]
        == b"\x89PNG\r\n\x1a\n"
    )


def test_proposals_not_yet_decided_say_so_on_the_time_axis() -> None:
    figure = chart_figure(weeks=weeks(None, None), timezone=LONDON, title="KPIs")
    assert "No decisions yet" in [t.get_text() for t in figure.axes[1].texts]
