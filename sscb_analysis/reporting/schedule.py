"""The order in which ``sscb run`` starts notebooks: the longest chain of work first.

With two workers and a board summary that waits for six reports, the order matters: started in
the config's order, the slowest report that the summary needs began last, and the summary and the
PDF pack waited for it while a worker stood idle. Each entry's priority is its expected duration
plus the longest chain of entries that wait for it (list scheduling by "bottom level", as in
Hu's and HLFET's algorithms), so what holds up the most work starts first.

Expected durations come from the last complete run's manifest (``reports/latest``); without one
(a first run) every entry counts the same, which still starts what others wait for first. Only
the order depends on them: which notebooks run, with what, and what they show do not.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Protocol


class Entry(Protocol):
    """What scheduling needs of a config entry."""

    name: str
    depends_on: tuple[str, ...]


def expected_durations(reports_dir: str | Path) -> dict[str, float]:
    """Seconds each notebook took in the run ``reports_dir/latest`` points at (empty if none)."""
    path = Path(reports_dir) / "latest" / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    items = manifest.get("notebooks") if isinstance(manifest, dict) else None
    durations: dict[str, float] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name, seconds = item.get("name"), item.get("duration_s")
        ok = isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0
        if isinstance(name, str) and ok:
            durations[name] = float(seconds)
    return durations


def priorities(entries: Sequence[Entry], expected: Mapping[str, float]) -> dict[str, float]:
    """Each entry's expected duration plus the longest chain of entries waiting on it.

    Entries without a figure count as the median of the known ones (1 when none is known).
    ``depends_on`` names outside ``entries`` are ignored; the config refuses cycles.
    """
    names = {e.name for e in entries}
    known = [expected[n] for n in names if n in expected]
    default = statistics.median(known) if known else 1.0
    waiting: dict[str, list[str]] = {n: [] for n in names}
    for entry in entries:
        for dep in entry.depends_on:
            if dep in waiting:
                waiting[dep].append(entry.name)

    @cache
    def level(name: str) -> float:
        return expected.get(name, default) + max((level(w) for w in waiting[name]), default=0.0)

    return {name: level(name) for name in names}
