"""How settle() scales: 10,000 and 100,000 synthetic projects (a loan, a policy and a valuation each), in memory.

Run: ``python benchmarks/bench_rules.py``. Prints the seconds for each size and their ratio (≈10 when linear).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

from zgc_pipeline.claims import LedgerHistory, Settlement
from zgc_pipeline.identifiers import uscc_check_character
from zgc_pipeline.policy import load_policy
from zgc_pipeline.records import InsurancePolicy, Loan, PilotUnit, SourceRow, Valuation
from zgc_pipeline.rules import settle

YEAR = 2020


def _uscc(serial: int) -> str:
    body = f"91110108{serial:09d}"
    check = uscc_check_character(body)
    assert check is not None
    return body + check


BANK, VALUER = _uscc(1), _uscc(3)
REGISTRY = (
    PilotUnit(BANK, "北京银行中关村分行", frozenset({"bank"}), date(2019, 1, 1), None, "北京银行", "0001"),
    PilotUnit(VALUER, "北京中评资产评估", frozenset({"valuer"}), date(2019, 1, 1), None, "工商银行", "0002"),
)


def synthetic_year(projects: int) -> tuple[list[Loan], list[InsurancePolicy], list[Valuation]]:
    """One loan, one policy and one valuation per project, with amounts spread over every tier and both caps."""
    loans: list[Loan] = []
    policies: list[InsurancePolicy] = []
    valuations: list[Valuation] = []
    start = date(YEAR, 1, 1)
    for i in range(projects):
        key = f"JK{YEAR}-{i:06d}"
        borrower = _uscc(1_000_000 + i)
        day = start + timedelta(days=i % 300)
        amount = Decimal(500_000 + (i * 7_919) % 11_000_000).quantize(Decimal("0.01"))
        loans.append(
            Loan(
                SourceRow("loans.xlsx", "Sheet1", i + 2, YEAR), key, "北京银行中关村分行", BANK, f"企业{i}",
                borrower, i % 17 != 0, amount, day, day + timedelta(days=365), "专利", ("ZL202010566088.9",),
                f"ZY{i}", day,
            )
        )  # fmt: skip
        policies.append(
            InsurancePolicy(
                SourceRow("policies.xlsx", "Sheet1", i + 2, YEAR), f"PDJ{i:07d}", "人保财险", _uscc(4),
                "知识产权质押融资信用保险", "信用保险", "北京银行中关村分行", BANK, "北京银行中关村分行", BANK, key,
                amount, Decimal(1_000 + (i * 31) % 150_000) + Decimal("0.37"), day, day, day + timedelta(days=365),
            )
        )  # fmt: skip
        valuations.append(
            Valuation(
                SourceRow("valuations.xlsx", "Sheet1", i + 2, YEAR), f"PG{i:07d}", "北京中评资产评估", VALUER, key,
                "资产评估", day - timedelta(days=3), amount, Decimal(2_000 + (i * 13) % 60_000) + Decimal("0.51"),
                day, f"FP{i}",
            )
        )  # fmt: skip
    return loans, policies, valuations


def time_settle(projects: int) -> tuple[float, Settlement]:
    loans, policies, valuations = synthetic_year(projects)
    policy = load_policy()
    started = time.perf_counter()
    result = settle(
        YEAR, loans=loans, policies=policies, valuations=valuations, registry=REGISTRY, policy=policy,
        history=LedgerHistory(),
    )  # fmt: skip
    return time.perf_counter() - started, result


def main() -> None:
    timings = {}
    for projects in (10_000, 100_000):
        seconds, result = time_settle(projects)
        timings[projects] = seconds
        counts = f"{len(result.lines)} lines, {len(result.refusals)} refused"
        print(f"settle {projects:,} projects: {seconds:.2f} s ({counts})")
    print(f"ratio 100k / 10k: {timings[100_000] / timings[10_000]:.1f} (10 = linear)")


if __name__ == "__main__":
    main()
