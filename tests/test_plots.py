"""House-style charts (sscb_analysis.plots): they return Figures and never touch pyplot state."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sscb_analysis.plots import COLOURS, funnel_chart, spc_chart, trend_chart
from sscb_analysis.stats import funnel_limits, funnel_points, spc, wilson_ci


def test_spc_chart_colours_points_by_type():
    before = plt.get_fignums()
    result = spc(
        [10, 12, 11, 10, 12, 11, 10, 12, 11, 10, 12, 11, 30], improvement="increase", target=12
    )
    fig = spc_chart(result, title="Plans starting")
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # no pyplot figure was opened
    ax = fig.axes[0]
    colours = [to_hex(c).upper() for c in ax.collections[0].get_facecolors()]
    expected = [COLOURS[t].upper() for t in result.table["point_type"]]
    assert colours == expected
    assert colours[-1] == COLOURS["improvement"].upper()
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "Variation: special cause improvement" in texts and "Assurance:" in texts
    assert ax.get_title(loc="left") == "Plans starting"
    assert matplotlib.get_backend()  # backend untouched by the module


def test_spc_chart_on_given_axes_and_errors():
    fig = Figure()
    ax = fig.add_subplot()
    assert spc_chart(spc([1, 2, 3, 2, 1]), ax=ax) is fig
    with pytest.raises(TypeError):
        spc_chart({"table": None})


def test_trend_chart_with_band():
    years = ["2010-11", "2011-12", "2012-13"]
    cis = [wilson_ci(x, 100) for x in (20, 25, 31)]
    df = pd.DataFrame(
        {
            "year": years,
            "p": [c.estimate for c in cis],
            "lo": [c.lower for c in cis],
            "hi": [c.upper for c in cis],
        }
    )
    fig = trend_chart(
        df, x="year", y="p", lower="lo", upper="hi", percent=True, title="Repeat plans"
    )
    ax = fig.axes[0]
    assert len(ax.collections) == 1  # the band
    assert [t.get_text() for t in ax.get_xticklabels()] == years
    with pytest.raises(ValueError, match="both lower and upper"):
        trend_chart(df, x="year", y="p", lower="lo")
    with pytest.raises(ValueError, match="not in the data"):
        trend_chart(df, x="year", y="nope")
    fig2 = trend_chart(x=[1, 2, 3], y=np.array([4, 5, 6]))
    assert isinstance(fig2, Figure)


def test_funnel_chart_highlight():
    pts = funnel_points(
        [30, 10, 200, 40], [100, 100, 1000, 150], 0.2, labels=["A", "B", "C", "Southwark"]
    )
    lim = funnel_limits(np.arange(20, 1200, 20), 0.2)
    fig = funnel_chart(pts, lim, highlight="Southwark", title="Second or subsequent plans")
    ax = fig.axes[0]
    assert any(t.get_text() == "Southwark" for t in ax.texts)
    assert len(ax.lines) == 5  # two pairs of limits and the benchmark
    with pytest.raises(ValueError, match="none of"):
        funnel_chart(pts, lim, highlight="Nowhere")


def test_spc_chart_hides_suppressed_points() -> None:
    """A hidden point must not be drawn anywhere: not in the line, not as a marker."""
    from sscb_analysis.plots import spc_chart
    from sscb_analysis.stats import spc

    values = [0.20, 0.22, 0.19, 0.21, 0.04, 0.03, 0.05, 0.20, 0.21, 0.22, 0.19, 0.20]
    result = spc(values)
    hidden = [False] * 12
    hidden[5] = True
    fig = spc_chart(result, hidden=hidden)
    ax = fig.axes[0]
    line_y = ax.lines[0].get_ydata()
    assert np.isnan(line_y[5])
    assert not np.isnan(line_y[4])
    marker_y = ax.collections[0].get_offsets()[:, 1]
    assert len(marker_y) == 11
    assert 0.03 not in set(np.round(marker_y, 2))
    texts = [t.get_text() for t in ax.texts]
    assert "c" in texts
    assert any("not shown" in t for t in texts)


def test_spc_chart_hidden_needs_one_flag_per_point() -> None:
    from sscb_analysis.plots import spc_chart
    from sscb_analysis.stats import spc

    with pytest.raises(ValueError, match="one flag per point"):
        spc_chart(spc([1, 2, 3, 4]), hidden=[True])


def test_spc_alt_text_counts_withheld_points_in_singular_and_plural():
    import pandas as pd

    from sscb_analysis.alt_text import spc_alt
    from sscb_analysis.stats import spc

    values = pd.Series([12.0, 14, 11, 13, 15, 12, 14, 13], index=[f"Q{i}" for i in range(8)])
    result = spc(values)
    labels = list(values.index)
    one = spc_alt(result, "Test", labels, hidden=[True] + [False] * 7)
    two = spc_alt(result, "Test", labels, hidden=[True, True] + [False] * 6)
    assert "1 point not shown (small numbers)." in one
    assert "2 points not shown (small numbers)." in two
    assert "(s)" not in one + two


def test_spc_legend_sits_outside_the_axes_so_it_never_covers_data():
    """A series that starts high put the old upper-left legend on top of the line (seen on
    ``sscb synth --seed 7``): the legend is now outside the plotting area, and in the saved PNG."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from sscb_analysis.alt_text import png_with_alt
    from sscb_analysis.plots import spc_chart
    from sscb_analysis.stats import spc

    values = pd.Series(
        [30.0, 29, 12, 14, 11, 13, 15, 12, 14, 13], index=[f"Q{i}" for i in range(10)]
    )
    fig = spc_chart(spc(values, target=20.0), title="Starts high")
    fig.canvas.draw()
    (ax,) = fig.axes
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Mean", "Process limits", "Target"]
    box, plot = legend.get_window_extent(), ax.get_window_extent()
    assert not box.overlaps(plot), (box, plot)
    png, _ = png_with_alt(fig)  # bbox_inches="tight", as the pages draw it: the legend is kept
    width = int.from_bytes(png[16:20], "big")
    assert width > fig.get_size_inches()[0] * fig.dpi
    plt.close(fig)


