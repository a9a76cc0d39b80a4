"""Alternative text for every chart, written from the chart's own data (WCAG 2.2, 1.1.1).

A screen-reader user must learn from a chart what a sighted reader does: what it shows, the latest
value and the signal. :func:`describe_figure` reads that from the drawn figure itself (title, axis
labels, each labelled line's first, latest, highest and lowest values with their tick labels,
bars, and the chart's own notes such as "Variation: special cause improvement"), so it can only
say what the chart shows: a value hidden from the chart (a suppressed count) is never in its data.
A chart function may give a better sentence with :func:`set_alt`.

:func:`register` makes IPython display every matplotlib figure as a PNG that carries its alt text
in the output's metadata (``{"image/png": {"alt": ...}}``); the board page's renderer
(:mod:`sscb_analysis.reporting.render`) writes it into the ``<img alt>``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sscb_analysis.plural import plural

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["alt_of", "describe_figure", "png_with_alt", "register", "set_alt", "spc_alt"]

_ATTRIBUTE = "_sscb_alt_text"
_MAX_BARS = 12
_MAX_CHARS = 900


def set_alt(fig: Figure, text: str) -> Figure:
    """Give ``fig`` its alternative text (instead of the generated one); return ``fig``."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("alt text must be a non-empty sentence")
    setattr(fig, _ATTRIBUTE, " ".join(text.split()))
    return fig


def alt_of(fig: Figure) -> str:
    """The figure's alt text: the one set with :func:`set_alt`, else :func:`describe_figure`."""
    given = getattr(fig, _ATTRIBUTE, None)
    return given if given else describe_figure(fig)


def spc_alt(
    result: Any,
    title: str | None,
    labels: list[str],
    percent: bool = False,
    hidden: Any = None,
) -> str:
    """Alt text of an SPC chart: what it charts, the latest point, mean, limits, target, icons.

    ``result`` is a :class:`~sscb_analysis.stats.results.SPCResult`; ``labels`` name the points
    on the x axis; ``hidden`` flags points whose value the chart withholds (never described).
    """
    t = result.table
    flags = [False] * len(t) if hidden is None else [bool(h) for h in hidden]

    def fmt(v: float) -> str:
        return f"{100 * v:.1f}%" if percent else f"{v:,.4g}"

    shown = [
        (lab, v)
        for lab, v, off in zip(labels, t["value"], flags, strict=True)
        if math.isfinite(v) and not off
    ]
    text = f"SPC chart{': ' + title if title else ''}, {len(t)} points from {labels[0]} to "
    text += f"{labels[-1]}."
    if shown:
        lab, v = shown[-1]
        text += f" Latest shown: {fmt(v)} ({lab})."
    if any(flags):
        text += f" {plural(sum(flags), 'point')} not shown (small numbers)."
    centre, lo, hi = t["centre"].iloc[-1], t["lower"].iloc[-1], t["upper"].iloc[-1]
    text += f" Mean {fmt(centre)}"
    if math.isfinite(lo) and math.isfinite(hi):
        text += f"; process limits {fmt(lo)} to {fmt(hi)} at the latest point"
    text += "."
    if result.target is not None:
        text += f" Target {fmt(result.target)}."
    text += f" Variation: {result.variation}. Assurance: {result.assurance}."
    return text


def _text(artist: Any) -> str:
    return " ".join(str(artist.get_text() if hasattr(artist, "get_text") else artist).split())


def _ticks(ax: Axes) -> dict[float, str]:
    """Tick position -> tick label, for the x axis (labels as drawn)."""
    labels = {}
    for loc, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=False):
        text = _text(label)
        if text:
            labels[round(float(loc), 6)] = text
    return labels


def _fmt_x(ax: Axes, x: float, ticks: dict[float, str]) -> str:
    key = round(float(x), 6)
    if key in ticks:
        return ticks[key]
    try:
        return str(ax.xaxis.get_major_formatter().format_data_short(x)).strip()
    except Exception:  # a formatter that needs a drawn axis
        return f"{x:g}"


def _fmt_y(ax: Axes, y: float) -> str:
    formatter = ax.yaxis.get_major_formatter()
    try:
        text = str(formatter(y, None)).strip()
    except Exception:
        text = ""
    if not text or text.replace("−", "-") in ("", "-"):
        text = f"{y:,.4g}"
    # The axis rounds for its ticks; a value needs its own precision.
    if "%" in text:
        return f"{100 * y:.1f}%" if abs(y) <= 1.5 else f"{y:.1f}%"
    return f"{y:,.4g}" if not float(y).is_integer() else f"{int(y):,}"


