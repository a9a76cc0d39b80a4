"""House style for charts: SPC charts in the Making Data Count style, trends with interval bands,
and funnel plots. Every function returns a matplotlib Figure and never calls ``plt.show()``;
figures are built without pyplot so nothing leaks into global state or shows twice in notebooks.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sscb_analysis.alt_text import set_alt, spc_alt
from sscb_analysis.stats.results import SPCResult

__all__ = [
    "COLOURS",
    "funnel_chart",
    "reference_marks",
    "set_house_style",
    "share_bars",
    "spc_chart",
    "stacked_bars",
    "trend_chart",
]

#: Making Data Count colours (as NHSRplotthedots uses them) plus a colour-blind-safe accent.
COLOURS = {
    "common cause": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "neutral": "#361475",
    "line": "#231F20",
    "limit": "#7B7D7D",
    "target": "#DE1B1B",
    "band": "#289DE0",
    "highlight": "#CC79A7",
}
_FONT = 11


def _percent_axis(axis: Axis) -> None:
    """Label a 0-to-1 axis as percentages with as many decimals as its ticks need (ticks every
    2.5% read 22.5%, 25.0%, 27.5%, not 23%, 25%, 28%): one rule for every chart."""
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=None))


def set_house_style() -> None:
    """Apply the house style to every chart drawn afterwards (seaborn theme, colour-blind palette).

    ``sscb_analysis.reporting.notebook_setup.setup_notebook`` calls it, so notebooks share one look
    with charts drawn by hand in JupyterLab.
    """
    import seaborn as sns

    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={"axes.spines.top": False, "axes.spines.right": False, "font.size": _FONT},
    )


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax: Axes, title: str | None, xlabel: str | None, ylabel: str | None) -> None:
    if title:
        ax.set_title(title, fontsize=_FONT + 2, loc="left")
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=_FONT)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=_FONT)
    ax.tick_params(labelsize=_FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)


#: Least room, in pixels, kept between two pieces of text on a chart.
_GAP = 4.0


def _overlap(a: Bbox, b: Bbox, gap: float = 0.0) -> bool:
    """Whether two window extents overlap or come closer than ``gap`` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def _note_below_axis(ax: Axes, note: str) -> Text:
    """A footnote under the x axis: placed against the drawn tick labels (and axis label), so it
    sits below them however long or slanted they are, and the layout keeps room for it."""

    def under_axis(renderer) -> Bbox:
        box = ax.xaxis.get_tightbbox(renderer) or ax.bbox
        return Bbox.from_extents(ax.bbox.x0, box.y0, ax.bbox.x1, box.y1)

    return ax.annotate(
        note,
        xy=(0, 0),
        xycoords=under_axis,
        xytext=(0, -_GAP),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=_FONT - 2,
    )


def _fit_layout(ax: Axes, beside_title: Text | None = None) -> None:
    """Keep a chart's text apart, measured on the laid-out figure rather than guessed: slant the
    x tick labels when level ones would come closer than two letters, and wrap the title so it ends before
    ``beside_title`` (the SPC icons' text, top right) or else the right edge of the axes."""
    fig = ax.figure
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    if len(labels) > 1:
        for t in labels:
            t.set(rotation=0, ha="center", rotation_mode="default")
        fig.draw_without_rendering()
        boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
        space = labels[0].get_fontsize() * fig.dpi / 72  # about two letters' width
        if any(_overlap(a, b, space) for a, b in pairwise(boxes)):
            for t in labels:
                t.set(rotation=45, ha="right", rotation_mode="anchor")
    title = ax.title if not ax.get_title("left") else ax._left_title
    words = " ".join(title.get_text().split())
    if not words:
        return
    title.set_text(words)
    for _ in range(4):
        fig.draw_without_rendering()
        end = beside_title.get_window_extent().x0 - 2 * _GAP if beside_title else ax.bbox.x1
        box = title.get_window_extent()
        if box.x1 <= end:
            return
        longest = max(len(line) for line in title.get_text().split("\n"))
        width = max(12, int(longest * (end - box.x0) / box.width))
        title.set_text(textwrap.fill(words, width))


