"""The baseline: the straightforward pandas script a data engineer would write for the same year.

``pandas.read_excel`` (openpyxl) for each file, merges, the same rules written as column arithmetic (registry and
roles, tiers, caps, rounding down to the fen, valuation support, scores trimmed and averaged, the budget walked in
merit order with the marginal project cut pro rata) and ``DataFrame.to_excel`` (openpyxl) for the payout sheets.
Amounts are whole fen in int64, so its approved total can be compared with the pipeline's to the fen. It does not
check the files, keep a ledger, explain lines or write the packet, the evaluation pack or the manifest.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.measure import Run, child_main
from zgc_pipeline.money import format_yuan, from_fen
from zgc_pipeline.policy import PilotPolicy, load_policy
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.submissions.fields import KIND_SPECS, ROLE_NAMES, SubmissionKind

NAME = "baseline"


def read(path: Path, kind: SubmissionKind) -> pd.DataFrame:
    """One file as a frame with the field keys for column names."""
    frame = pd.read_excel(path, engine="openpyxl", dtype=str)
    return frame.rename(columns={f.header: f.key for f in KIND_SPECS[kind].fields})


def fen(column: pd.Series) -> pd.Series:
    return (column.astype(float) * 100).round().astype("int64")


def day(column: pd.Series) -> pd.Series:
    """openpyxl reads date-formatted cells as datetimes (text here, as everything is read as text)."""
    return pd.to_datetime(column)


def settle(sample: SampleYear, policy: PilotPolicy, run: Run) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    assert sample.scores is not None
    with run.timed("read"):
        loans = read(sample.inbox / "贷款信息表.xlsx", SubmissionKind.LOANS)
        policies = read(sample.inbox / "保单信息表.xlsx", SubmissionKind.POLICIES)
        valuations = read(sample.inbox / "评估信息表.xlsx", SubmissionKind.VALUATIONS)
        registry = read(sample.registry, SubmissionKind.REGISTRY)
        scores = read(sample.scores, SubmissionKind.EXPERT_SCORES)
    with run.timed("rules"):
        registry["role"] = registry["roles"].map(ROLE_NAMES)
        registry["admitted_on"] = day(registry["admitted_on"])
        payers = registry[registry["role"].isin(policy.payer_roles)]
        valuers = registry[registry["role"].isin(policy.valuer_roles)]
        loans["loan_fen"] = fen(loans["loan_amount"])
        loans["disbursement_date"] = day(loans["disbursement_date"])
        premium = policies.merge(loans, on="loan_contract_no", suffixes=("", "_loan"))
        premium["paid"] = day(premium["premium_paid_date"])
        premium = premium.merge(payers, left_on="policyholder_uscc", right_on="uscc")
        premium = premium[
            (premium["paid"] >= premium["admitted_on"])
            & (premium["borrower_in_zgc"] == "是")
            & (premium["policyholder_uscc"] != premium["borrower_uscc"])
            & ~premium["insurance_category"].isin(policy.excluded_categories)
            & ~premium["product_name"].str.contains("保证保险")
            & premium["paid"].dt.year.isin(policy.pilot_years)
        ].copy()
        bounds = [int(t.max_loan_amount * 100) for t in policy.tiers]
        rates = [int(t.rate * 100) for t in policy.tiers]
        tier = np.searchsorted(bounds, premium["loan_fen"].to_numpy(), side="left")
        premium = premium[tier < len(bounds)].copy()
        percent = np.array(rates)[tier[tier < len(bounds)]]
        premium["computed"] = (fen(premium["premium"]) * percent // 100).clip(
            upper=int(policy.premium_cap_per_project * 100)
        )
        support = valuations.merge(loans, on="loan_contract_no", suffixes=("", "_loan"))
        support = support.merge(valuers, left_on="valuer_uscc", right_on="uscc")
        support = support[
            support["loan_contract_no"].isin(premium["loan_contract_no"])
            & (day(support["report_date"]) <= support["disbursement_date"])
        ].copy()
        support_rate = int(policy.valuation_rate * 100)
        support["computed"] = (fen(support["valuation_fee"]) * support_rate // 100).clip(
            upper=int(policy.valuation_cap_per_project * 100)
        )
        claims = pd.concat(
            [
                premium.assign(kind="保费补贴", voucher=premium["policy_no"], base=premium["premium"]),
                support.assign(kind="评估费资金支持", voucher=support["report_no"], base=support["valuation_fee"]),
            ]
        )[["loan_contract_no", "kind", "name", "uscc", "borrower_name", "voucher", "base", "computed", "payee_bank",
           "payee_account"]]  # fmt: skip
    with run.timed("merit"):
        scores = scores[scores["recused"] != "是"].copy()
        scores["score"] = scores["score"].astype(float)
        by_project = scores.groupby("project_id")["score"]
        count = by_project.count()
        trimmed = (by_project.sum() - by_project.max() - by_project.min()) / (count - 2)
        mean = by_project.mean().where(count < policy.trim_when_at_least, trimmed)
        projects = claims.groupby("loan_contract_no")["computed"].sum().rename("claim").to_frame()
        projects["score"] = mean.reindex(projects.index)
        projects["first_paid"] = premium.groupby("loan_contract_no")["paid"].min()
        projects = projects[
            (count.reindex(projects.index).fillna(0) >= policy.min_experts) & (projects["score"] >= policy.pass_score)
        ]
        projects = projects.reset_index().sort_values(
            ["score", "first_paid", "claim", "loan_contract_no"], ascending=[False, True, True, True]
        )
        budget = int(sample.budget * 100)
        before = projects["claim"].cumsum() - projects["claim"]
        projects["funded"] = (budget - before).clip(lower=0).clip(upper=projects["claim"])
        projects = projects[projects["funded"] > 0]
        detail = claims.merge(projects[["loan_contract_no", "claim", "funded", "score"]], on="loan_contract_no")
        detail["approved"] = detail["computed"] * detail["funded"] // detail["claim"]
        short = detail.groupby("loan_contract_no")["approved"].transform("sum") - detail["funded"]
        first = ~detail.duplicated("loan_contract_no")  # premium lines come first: the fen left over goes there
        detail.loc[first, "approved"] -= short[first]
        summary = detail.groupby(["name", "uscc", "payee_bank", "payee_account"], as_index=False)["approved"].sum()
    return detail, summary, int(detail["approved"].sum())


def write(detail: pd.DataFrame, summary: pd.DataFrame, path: Path) -> None:
    """The payout sheets as the script would write them: amounts in yuan as floats, one to_excel per sheet."""
    for frame in (detail, summary):
        for column in ("computed", "approved"):
            if column in frame:
                frame[column] = frame[column] / 100
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        summary.to_excel(writer, sheet_name="汇总", index=False)
        detail.drop(columns=["claim", "funded"]).to_excel(writer, sheet_name="明细", index=False)


def settle_year(sample: SampleYear, out: Path, projects: int) -> Run:
    run = Run(NAME, projects)
    started = time.perf_counter()
    detail, summary, approved_fen = settle(sample, load_policy(), run)
    with run.timed("write"):
        out.mkdir(parents=True, exist_ok=True)
        write(detail, summary, out / "payout.xlsx")
    run.finish(started)
    run.facts = {"approved_total": format_yuan(from_fen(approved_fen)), "funded_projects": len(set(detail.iloc[:, 0]))}
    return run


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=settle_year, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
