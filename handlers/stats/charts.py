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


def _hours(seconds: float | None) -> float:
    return float("nan") if seconds is None else seconds / 3600


def weekly_chart(*, weeks: list[WeekFigures], timezone: ZoneInfo, title: str) -> Attachment:
    """Proposals and decisions per week (top) and time to decision (bottom)."""
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

    bottom.plot(x, [_hours(w.median) for w in weeks], "k-o", label="Median")
    bottom.plot(
        x,
        [_hours(w.p90) for w in weeks],
        "k--s",
        label="90th percentile",
        markerfacecolor="white",
    )
    bottom.set_ylabel("Hours from proposal to decision")
    bottom.set_xlabel(f"Week starting (Monday, {timezone.key})")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    bottom.grid(axis="y", color="0.85")

    step = max(1, len(weeks) // 13)  # at most about 13 labels, so they stay legible
    bottom.set_xticks(x[::step], labels[::step], rotation=45, ha="right")

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Attachment(
        filename=CHART_FILENAME,
        content=buffer.getvalue(),
        content_type="image/png",
        title="Proposals and decisions per week, and time to decision",
    )