def spc_chart(
    result: SPCResult,
    title: str | None = None,
    ax: Axes | None = None,
    x: Sequence | None = None,
    ylabel: str | None = None,
    percent: bool | None = None,
    hidden: Sequence[bool] | None = None,
    hidden_label: str = "c",
) -> Figure:
    """Draw an SPC result: grey common-cause points, blue improvement, orange concern, purple
    neutral; dashed process limits, the centre line, the target, and the icons' meanings as text.

    ``hidden`` marks points whose value must not be shown (a share built on a suppressed count):
    they are left out of the line and drawn as ``hidden_label`` on the axis, so the chart cannot
    be read back to a small count. The limits and signals still use every point.
    """
    if not isinstance(result, SPCResult):
        raise TypeError("spc_chart takes the result of sscb_analysis.stats.spc()")
    t = result.table
    xs = list(t.index) if x is None else list(x)
    if len(xs) != len(t):
        raise ValueError(f"x must have one value per point ({len(t)})")
    mask = np.zeros(len(t), dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    if mask.shape != (len(t),):
        raise ValueError(f"hidden must have one flag per point ({len(t)})")
    pos = np.arange(len(t))
    shown = t["value"].where(~mask)
    fig, ax = _new_axes(ax, (9, 4.5))
    ax.plot(pos, shown, color=COLOURS["line"], linewidth=1.2, zorder=2)
    colours = [COLOURS[p] for p in t["point_type"]]
    keep = ~mask
    ax.scatter(
        pos[keep],
        shown[keep],
        c=[c for c, k in zip(colours, keep, strict=True) if k],
        s=36,
        zorder=3,
        edgecolors="white",
        linewidths=0.5,
    )
    for i in pos[mask]:
        ax.annotate(
            hidden_label,
            xy=(i, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=_FONT - 1,
            color=COLOURS["line"],
        )
    ax.plot(pos, t["centre"], color=COLOURS["line"], linewidth=1, label="Mean")
    ax.plot(
        pos, t["upper"], color=COLOURS["limit"], linestyle="--", linewidth=1, label="Process limits"
    )
    ax.plot(pos, t["lower"], color=COLOURS["limit"], linestyle="--", linewidth=1)
    if result.target is not None:
        ax.axhline(
            result.target, color=COLOURS["target"], linewidth=1.2, linestyle=":", label="Target"
        )
    ax.set_xticks(pos)
    ax.set_xticklabels([str(v) for v in xs])
    if percent if percent is not None else result.kind == "p":
        _percent_axis(ax.yaxis)
    _style(ax, title, None, ylabel)
    trial = " (trial limits)" if result.trial_limits else ""
    icons = ax.text(
        1.0,
        1.02,
        f"Variation: {result.variation}\nAssurance: {result.assurance}{trial}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=_FONT - 1,
    )
    # Outside the axes, to the right: inside, the legend covered the line wherever the series
    # starts high (the top left), and no spot inside is free on every series.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_FONT - 2, frameon=False)
    as_percent = percent if percent is not None else result.kind == "p"
    set_alt(fig, spc_alt(result, title, [str(v) for v in xs], as_percent, mask))
    if mask.any():
        _note_below_axis(
            ax, f"{hidden_label}: value not shown because it rests on a small count (suppressed)"
        )
    _fit_layout(ax, beside_title=icons)
    return fig


def trend_chart(
    data: pd.DataFrame | None = None,
    x: str | Sequence | None = None,
    y: str | Sequence | None = None,
    lower: str | Sequence | None = None,
    upper: str | Sequence | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    percent: bool = False,
    ax: Axes | None = None,
    label: str | None = None,
    colour: str | None = None,
    band_label: str = "95% interval",
) -> Figure:
    """A trend line of counts or proportions with a shaded interval band.

    Pass a DataFrame and column names, or the sequences themselves. ``percent`` labels a 0-to-1
    axis as percentages. Draw several series on one chart by passing the first one's axes as
    ``ax`` with a ``label`` and ``colour`` for each. A missing value (NaN) leaves a gap, which is
    how a value resting on a suppressed count is kept off the chart.
    """

    def col(v, name: str, required: bool) -> np.ndarray | None:
        if v is None:
            if required:
                raise ValueError(f"trend_chart needs {name}")
            return None
        if isinstance(v, str):
            if data is None or v not in data.columns:
                raise ValueError(f"column {v!r} is not in the data")
            return data[v].to_numpy()
        return np.asarray(v)

    xs = np.asarray(data.index) if data is not None and x is None else col(x, "x", True)
    ys = col(y, "y", True)
    lo, hi = col(lower, "lower", False), col(upper, "upper", False)
    if (lo is None) != (hi is None):
        raise ValueError("give both lower and upper for the interval band, or neither")
    if len(xs) != len(ys) or (lo is not None and not len(lo) == len(hi) == len(ys)):
        raise ValueError("x, y, lower and upper must have the same length")
    fig, ax = _new_axes(ax, (8, 4))
    pos = np.arange(len(xs))
    line_colour = colour or COLOURS["line"]
    if lo is not None:
        ax.fill_between(
            pos,
            lo.astype(float),
            hi.astype(float),
            color=colour or COLOURS["band"],
            alpha=0.2,
            linewidth=0,
            label=band_label,
        )
    ax.plot(
        pos,
        ys.astype(float),
        color=line_colour,
        marker="o",
        markersize=4,
        linewidth=1.4,
        label=label,
    )
    ax.set_xticks(pos)
    ax.set_xticklabels([str(v) for v in xs])
    if percent:
        _percent_axis(ax.yaxis)
    _style(ax, title, xlabel, ylabel)
    if lo is not None or label:
        # Outside the axes, to the right, as on the SPC chart: "best" inside covered the band.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_FONT - 2, frameon=False)
    _fit_layout(ax)
    return fig


def funnel_chart(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    highlight: str | Sequence[str] | None = None,
    title: str | None = None,
    xlabel: str = "Denominator",
    ylabel: str = "Proportion",
    ax: Axes | None = None,
) -> Figure:
    """Plot units (from ``funnel_points``) against funnel limits (from ``funnel_limits``).

    ``highlight`` names units (matched against a ``label`` column) drawn larger and labelled,
    e.g. the local authority among all others.
    """
    for need in ("n", "proportion"):
        if need not in points.columns:
            raise ValueError(f"points must have a {need!r} column (use funnel_points)")
    if "n" not in limits.columns or "p0" not in limits.columns:
        raise ValueError("limits must come from funnel_limits (columns n, p0, lower_*, upper_*)")
    fig, ax = _new_axes(ax, (8, 5))
    lim = limits.sort_values("n")
    pairs = [c[len("lower_") :] for c in lim.columns if c.startswith("lower_")]
    styles = ["--", ":", "-."]
    for i, key in enumerate(pairs):
        label = key.replace("_", ".") + "% limits"
        ls = styles[i % len(styles)]
        ax.plot(
            lim["n"],
            lim[f"lower_{key}"],
            color=COLOURS["limit"],
            linestyle=ls,
            linewidth=1,
            label=label,
        )
        ax.plot(lim["n"], lim[f"upper_{key}"], color=COLOURS["limit"], linestyle=ls, linewidth=1)
    ax.axhline(float(lim["p0"].iloc[0]), color=COLOURS["line"], linewidth=1, label="Benchmark")
    ax.scatter(
        points["n"], points["proportion"], s=22, color=COLOURS["common cause"], alpha=0.8, zorder=3
    )
    if highlight is not None:
        if "label" not in points.columns:
            raise ValueError("highlight needs a 'label' column in points")
        names = [highlight] if isinstance(highlight, str) else list(highlight)
        sel = points[points["label"].isin(names)]
        if sel.empty:
            raise ValueError(f"none of {names} are in points['label']")
        ax.scatter(
            sel["n"],
            sel["proportion"],
            s=70,
            color=COLOURS["highlight"],
            edgecolors=COLOURS["line"],
            zorder=4,
        )
        for _, row in sel.iterrows():
            ax.annotate(
                str(row["label"]),
                (row["n"], row["proportion"]),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=_FONT - 1,
            )
    _percent_axis(ax.yaxis)
    _style(ax, title, xlabel, ylabel)
    ax.legend(loc="upper right", fontsize=_FONT - 2, frameon=False)
    _fit_layout(ax)
    return fig


def share_bars(
    labels: Sequence[str],
    shares: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    title: str | None = None,
    xlabel: str = "Share (lines: likely range)",
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of shares (0 to 1) with their likely ranges, largest at the top.

    A share that is NaN (withheld because it rests on a small count) is left out, never drawn
    as zero; the caller says so in words.
    """
    frame = pd.DataFrame(
        {"share": shares, "lower": lower, "upper": upper}, index=[str(v) for v in labels]
    ).astype("float64")
    frame = frame[frame["share"].notna()].sort_values("share")
    if frame.empty:
        raise ValueError("no share to chart: every one is withheld or there are none")
    fig, ax = _new_axes(ax, (7.5, 0.35 * len(frame) + 1.4))
    pos = np.arange(len(frame))
    ax.barh(pos, frame["share"], color=COLOURS["improvement"], height=0.6)
    err = np.vstack([frame["share"] - frame["lower"], frame["upper"] - frame["share"]])
    ax.errorbar(frame["share"], pos, xerr=err, fmt="none", ecolor=COLOURS["line"], capsize=3)
    ax.set_yticks(pos)
    ax.set_yticklabels(list(frame.index))
    ax.set_xlim(0, 1.05)
    _percent_axis(ax.xaxis)
    _style(ax, title, xlabel, None)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    _fit_layout(ax)
    return fig


#: Colour-blind-safe colours for categories (Okabe and Ito), in order.
CATEGORY_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
)


def stacked_bars(
    body: pd.DataFrame,
    withheld: Sequence[float] | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    withheld_label: str = "withheld (c)",
    ax: Axes | None = None,
) -> Figure:
    """Stacked bars of counts: one bar per row of ``body``, one segment per column.

    ``body`` holds shown counts with NaN where withheld (drawn as nothing); ``withheld`` is, per
    row, what the withheld cells add up to when the row's total is shown (one grey hatched
    segment, which shows no more than the table does), or 0.
    """
    fig, ax = _new_axes(ax, (8, 4.2))
    pos = np.arange(len(body))
    bottom = np.zeros(len(body))
    for k, column in enumerate(body.columns):
        values = body[column].fillna(0).to_numpy(dtype=float)
        ax.bar(pos, values, bottom=bottom, label=str(column), color=CATEGORY_COLOURS[k % 8])
        bottom += values
    if withheld is not None and any(withheld):
        ax.bar(pos, withheld, bottom=bottom, label=withheld_label, color="#DDDDDD", hatch="//")
    ax.set_xticks(pos)
    ax.set_xticklabels([str(i) for i in body.index])
    _style(ax, title, None, ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=_FONT - 2, frameon=False)
    _fit_layout(ax)
    return fig


def reference_marks(
    ax: Axes, x: Sequence[float], y: Sequence[float], labels: Sequence[str], colours: Sequence[str]
) -> None:
    """Diamonds marking published or reference figures on a chart (e.g. a board's claim)."""
    for xi, yi, label, colour in zip(x, y, labels, colours, strict=True):
        ax.scatter(
            [xi], [yi], marker="D", s=50, color=colour, edgecolors="black", zorder=4, label=label
        )
    ax.legend(loc="best", fontsize=_FONT - 2, frameon=False)
