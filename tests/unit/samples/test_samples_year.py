"""The written sample year, read back with python-calamine and csv."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from samples_reading import header_index, records, sheet_rows

from zgc_pipeline.identifiers import is_valid_patent_number, is_valid_uscc
from zgc_pipeline.samples import SampleYear, write_sample_year
from zgc_pipeline.submissions.fields import EXPERT_SCORES, KIND_SPECS, LOANS, POLICIES, REGISTRY, VALUATIONS, KindSpec

LOAN_FILES = (
    "北京银行中关村分行_2020年度贷款信息表.xlsx",
    "招商银行北京分行贷款信息表2020.xls",
    "交通银行北京市分行贷款台账.csv",
)
POLICY_FILES = ("人保财险北京市分公司_保单信息表.xlsx", "太保财险北京分公司_保单信息.ods")
VALUATION_FILES = ("中企华评估_评估信息表.xlsx", "中金浩评估_评估信息表.csv")
BAD_FILE = "企业联系人名单.xlsx"


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> SampleYear:
    return write_sample_year(tmp_path_factory.mktemp("year") / "2020")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    write_sample_year(tmp_path / "a", seed=5)
    write_sample_year(tmp_path / "b", seed=5)
    write_sample_year(tmp_path / "c", seed=6)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) == 10  # 8 in the inbox, the registry and the scores
    assert a == b
    assert a.keys() == c.keys()
    changed = {name for name in a if a[name] != c[name]}
    assert changed == set(a) - {f"inbox/{BAD_FILE}"}


def test_layout_registry_and_scores_sit_outside_the_inbox(year: SampleYear) -> None:
    assert year.inbox.is_dir()
    assert year.registry.parent == year.inbox.parent
    assert year.scores is not None and year.scores.parent == year.inbox.parent
    assert year.budget == Decimal("340000.00")
    assert year.description
    names = {p.name for p in year.inbox.iterdir()}
    assert names == {*LOAN_FILES, *POLICY_FILES, *VALUATION_FILES, BAD_FILE}
    assert {Path(n).suffix for n in names} >= {".xlsx", ".xls", ".csv", ".ods"}


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        *((n, LOANS) for n in LOAN_FILES),
        *((n, POLICIES) for n in POLICY_FILES),
        *((n, VALUATIONS) for n in VALUATION_FILES),
    ],
)
def test_every_submission_carries_its_kinds_headers(year: SampleYear, name: str, spec: KindSpec) -> None:
    rows = sheet_rows(year.inbox / name)
    header = [str(cell) for cell in rows[header_index(rows, spec)]]
    for f in spec.fields:
        assert f.header in header or any(h.startswith(f.base_header) for h in header), (name, f.header)


def test_registry_and_scores_carry_exactly_the_template_headers(year: SampleYear) -> None:
    assert sheet_rows(year.registry)[0] == [f.header for f in REGISTRY.fields]
    assert year.scores is not None
    assert sheet_rows(year.scores)[0] == [f.header for f in EXPERT_SCORES.fields]


def test_messy_but_valid_spellings_are_there(year: SampleYear) -> None:
    b1 = sheet_rows(year.inbox / LOAN_FILES[0])
    assert b1[0][0] == "2020年度中关村知识产权质押融资保险贷款信息表"
    assert str(b1[1][0]).startswith("填报单位：")
    assert any(row[0] == "合计" for row in b1)
    assert str(b1[-1][0]).startswith("填表说明")
    assert any(not any(str(c) for c in row) for row in b1[3:-3])  # a blank row among the data

    b2 = sheet_rows(year.inbox / LOAN_FILES[1])
    assert "贷款金额（万元）" in b2[2]
    assert b2[3][7] == "2020年4月8日"  # 放款日期 of T2-EDGE-LOW, as text
    assert any(str(row[0]).startswith("ＺＳ") for row in b2)  # full-width contract number

    b3 = (year.inbox / LOAN_FILES[2]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        b3.decode("utf-8")
    text = b3.decode("gb18030")
    assert '"10,000,000.01元"' in text and "2020/5/25" in text and "客户经理" in text
    assert text.splitlines()[0].startswith("借款企业名称")  # columns in another order

    i1 = records(year.inbox / POLICY_FILES[0], POLICIES)
    assert i1[0]["premium_paid_date"] == 43900.0  # 2020-03-10 as a bare Excel serial number
    assert i1[1]["premium"] == "¥36,000.00"


def _as_yuan(cell: object, wan: bool) -> Decimal:
    text = str(cell).replace(",", "").replace("元", "")
    amount = Decimal(text) * (10_000 if wan else 1)
    return amount.quantize(Decimal("0.01"))


def test_boundary_loan_amounts_are_in_the_loan_files(year: SampleYear) -> None:
    amounts = set()
    for name in LOAN_FILES:
        amounts |= {_as_yuan(r["loan_amount"], name.endswith(".xls")) for r in records(year.inbox / name, LOANS)}
    for boundary in ("3000000.00", "3000000.01", "5000000.00", "5000000.01", "10000000.00", "10000000.01"):
        assert Decimal(boundary) in amounts


def test_exactly_the_designed_bad_rows(year: SampleYear) -> None:
    loans = [r for name in LOAN_FILES for r in records(year.inbox / name, LOANS)]
    assert len(loans) == 30
    assert sum(not is_valid_uscc(str(r["borrower_uscc"])) for r in loans) == 1
    patents = [n for r in loans if r["ip_type"] == "专利" for n in str(r["ip_numbers"]).split("；")]
    assert sum(not is_valid_patent_number(n) for n in patents) == 1
    assert sum(str(r["disbursement_date"]).strip() == "" for r in loans) == 1
    policies = [r for name in POLICY_FILES for r in records(year.inbox / name, POLICIES)]
    assert sum(isinstance(r["premium"], float) and r["premium"] < 0 for r in policies) == 1


def test_the_bad_file_matches_no_kind(year: SampleYear) -> None:
    header = [str(cell) for cell in sheet_rows(year.inbox / BAD_FILE)[0]]
    for spec in KIND_SPECS.values():
        assert not all(any(h.startswith(f.base_header) for h in header) for f in spec.required_fields)


def test_one_pooled_policy_over_three_loans_and_insurer_lines(year: SampleYear) -> None:
    policies = [r for name in POLICY_FILES for r in records(year.inbox / name, POLICIES)]
    counts = Counter(str(r["policy_no"]) for r in policies)
    assert sorted(counts.values())[-1] == 3 and sorted(counts.values())[-2] == 1
    assert sum(r["insurance_category"] == "保证保险" for r in policies) == 1
    assert sum(r["policyholder_uscc"] == r["insurer_uscc"] for r in policies) == 1


def test_registry_units_are_valid_and_one_has_left(year: SampleYear) -> None:
    units = records(year.registry, REGISTRY)
    assert len(units) == 8
    assert all(is_valid_uscc(str(u["uscc"])) for u in units)
    assert all(isinstance(u["payee_account"], str) and u["payee_account"].isdigit() for u in units)
    assert sum(str(u["exited_on"]) != "" for u in units) == 1
    assert sum(u["roles"] == "保险公司" for u in units) == 2


def test_scores_five_experts_for_each_of_the_21_qualifying_projects(year: SampleYear) -> None:
    assert year.scores is not None
    scores = records(year.scores, EXPERT_SCORES)
    per_project = Counter(str(r["project_id"]) for r in scores)
    assert len(per_project) == 21 and set(per_project.values()) == {5}
    recused = [r for r in scores if r["recused"] == "是"]
    assert recused and all(r["score"] == "" for r in recused)
    valid = Counter(str(r["project_id"]) for r in scores if r["recused"] == "否")
    assert min(valid.values()) == 2