def _lines(ax: Axes, ticks: dict[float, str]) -> list[str]:
    out = []
    unnamed = 0
    for line in ax.get_lines():
        label = str(line.get_label())
        xs, ys = line.get_xdata(), line.get_ydata()
        try:
            pts = [(float(x), float(y)) for x, y in zip(xs, ys, strict=False)]
        except (TypeError, ValueError):
            continue
        pts = [(x, y) for x, y in pts if math.isfinite(y)]
        if not pts:
            continue
        if label.startswith("_"):
            unnamed += 1
            name = "the values" if unnamed == 1 else "a further line"
        else:
            name = label
        values = {round(y, 9) for _, y in pts}
        if len(values) == 1:
            if not label.startswith("_"):
                out.append(f"{name}: {_fmt_y(ax, pts[0][1])}")
            continue
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        hi = max(pts, key=lambda p: p[1])
        lo = min(pts, key=lambda p: p[1])
        text = (
            f"{name}, {len(pts)} points from {_fmt_x(ax, x0, ticks)} to {_fmt_x(ax, x1, ticks)}: "
            f"latest {_fmt_y(ax, y1)} ({_fmt_x(ax, x1, ticks)}), first {_fmt_y(ax, y0)}, "
            f"highest {_fmt_y(ax, hi[1])} ({_fmt_x(ax, hi[0], ticks)}), lowest "
            f"{_fmt_y(ax, lo[1])} ({_fmt_x(ax, lo[0], ticks)})"
        )
        out.append(text)
    return out


def _bars(ax: Axes) -> list[str]:
    from matplotlib.container import BarContainer

    out = []
    cats = [_text(t) for t in ax.get_xticklabels()]
    horizontal_cats = [_text(t) for t in ax.get_yticklabels()]
    for container in ax.containers:
        if not isinstance(container, BarContainer) or not len(container.patches):
            continue
        patches = container.patches
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        names = horizontal_cats if horizontal else cats
        label = str(container.get_label())
        parts = []
        for i, patch in enumerate(patches[:_MAX_BARS]):
            size = patch.get_width() if horizontal else patch.get_height()
            if not math.isfinite(size):
                continue
            name = names[i] if i < len(names) and names[i] else f"bar {i + 1}"
            shown = _fmt_y(ax, size) if not horizontal else f"{size:,.4g}"
            parts.append(f"{name} {shown}")
        more = f" and {len(patches) - _MAX_BARS} more" if len(patches) > _MAX_BARS else ""
        lead = f"{label}: " if label and not label.startswith("_") else "bars: "
        if parts:
            out.append(lead + ", ".join(parts) + more)
    return out


def _scatter_count(ax: Axes) -> int:
    from matplotlib.collections import PathCollection

    n = 0
    for c in ax.collections:
        if isinstance(c, PathCollection):
            n += len(c.get_offsets())
    return n


def describe_figure(fig: Figure) -> str:
    """A sentence or two on what ``fig`` shows, from its drawn data (see the module docstring)."""
    fig.canvas.draw()  # tick labels exist only once the figure is drawn
    parts = []
    title = _text(fig._suptitle) if getattr(fig, "_suptitle", None) else ""
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.has_data():
            continue
        ticks = _ticks(ax)
        heading = (
            next(
                (
                    _text(ax.get_title(loc))
                    for loc in ("center", "left", "right")
                    if ax.get_title(loc)
                ),
                "",
            )
            or title
        )
        what = [f"Chart: {heading}." if heading else "Chart."]
        ylabel, xlabel = _text(ax.yaxis.label), _text(ax.xaxis.label)
        if ylabel or xlabel:
            what.append(f"{ylabel or 'Values'}" + (f" by {xlabel.lower()}" if xlabel else "") + ".")
        series = _lines(ax, ticks) + _bars(ax)
        if series:
            what.append("; ".join(series) + ".")
        dots = _scatter_count(ax)
        if dots and not series:
            what.append(f"{dots} points plotted.")
        notes = [_text(t) for t in ax.texts if _text(t)]
        if notes:
            what.append(" ".join(n.rstrip(".") + "." for n in notes))
        parts.append(" ".join(what))
    text = " ".join(parts) or "An empty chart."
    return text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1].rstrip() + "…"


def png_with_alt(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """The figure as PNG bytes (as IPython's inline backend draws it) and ``{"alt": ...}``."""
    from IPython.core.pylabtools import print_figure

    alt = alt_of(fig)
    return print_figure(fig, "png", bbox_inches="tight", base64=False), {"alt": alt}


def register(shell: Any | None = None) -> bool:
    """Display matplotlib figures in ``shell`` (the running IPython) with their alt text.

    Call after ``%matplotlib inline`` (which sets its own PNG formatter). Returns False outside
    IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, png_with_alt)
    return True
