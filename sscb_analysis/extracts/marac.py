"""MARAC referrals: one row per referral of a victim of domestic abuse to the risk conference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sscb_analysis.extracts import Column, ExtractSpec, Rule
from sscb_analysis.measures import MARAC_DERIVED, marac_measures

REFERRERS = {
    "police": ("met police", "metropolitan police", "mps"),
    "idva": ("idvas", "independent domestic violence advisor", "idaa"),
    "children's social care": (
        "childrens social care",
        "csc",
        "social care",
        "children's services",
        "childrens services",
    ),
    "health": ("nhs", "gp", "hospital", "a&e"),
    "housing": ("housing provider",),
    "probation": ("nps", "crc", "national probation service"),
    "voluntary sector": ("voluntary", "vcs", "third sector", "charity"),
    "other": ("oth",),
}

PRESENT = {
    **{k: v for k, v in REFERRERS.items() if k != "other"},
    "education": ("school", "schools"),
    "mental health": ("mh", "mental health services"),
    "substance misuse": ("drugs and alcohol", "substance misuse services"),
    # an agency the list does not know is counted here (the referral kept and flagged, MARAC025)
    "other or unknown": ("other", "oth", "unknown", "not known"),
}

COLUMNS = (
    Column(
        "case_id",
        "id",
        nullable=False,
        aliases=("Case ID", "MARAC ID", "Referral ID", "Case Ref", "Case Reference"),
    ),
    Column(
        "victim_id",
        "id",
        nullable=False,
        aliases=("Victim ID", "Survivor ID", "Victim Ref", "Victim Reference", "Client ID"),
    ),
    Column(
        "referral_date",
        "date",
        nullable=False,
        aliases=("Referral Date", "Date of Referral", "Date Referred"),
    ),
    Column(
        "conference_date",
        "date",
        aliases=("Conference Date", "MARAC Date", "Date Heard", "Meeting Date"),
    ),
    Column(
        "referring_agency",
        "category",
        # No figure rests on who referred: an unknown referrer is a query (the referral kept and
        # counted, the value blank and flagged), never a reason to lose a referral from the
        # counts and repeat rates.
        headline=False,
        aliases=("Referring Agency", "Referrer", "Referred By"),
        values=REFERRERS,
    ),
    Column(
        "risk_tool",
        "category",
        required=False,
        aliases=("Risk Tool", "Risk Assessment", "Risk Assessment Tool"),
        values={
            "dash": ("dash ric", "safelives dash", "caada dash", "dash risk checklist"),
            "barnardos": ("barnardo's", "barnardos dv risk", "barnardos risk assessment"),
            "none": ("no", "n/a", "not completed", "no tool"),
        },
    ),
    Column(
        "dash_ticks",
        "int",
        required=False,
        aliases=("DASH Ticks", "DASH Score", "Ticks", "Number of Ticks", "DASH"),
    ),
    Column(
        "children_in_household",
        "int",
        required=False,
        minimum=0,
        aliases=("Children in Household", "Number of Children", "No of Children", "Children"),
    ),
    Column(
        "agencies_present",
        "list",
        required=False,
        aliases=("Agencies Present", "Agencies Attending", "Attendance"),
        values=PRESENT,
        # One agency name the list does not know must not lose the referral from every count
        # (referrals, repeats, risk): it is kept, the name counted as other or unknown.
        other="other or unknown",
    ),
)

RULES = (
    Rule("MARAC011", "error", "conference before referral"),
    Rule("MARAC012", "error", "DASH ticks outside 0 to 24"),
    Rule("MARAC013", "query", "DASH ticks given without the DASH tool, or missing with it"),
)


def checks(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> list[tuple[str, str, pd.Series, str]]:
    """MARAC-specific checks on rows that passed the generic rules.

    ``person_codes`` and ``order`` are accepted for a uniform signature with the other kinds and
    unused.
    """
    ticks = frame["dash_ticks"]
    tool = frame["risk_tool"]
    has_ticks = ticks.notna()
    is_dash = (tool == "dash").fillna(False).astype(bool)
    return [
        (
            "MARAC012",
            "dash_ticks",
            (has_ticks & ((ticks < 0) | (ticks > 24))).fillna(False).astype(bool),
            "DASH ticks must be 0 to 24",
        ),
        (
            "MARAC013",
            "dash_ticks",
            has_ticks & ~is_dash & tool.notna(),
            "DASH ticks recorded but the risk tool is not DASH",
        ),
        ("MARAC013", "dash_ticks", ~has_ticks & is_dash, "risk tool is DASH but no ticks recorded"),
    ]


SPEC = ExtractSpec(
    kind="marac",
    prefix="MARAC",
    columns=COLUMNS,
    record_id="case_id",
    person_id="victim_id",
    event_date="referral_date",
    date_order=(("referral_date", "conference_date", "MARAC011"),),
    specific_rules=RULES,
    checks=checks,
    derive=marac_measures,
    derived_dtypes=MARAC_DERIVED,
)
