"""The baseline: the straightforward pandas script a data engineer would write for the same year.

``pandas.read_excel`` for each file, merges, the same rules written as column arithmetic (registry and roles, tiers,
caps, rounding down to the fen, valuation support, scores trimmed and averaged, the budget walked in merit order with
the marginal project cut pro rata) and ``DataFrame.to_excel`` for the payout sheets. Amounts are whole fen in int64,
so its approved total can be compared with the pipeline's to the fen. It does not check the files, keep a ledger,
explain lines or write the packet, the evaluation pack or the manifest.

The engines are a parameter (``--engines``), one script for both baselines:

- ``modern`` (the harness's ``baseline``): ``read_excel(engine="calamine")`` and ``to_excel`` with no engine, so
  pandas picks its default ``.xlsx`` writer (xlsxwriter when installed);
- ``openpyxl`` (``baseline_openpyxl``): openpyxl to read and to write, what the script would have used before.

Text columns (codes, accounts, names) are read as text (``dtype``), as anyone who has lost an account's leading zeros
does; numbers and dates come back as the engine gives them (both give date cells as datetimes) and are turned into
fen and days by ``fen`` and ``day``, which take numbers or texts alike.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.measure import Run, child_main
from zgc_pipeline.money import format_yuan, from_fen
from zgc_pipeline.policy import PilotPolicy, load_policy
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.submissions.fields import KIND_SPECS, ROLE_NAMES, FieldType, SubmissionKind

NUMBERS = (FieldType.MONEY, FieldType.DATE, FieldType.SCORE)  # every other field is read as text


@dataclass(frozen=True, slots=True)
class Engines:
    """How the script reads and writes ``.xlsx``: ``read_excel``'s engine; ``to_excel``'s (None: pandas' default)."""

    name: str  # the run's name in the harness
    read: str
    write: str | None


ENGINES = {
    "modern": Engines("baseline", read="calamine", write=None),
    "openpyxl": Engines("baseline_openpyxl", read="openpyxl", write="openpyxl"),
}


def read(path: Path, kind: SubmissionKind, engine: str) -> pd.DataFrame:
    """One file as a frame with the field keys for column names; text fields as text."""
    fields = KIND_SPECS[kind].fields
    texts = {f.header: str for f in fields if f.type not in NUMBERS}
    frame = pd.read_excel(path, engine=engine, dtype=texts)
    return frame.rename(columns={f.header: f.key for f in fields})


def fen(column: pd.Series) -> pd.Series:
    """Yuan (numbers, or texts of numbers) → whole fen."""
    return (column.astype(float) * 100).round().astype("int64")


def day(column: pd.Series) -> pd.Series:
    """Date cells come back as datetimes from both engines; a date typed as text is parsed."""
    return pd.to_datetime(column)


def settle(sample: SampleYear, policy: PilotPolicy, run: Run, engine: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    assert sample.scores is not None
    with run.timed("read"):
        loans = read(sample.inbox / "贷款信息表.xlsx", SubmissionKind.LOANS, engine)
        policies = read(sample.inbox / "保单信息表.xlsx", SubmissionKind.POLICIES, engine)
        valuations = read(sample.inbox / "评估信息表.xlsx", SubmissionKind.VALUATIONS, engine)
        registry = read(sample.registry, SubmissionKind.REGISTRY, engine)
        scores = read(sample.scores, SubmissionKind.EXPERT_SCORES, engine)
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


def write(detail: pd.DataFrame, summary: pd.DataFrame, path: Path, engine: str | None) -> str:
    """The payout sheets as the script would write them: amounts in yuan as floats, one to_excel per sheet.
    Returns the writer pandas used."""
    for frame in (detail, summary):
        for column in ("computed", "approved"):
            if column in frame:
                frame[column] = frame[column] / 100
    with pd.ExcelWriter(path, engine=engine) as writer:
        summary.to_excel(writer, sheet_name="汇总", index=False)
        detail.drop(columns=["claim", "funded"]).to_excel(writer, sheet_name="明细", index=False)
    return str(writer.engine)


def settle_year(sample: SampleYear, out: Path, projects: int, engines: Engines) -> Run:
    run = Run(engines.name, projects)
    started = time.perf_counter()
    detail, summary, approved_fen = settle(sample, load_policy(), run, engines.read)
    with run.timed("write"):
        out.mkdir(parents=True, exist_ok=True)
        writer = write(detail, summary, out / "payout.xlsx", engines.write)
    run.finish(started)
    run.facts = {
        "approved_total": format_yuan(from_fen(approved_fen)),
        "funded_projects": len(set(detail.iloc[:, 0])),
        "read_engine": engines.read,
        "write_engine": writer,
    }
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--engines", choices=sorted(ENGINES), default="modern")
    known, rest = parser.parse_known_args(argv)
    engines = ENGINES[known.engines]

    def contender(sample: SampleYear, out: Path, projects: int) -> Run:
        return settle_year(sample, out, projects, engines)

    return child_main(rest, name=engines.name, contender=contender, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
