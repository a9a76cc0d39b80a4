"""CAF / early help assessments: one row per assessment, with the family's survey answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sscb_analysis.extracts import Column, ExtractSpec, Rule
from sscb_analysis.extracts.cpp import CHILD_ID_ALIASES
from sscb_analysis.measures import CAF_DERIVED, caf_measures

AGENCIES = {
    "school": ("education", "sch", "schools"),
    "health": ("health visitor", "gp", "hospital", "nhs", "school nurse"),
    "children's centre": ("childrens centre", "children centre", "cc", "childrens centres"),
    "voluntary sector": (
        "voluntary",
        "vcs",
        "third sector",
        "charity",
        "voluntary and community sector",
    ),
    "early years": ("nursery", "ey", "early years setting"),
    "police": ("met police", "metropolitan police"),
    "housing": ("housing provider", "housing services"),
    "other": ("oth",),
}

YES_NO = {
    "yes": ("y", "true"),
    "no": ("n", "false"),
    "don't know": ("dont know", "dk", "not sure", "unsure", "do not know"),
}

SATISFACTION = {
    "very satisfied": (),
    "fairly satisfied": ("satisfied", "quite satisfied"),
    "neither satisfied nor dissatisfied": (
        "neither",
        "neutral",
        "neither satisfied or dissatisfied",
    ),
    "fairly dissatisfied": ("dissatisfied", "quite dissatisfied"),
    "very dissatisfied": (),
}

COLUMNS = (
    Column(
        "caf_id",
        "id",
        nullable=False,
        aliases=("CAF ID", "CAF Ref", "CAF Reference", "Assessment ID", "Early Help ID", "EH ID"),
    ),
    Column("child_id", "id", nullable=False, aliases=CHILD_ID_ALIASES),
    Column(
        "assessment_date",
        "date",
        nullable=False,
        aliases=("Assessment Date", "CAF Date", "Date of Assessment", "CAF Start Date"),
    ),
    Column(
        "initiating_agency",
        "category",
        aliases=("Initiating Agency", "Referring Agency", "Agency Initiating"),
        values=AGENCIES,
    ),
    Column(
        "lead_professional_agency",
        "category",
        required=False,
        headline=False,
        aliases=("Lead Professional Agency", "Lead Agency", "LP Agency", "Lead Professional"),
        values=AGENCIES,
    ),
    Column(
        "closure_date",
        "date",
        aliases=("Closure Date", "Closed Date", "Date Closed", "CAF End Date"),
    ),
    Column(
        "closure_reason",
        "category",
        required=False,
        headline=False,
        aliases=("Closure Reason", "Reason for Closure", "Reason Closed"),
        values={
            "needs met": ("outcomes achieved", "needs have been met"),
            "escalated to social care": (
                "escalated",
                "step up",
                "stepped up",
                "referred to social care",
                "escalated to csc",
            ),
            "family disengaged": ("disengaged", "family withdrew", "consent withdrawn"),
            "moved away": ("moved", "moved out of area", "moved out of borough"),
            "other": ("oth",),
        },
    ),
    Column(
        "survey_date",
        "date",
        required=False,
        aliases=("Survey Date", "Feedback Date", "Date of Survey"),
    ),
    Column(
        "satisfaction",
        "category",
        required=False,
        aliases=("Satisfaction", "Overall Satisfaction", "How Satisfied"),
        values=SATISFACTION,
        invalid_rule="CAF011",
    ),
    Column(
        "things_improved",
        "category",
        required=False,
        aliases=("Things Improved", "Have Things Improved", "Things Better"),
        values=YES_NO,
        invalid_rule="CAF011",
    ),
    Column(
        "knowledge_improved",
        "category",
        required=False,
        aliases=("Knowledge Improved", "Knowledge Increased", "Know More"),
        values=YES_NO,
        invalid_rule="CAF011",
    ),
)

SURVEY_ANSWERS = ("satisfaction", "things_improved", "knowledge_improved")

RULES = (
    Rule("CAF011", "error", "survey answer outside the scale"),
    Rule("CAF012", "error", "survey dated before the assessment"),
    Rule("CAF013", "query", "closure date and closure reason not both given"),
    Rule(
        "CAF014", "query", "survey answers without a survey date, or a survey date without answers"
    ),
)


def checks(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> list[tuple[str, str, pd.Series, str]]:
    """CAF-specific checks on rows that passed the generic rules.

    ``person_codes`` and ``order`` are accepted for a uniform signature with the other kinds and
    unused.
    """
    closed = frame["closure_date"].notna()
    reason = frame["closure_reason"].notna()
    answered = frame[list(SURVEY_ANSWERS)].notna().any(axis=1)
    surveyed = frame["survey_date"].notna()
    return [
        ("CAF013", "closure_reason", closed & ~reason, "closed without a closure reason"),
        ("CAF013", "closure_reason", ~closed & reason, "closure reason on an open assessment"),
        ("CAF014", "survey_date", answered & ~surveyed, "survey answers without a survey date"),
        ("CAF014", "survey_date", surveyed & ~answered, "survey date without any answers"),
    ]


SPEC = ExtractSpec(
    kind="caf",
    prefix="CAF",
    columns=COLUMNS,
    record_id="caf_id",
    person_id="child_id",
    event_date="assessment_date",
    date_order=(
        ("assessment_date", "closure_date", "CAF010"),
        ("assessment_date", "survey_date", "CAF012"),
    ),
    specific_rules=RULES,
    checks=checks,
    derive=caf_measures,
    derived_dtypes=CAF_DERIVED,
)
