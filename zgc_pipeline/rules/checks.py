"""Who and what qualifies, one vectorised function per rule: R1, R2.1–R2.6 and R3.2 for premium lines, R1 and
R4.1–R4.4 for valuation lines.

Each takes the candidate lines (``books.candidates``, with the loan, the payee's unit and, for valuations, the
loan's first qualifying premium date looked up) and the year's ``Terms``, and returns a boolean column: True
where the line passes. Every check runs on every line, so a refused line names every rule it fails.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from zgc_pipeline.rules.terms import Terms

GUARANTEE_INSURANCE = "保证保险"


def role_sets(roles: pd.Series) -> dict[str, frozenset[str]]:
    """The distinct stored role lists (JSON) of ``roles``, each as a set; a unit not found has none."""
    return {text: frozenset(json.loads(text)) if text else frozenset() for text in roles.unique()}


def has_role(roles: pd.Series, allowed: frozenset[str]) -> pd.Series:
    """Whether each unit's roles include one of ``allowed``."""
    overlap = {text: bool(found & allowed) for text, found in role_sets(roles).items()}
    return roles.map(overlap).astype(bool)


def active_on_line_date(lines: pd.DataFrame) -> pd.Series:
    """R1's window: between 入选日期 and 退出日期, both inclusive, on the line's own date."""
    day = lines["line_date"]
    return (lines["unit_admitted"] <= day) & (lines["unit_exited"].isna() | (day <= lines["unit_exited"]))


def r1_pilot_unit(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R1: the payee is in the registry and active on the line's date."""
    return lines["unit_found"] & active_on_line_date(lines)


def r2_1_loan_found(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.1: exactly one bank sent the policy's loan."""
    return lines["loan_found"].astype(bool)


def r2_2_payer_is_pilot_unit(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.2: the policyholder is a pilot unit on the premium paid date, with a payer role."""
    return r1_pilot_unit(lines, terms) & has_role(lines["unit_roles"], terms.payer_roles)


def r2_3_holder_not_borrower(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.3: the policyholder is not the borrower (a policy the borrower buys is 保证保险 in substance)."""
    return ~(lines["loan_found"] & (lines["payee_key"] == lines["borrower_key"]))


def excluded_category(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return lines["insurance_category"].str.strip().isin(terms.excluded_categories)


def guarantee_in_name(lines: pd.DataFrame) -> pd.Series:
    return lines["product_name"].str.contains(GUARANTEE_INSURANCE, regex=False).astype(bool)


def r2_4_category_allowed(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.4: neither the 险种类别 is excluded nor the 险种名称 says 保证保险."""
    return ~(excluded_category(lines, terms) | guarantee_in_name(lines))


def r2_5_borrower_in_zgc(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.5: the borrower is a Zhongguancun demonstration-zone enterprise (judged only when the loan is known)."""
    return ~lines["loan_found"] | lines["borrower_in_zgc"]


def r2_6_paid_in_pilot_year(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.6: the premium paid date lies in a pilot year."""
    return lines["line_date"].dt.year.isin(terms.pilot_years)


def r3_2_within_tiers(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R3.2: a loan above the highest tier gets no premium subsidy (judged only when the loan is known)."""
    return ~lines["loan_found"] | (lines["loan_amount_fen"] <= terms.tier_bounds_fen[-1])


def r2_1_to_r2_5_insured(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """Whether each policy row makes its loan insured: R2.1–R2.5 all pass (what R4.1 and R9.2 ask)."""
    return (
        r2_1_loan_found(lines, terms)
        & r2_2_payer_is_pilot_unit(lines, terms)
        & r2_3_holder_not_borrower(lines, terms)
        & r2_4_category_allowed(lines, terms)
        & r2_5_borrower_in_zgc(lines, terms)
    )


def insures_loan(premiums: pd.DataFrame, terms: Terms) -> pd.Series:
    """Whether each policy row makes its loan insured, as R4.1, R9.2 and R8.5 ask: R2.1–R2.5 pass and R6.1 did not
    refuse its copies for disagreeing (``duplicates.r6_1_copies``: a refused copy insures nothing)."""
    return r2_1_to_r2_5_insured(premiums, terms) & ~premiums["copies_disagree"].astype(bool)


def r4_1_loan_insured(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R4.1: the valuation's loan is known and bought qualifying insurance (ever, history included)."""
    return lines["loan_found"] & lines["insured_on"].notna()


def r4_2_valuer_role(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R4.2: a valuer in the registry has a valuer role (one missing from it is R1's)."""
    return ~lines["unit_found"] | has_role(lines["unit_roles"], terms.valuer_roles)


def r4_3_report_before_disbursement(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R4.3: the report date is on or before the loan's 放款日期 (judged only when the loan is known)."""
    return ~lines["loan_found"] | (lines["report_date"] <= lines["disbursement_date"])


def r4_4_settled_in_pilot_year(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R4.4: the line's settlement year (R9) is a pilot year: the year being settled, for every line it settles."""
    return pd.Series(np.full(len(lines), terms.year in terms.pilot_years), index=lines.index)
