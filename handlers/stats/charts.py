"""The weekly KPI chart as a PNG, readable in black and white.

Every series differs by hatching, marker and line style, not by colour alone, so
the chart survives a greyscale printout and colour-blind readers. The figure is
built with matplotlib's object API on the Agg canvas: no pyplot global state, so
it is safe to draw in a worker thread while the bot serves others.
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: never open a window

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from handlers.messages import Attachment
from storage.stats import WeekFigures

CHART_FILENAME = "postgate-kpis.png"


# The time axis's unit follows the data: below two hours in minutes, below three
# days in hours, else in days, so neither 0.0075 hours nor 300 hours is drawn.
_UNITS = ((2 * 3600, 60, "Minutes"), (3 * 86400, 3600, "Hours"), (float("inf"), 86400, "Days"))


def time_unit(seconds: list[float]) -> tuple[float, str]:
    """(seconds per unit, its name) for the longest of `seconds`."""
    longest = max(seconds, default=0.0)
    return next((size, name) for limit, size, name in _UNITS if longest < limit)


def _in(unit: float, seconds: float | None) -> float:
    return float("nan") if seconds is None else seconds / unit


def weekly_chart(*, weeks: list[WeekFigures], timezone: ZoneInfo, title: str) -> Attachment:
    """Proposals and decisions per week (top) and time to decision (bottom), as a PNG."""
    buffer = io.BytesIO()
    chart_figure(weeks=weeks, timezone=timezone, title=title).savefig(buffer, format="png")
    return Attachment(
        filename=CHART_FILENAME,
        content=buffer.getvalue(),
        content_type="image/png",
        title="Proposals and decisions per week, and time to decision",
    )


def chart_figure(*, weeks: list[WeekFigures], timezone: ZoneInfo, title: str) -> Figure:
    labels = [w.start.astimezone(timezone).strftime("%d %b") for w in weeks]
    x = list(range(len(weeks)))
    figure = Figure(figsize=(10, 7), dpi=100)
    FigureCanvasAgg(figure)
    # Fixed margins that fit the labels, legends and title of this one layout: the
    # constrained layout measured every text again on each draw, over a third of
    # the drawing time.
    figure.subplots_adjust(left=0.08, right=0.985, top=0.9, bottom=0.135, hspace=0.2)
    top, bottom = figure.subplots(2, 1, sharex=True)

    top.bar(
        x,
        [w.proposed for w in weeks],
        color="white",
        edgecolor="black",
        hatch="//",
        label="Proposals made",
        zorder=2,
    )
    # Lines above the bars; different markers keep equal values apart when lines overlap.
    top.plot(x, [w.approved for w in weeks], "k-o", label="Approved (overrules included)", zorder=4)
    top.plot(
        x,
        [w.rejected for w in weeks],
        "k--s",
        label="Rejected",
        markerfacecolor="white",
        markersize=8,
        zorder=3,
    )
    top.plot(x, [w.other_decided for w in weeks], "k:^", label="Withdrawn or expired", zorder=3)
    top.set_ylabel("Posts per week")
    figure.suptitle(title)
    top.yaxis.get_major_locator().set_params(integer=True)
    top.set_ylim(bottom=0, top=max([1, *(w.proposed for w in weeks)]) * 1.15)
    top.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, frameon=False)
    top.grid(axis="y", color="0.85", zorder=0)

    times = [t for w in weeks for t in (w.median, w.p90) if t is not None]
    unit, unit_name = time_unit(times)
    bottom.plot(x, [_in(unit, w.median) for w in weeks], "k-o", label="Median")
    bottom.plot(
        x,
        [_in(unit, w.p90) for w in weeks],
        "k--s",
        label="90th percentile",
        markerfacecolor="white",
    )
    bottom.set_ylabel(f"{unit_name} from proposal to decision")
    bottom.set_xlabel(f"Week starting (Monday, {timezone.key})")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    bottom.grid(axis="y", color="0.85")

    if not any(w.proposed or w.approved or w.rejected or w.other_decided for w in weeks):
        figure.text(0.5, 0.5, "No proposals in this period", ha="center", va="center", size=20)
    elif not times:
        bottom.text(
            0.5, 0.5, "No decisions yet", ha="center", va="center", transform=bottom.transAxes
        )

    step = max(1, len(weeks) // 13)  # at most about 13 labels, so they stay legible
    bottom.set_xticks(x[::step], labels[::step], rotation=45, ha="right")

    return figure
