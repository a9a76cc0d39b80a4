"""A new area profile, written by ``sscb init``: a working profile for any LA in the DfE files.

The text is built line by line (not dumped from a mapping) so that every optional field carries
a comment saying what it does; every value from outside (names from the DfE files, paths) is
written as a YAML scalar by the YAML library, so no name can break the file.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from sscb_analysis.reporting.config import EXTRACT_KINDS


def area_slug(name: str) -> str:
    """'Tower Hamlets' -> 'tower-hamlets', 'Bristol, City of' -> 'bristol-city-of'."""
    text = name.lower().replace("&", " and ")
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text).split()) or "area"


def scalar(value: Any) -> str:
    """``value`` as one YAML flow scalar (quoted when it needs to be)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def profile_text(
    la: Any, neighbours: list[tuple[str, str]], raw_dir: str, *, today: dt.date | None = None
) -> str:
    """The profile of ``la`` (a ``LocalAuthority``), its neighbours as (code, name) pairs, and
    exports expected in ``raw_dir`` (relative to the project root, or absolute)."""
    slug = area_slug(la.name)
    day = today or dt.date.today()
    codes = [code for code, _ in neighbours]
    if neighbours:
        named = ", ".join(f"{name} ({code})" for code, name in neighbours)
        neighbour_lines = [
            f"  statistical_neighbours: {scalar([int(c) for c in codes])}",
            "  #   the DfE's April 2021 statistical neighbours, closest first: " + _safe(named),
            "  #   (change the list to compare with other authorities; remove it for the DfE's)",
        ]
    else:
        neighbour_lines = [
            "  # statistical_neighbours: [..]  # the DfE file has no group for this authority",
            "  #   (it was created after April 2021): list LA codes to compare with by hand",
        ]
    lines = [
        f"# Area profile for {_safe(la.label)}, written by `sscb init` on {day:%d %B %Y}.",
        "# It says which area the reports are about, which exports to read and which pages to",
        "# write (docs/profile.md). Check every line, then run",
        "#   sscb run --config <this file>",
        "# Relative paths are from the project root.",
        "",
        "area:",
        f"  name: {scalar(la.name)}",
        f"  la_code: {int(la.old_la_code)}"
        + f"  # DfE old LA code (new code {_safe(la.new_la_code)}); the national comparison uses it",
        f"  region: {scalar(la.region_name)}  # from the DfE files",
        *neighbour_lines,
        "  period: latest          # the latest complete reporting year (1 April to 31 March) in",
        "  #                         the data; or a year such as 2012-13; or",
        "  #                         {start: 2012-04-01, end: 2013-03-31}",
        "  disclosure: published   # counts from 1 to 5 hidden on every board page (DfE rule); or",
        "  #                         board-restricted: counts shown, pages OFFICIAL-SENSITIVE",
        "  # protective_marking: OFFICIAL  # printed on every board page and in the PDF; when",
        "  #   left out, it follows disclosure (OFFICIAL, or OFFICIAL-SENSITIVE: for the board,",
        "  #   not for publication); a board-restricted marking must start OFFICIAL-SENSITIVE",
        "",
        "  # Optional. A page section whose input is not given here is left out with a line",
        "  # saying why. Keys are those in docs/profile.md ('Known keys'); give a source for each.",
        "  # events:                  # local events to test before and after",
        "  #   cpp_practice_review:",
        "  #     date: YYYY-MM-DD",
        "  #     label: the practice review of repeat child protection plans",
        "  #     source: the board's annual report, section ...",
        "  # claims:                  # what the board's own publications said",
        "  #   caf_very_satisfied:",
        "  #     value: 0.90          # a share from 0 to 1",
        "  #     text: 90% of families very satisfied",
        "  #     source: the board's annual report, section ...",
        "  # reference_rates:         # national or other rates to compare with",
        "  #   marac_repeat_rate:",
        "  #     value: 0.30          # a share from 0 to 1",
        "  #     label: SafeLives national repeat MARAC rate",
        "  #     source: SafeLives Marac data",
        "  #     year: YYYY",
        "  # targets:                 # per indicator key, for the scorecard",
        "  #   cpp_second_or_subsequent_share:  # a key a report records, or one in indicators.yml",
        "  #     value: 15            # in the indicator's unit: a percentage from 0 to 100",
        "  #     source: the board's business plan, section ...  # required",
        "",
        "defaults:",
        f"  out: {scalar(f'reports/{slug}')}  # this area's runs, index and `latest` link",
        "  jobs: 2                 # notebooks run at once",
        "  # execution_timeout: 600  # seconds a cell may take",
        "",
        "clean:",
        f"  processed_dir: {scalar(f'data/processed/{slug}')}",
        "  inputs:                 # one export per kind; a missing export fails the run",
        *[f"    {kind}: {scalar(str(Path(raw_dir) / f'{kind}.csv'))}" for kind in EXTRACT_KINDS],
        "  # Each input may instead be written",
        "  #   cpp: {path: data/raw/.../cpp.xlsx,  # or [several, files]",
        "  #         map: layouts/my_cpp.yml,       # a layout file (see `sscb inspect`)",
        "  #         drop: [Worker Name],           # columns to drop before any check",
        "  #         pseudonymise: true,            # ids replaced (key in SSCB_PSEUDONYM_KEY)",
        "  #         optional: true}                # if missing, pages say 'not updated since'",
        "  # Remove a kind this area does not export: its pages are left out with a line.",
        "  # The board's wider dataset (docs/board_pack.md): the measures it tracks beyond the",
        "  # extracts, one row per indicator and period, with their definitions. Until it is",
        "  # given, the summary and page 07 leave it out with a line saying so. To give it,",
        "  # remove the '# ' in front of the next four lines:",
        "    # indicators:",
        f"    #   path: {_safe(scalar(str(Path(raw_dir) / 'indicators.csv')))}",
        f"    #   definitions: {_safe(scalar(str(Path(raw_dir) / 'indicators.yml')))}",
        "    #   optional: false     # true: when missing, pages say 'not updated since'",
        "",
        "parameters:",
        "  confidence_level: 0.95  # for every interval on every page",
        "  # suppression_threshold: 5  # counts from 1 to this are hidden (at least 5 when published)",
        "",
        "# notebooks: the standard report set runs when this is not given (docs/profile.md).",
        "",
    ]
    return "\n".join(lines)


def _safe(text: str) -> str:
    """Text for a comment: one line, no control characters."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text)).strip()
