"""The bulk year for benchmarks, read back with python-calamine."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from samples_reading import sheet_rows

from zgc_pipeline.identifiers import is_valid_patent_number, is_valid_uscc
from zgc_pipeline.samples import write_bulk_year
from zgc_pipeline.submissions.fields import EXPERT_SCORES, LOANS, POLICIES, REGISTRY, VALUATIONS

FILES = {"贷款信息表.xlsx": LOANS, "保单信息表.xlsx": POLICIES, "评估信息表.xlsx": VALUATIONS}


def test_bulk_year_has_exactly_n_rows_per_file_under_template_headers(tmp_path: Path) -> None:
    year = write_bulk_year(tmp_path, projects=40)
    for name, spec in FILES.items():
        rows = sheet_rows(year.inbox / name)
        assert rows[0] == [f.header for f in spec.fields]
        assert len(rows) == 1 + 40
    assert sheet_rows(year.registry)[0] == [f.header for f in REGISTRY.fields]
    assert year.scores is not None
    scores = sheet_rows(year.scores)
    assert scores[0][:4] == [f.header for f in EXPERT_SCORES.fields][:4]
    assert len(scores) == 1 + 5 * 40
    assert set(Counter(row[0] for row in scores[1:]).values()) == {5}


def test_bulk_values_are_valid_and_the_budget_is_80_percent_of_the_claims(tmp_path: Path) -> None:
    year = write_bulk_year(tmp_path, projects=30, seed=3)
    loans = sheet_rows(year.inbox / "贷款信息表.xlsx")[1:]
    policies = sheet_rows(year.inbox / "保单信息表.xlsx")[1:]
    valuations = sheet_rows(year.inbox / "评估信息表.xlsx")[1:]
    assert all(is_valid_uscc(str(row[4])) and is_valid_patent_number(str(row[10])) for row in loans)
    assert all(0 < float(row[6]) <= 3_000_000 for row in loans)  # every loan in the 70% tier
    assert [row[9] for row in policies] == [row[0] for row in loans] == [row[3] for row in valuations]
    # premium × 70% and fee × 15% are below the caps (60,000 / 6,000) here, so a claim is just the two rates
    premiums = [Decimal(str(row[11])) for row in policies]
    fees = [Decimal(str(row[7])) for row in valuations]
    assert max(premiums) * Decimal("0.7") <= 60_000 and max(fees) * Decimal("0.15") <= 6_000
    claims = sum(premiums) * Decimal("0.7") + sum(fees) * Decimal("0.15")
    assert year.budget == (claims * Decimal("0.8")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def test_bulk_year_is_deterministic_per_seed(tmp_path: Path) -> None:
    first = write_bulk_year(tmp_path / "a", projects=20, seed=9)
    again = write_bulk_year(tmp_path / "b", projects=20, seed=9)
    other = write_bulk_year(tmp_path / "c", projects=20, seed=10)
    for name in FILES:
        assert (first.inbox / name).read_bytes() == (again.inbox / name).read_bytes()
        assert (first.inbox / name).read_bytes() != (other.inbox / name).read_bytes()
    assert first.budget == again.budget != other.budget