def _clashes(fig: Figure, texts: dict[str, object]) -> list[str]:
    """Pairs of named text artists whose drawn text overlaps.

    Two slanted labels are parallel strips, so their upright boxes always overlap: they clash
    only when the strips are closer, across their slant, than a line of text is high.
    """
    fig.draw_without_rendering()
    boxes = {name: t.get_window_extent() for name, t in texts.items()}
    names = list(boxes)
    clashes = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ta, tb = texts[a], texts[b]
            if ta.get_rotation() and ta.get_rotation() == tb.get_rotation():
                line = ta.get_fontsize() * fig.dpi / 72
                across = abs(boxes[a].x1 - boxes[b].x1) * np.sin(np.radians(ta.get_rotation()))
                if across < line:
                    clashes.append(f"{a} / {b}")
            elif boxes[a].overlaps(boxes[b]):
                clashes.append(f"{a} / {b}")
    return clashes


_LONG_TITLE = (
    "Repeat referrals within 12 months, share of referrals per quarter, "
    "with the quarters before the board's review shown for context"
)


@pytest.mark.parametrize(
    "labels",
    [
        # 12 long labels, slanted (the 01 chart): the note must sit below them
        [
            f"{m} {y}"
            for y in (2010, 2011, 2012)
            for m in ("Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar")
        ],
        # 8 labels that fit side by side only just (the 04 chart): level ones touched
        [f"{y} Q{q}" for y in ("2011-12", "2012-13") for q in (1, 2, 3, 4)],
    ],
)
def test_spc_chart_text_never_collides(labels: list[str]) -> None:
    """Title, the icons' text (top right), the small-count note and every tick label are kept
    apart on a long title, slanted labels and hidden points (the review of the 01 and 04 charts:
    the title ran into 'Variation / Assurance', the note touched the slanted labels)."""
    n = len(labels)
    rng = np.random.default_rng(3)
    result = spc(rng.binomial(200, 0.3, n), kind="p", denominators=[200] * n)
    hidden = [i >= n - 3 for i in range(n)]
    fig = spc_chart(result, title=_LONG_TITLE, x=labels, hidden=hidden)
    ax = fig.axes[0]
    texts = {"title": ax._left_title}
    texts["icons"] = next(t for t in ax.texts if t.get_text().startswith("Variation"))
    texts["note"] = next(t for t in ax.texts if "not shown" in t.get_text())
    texts |= {f"tick {t.get_text()}": t for t in ax.get_xticklabels()}
    assert _clashes(fig, texts) == []
    assert " ".join(ax.get_title(loc="left").split()) == _LONG_TITLE  # wrapped, never cut
    # the note reads below the lowest tick label, the title ends before the icons' text
    assert texts["note"].get_window_extent().y1 < min(
        t.get_window_extent().y0 for t in ax.get_xticklabels()
    )


def test_trend_chart_long_title_wraps_within_the_axes() -> None:
    fig = trend_chart(
        x=[f"{y}-{y + 1 - 2000}" for y in range(2010, 2025)], y=range(15), title=_LONG_TITLE
    )
    ax = fig.axes[0]
    fig.draw_without_rendering()
    assert "\n" in ax.get_title(loc="left")
    assert ax._left_title.get_window_extent().x1 <= ax.bbox.x1
    ticks = {t.get_text(): t for t in ax.get_xticklabels()}
    assert _clashes(fig, ticks) == []


def test_percent_axis_ticks_carry_the_decimals_they_need():
    """Ticks every 2.5% were labelled 23%, 25%, 28% (rounded to whole numbers): a reader took
    unequal steps from equal ones. The labels now keep the decimals the ticks need."""
    import matplotlib.pyplot as plt

    from sscb_analysis.plots import _percent_axis

    fig, ax = plt.subplots()
    try:
        ax.plot([0, 1], [0.2, 0.3])
        ax.set_yticks([0.225, 0.25, 0.275])
        _percent_axis(ax.yaxis)
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels()]
    finally:
        plt.close(fig)
    assert labels == ["22.5%", "25.0%", "27.5%"]


def test_trend_legend_sits_outside_the_axes_so_it_never_covers_the_band():
    """A band filling the axes had no free spot for a "best" legend: it covered the range."""
    lo, hi = np.array([0.1, 0.05, 0.1, 0.05]), np.array([0.9, 0.95, 0.9, 0.95])
    fig = trend_chart(x=list("abcd"), y=(lo + hi) / 2, lower=lo, upper=hi, label="Share")
    fig.draw_without_rendering()
    (ax,) = fig.axes
    box, data_area = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert not box.overlaps(data_area), (box, data_area)
    plt.close(fig)
