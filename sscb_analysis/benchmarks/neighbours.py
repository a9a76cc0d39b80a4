"""Statistical neighbours: the ten authorities the DfE judges most similar to each one.

From the April 2021 groupings (the children's services statistical neighbour benchmarking
tool). Neighbours are listed closest first, with the DfE's closeness band and the names and
codes used in the children in need tables.
"""

from __future__ import annotations

import os

import pandas as pd

from sscb_analysis.benchmarks.areas import LocalAuthority, find_la, local_authorities
from sscb_analysis.benchmarks.catalogue import NEIGHBOURS_FILE
from sscb_analysis.benchmarks.load import load_neighbour_groups

__all__ = ["NoNeighbourGroupError", "neighbour_codes", "statistical_neighbours"]


class NoNeighbourGroupError(LookupError):
    """The authority has no group in the April 2021 statistical neighbour file."""


def statistical_neighbours(
    la: str | int | LocalAuthority, folder: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """The ten statistical neighbours of ``la``, closest first.

    Columns: ``rank, old_la_code, new_la_code, la_name, region_name, closeness``. Authorities
    created after April 2021 (Cumberland 942, Westmorland and Furness 943) have no group and
    raise :class:`NoNeighbourGroupError`; reorganised ones (Northamptonshire 928) return their
    group from the file's "Old SNs" block, with ``attrs["current"] = False``.
    """
    target = find_la(la, folder)
    groups = load_neighbour_groups(folder)
    group = groups[groups["old_la_code"] == target.old_la_code].sort_values("rank")
    if group.empty:
        raise NoNeighbourGroupError(
            f"{target.label} has no statistical neighbour group in {NEIGHBOURS_FILE} "
            f"(the groupings date from April 2021; it appears in the DfE files "
            f"{target.first_year} to {target.last_year})."
        )
    register = local_authorities(folder).set_index("old_la_code")
    known = group["neighbour_code"].isin(register.index)
    if not known.all():
        missing = group.loc[~known.to_numpy(), "neighbour_code"].tolist()
        raise NoNeighbourGroupError(
            f"Neighbour code(s) {missing} of {target.label} are not in the DfE children in need files."
        )
    info = register.loc[group["neighbour_code"]]
    table = pd.DataFrame(
        {
            "rank": group["rank"].to_numpy(),
            "old_la_code": group["neighbour_code"].to_numpy(),
            "new_la_code": info["new_la_code"].to_numpy(),
            "la_name": info["la_name"].to_numpy(),
            "region_name": info["region_name"].to_numpy(),
            "closeness": group["closeness"].to_numpy(),
        }
    )
    table.attrs["la"] = target.label
    table.attrs["current"] = bool(group["current"].iloc[0])
    return table


def neighbour_codes(
    la: str | int | LocalAuthority, folder: str | os.PathLike[str] | None = None
) -> list[str]:
    """Old LA codes of the ten statistical neighbours, closest first (e.g. 210 -> ["204", ...])."""
    return statistical_neighbours(la, folder)["old_la_code"].tolist()
