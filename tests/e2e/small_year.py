"""A small year whose every figure is worked out by hand in the tests that use it.

Registry: bank A, insurer I, valuer V. Loans from bank A: L1 2,000,000 (70% tier), L2 4,000,000 (50% tier),
L3 12,000,000 (above every tier). Policies from insurer I, bought by bank A unless said:
  P1/L1 premium 40,000.00 → 28,000.00 · P2/L2 premium 150,000.00 → 75,000.00 capped at 60,000.00 ·
  P3/L3 premium 10,000.00 → refused R3.2 · P4/L1 bought by the borrower itself → refused R2.3.
Valuations from V: V1/L1 fee 20,000.00 → 3,000.00 · V2/L3 fee 50,000.00 → 7,500.00 capped at 6,000.00 ·
  V3/L2 report dated after the loan's disbursement → refused R4.3.
Qualifying total 97,000.00: bank A 88,000.00, valuer V 9,000.00.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from zgc_pipeline.identifiers import uscc_check_character
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind


def uscc(body: str) -> str:
    body17 = ("91110108" + body).ljust(17, "0")[:17]
    return body17 + str(uscc_check_character(body17))


BANK, INSURER, VALUER = uscc("MA0000001"), uscc("MA0000002"), uscc("MA0000003")
INSURER_D = uscc("MA0000004")  # 丁保险: not in the registry, and it needs not be (R1 asks it of policyholders)
E1, E2, E3 = uscc("MA0000011"), uscc("MA0000012"), uscc("MA0000013")
QUALIFYING_TOTAL = "97,000.00"


def _write(path: Path, kind: SubmissionKind, rows: list[dict[str, object]]) -> Path:
    spec = KIND_SPECS[kind]
    book = Workbook()
    sheet = book.active
    sheet.append([f"2020年度{spec.title}"])  # a title line above the header, as people send them
    sheet.append([f.header for f in spec.fields])
    for row in rows:
        sheet.append([row.get(f.key, "") for f in spec.fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_registry(path: Path) -> Path:
    common = {"admitted_on": "2019-01-01", "payee_bank": "北京银行中关村支行"}
    return _write(
        path,
        SubmissionKind.REGISTRY,
        [
            {**common, "uscc": BANK, "name": "甲银行", "roles": "银行", "payee_account": "110000000001"},
            {**common, "uscc": INSURER, "name": "乙保险", "roles": "保险公司", "payee_account": "110000000002"},
            {**common, "uscc": VALUER, "name": "丙评估", "roles": "评估机构", "payee_account": "110000000003"},
        ],
    )


def _loan(no: str, borrower: str, name: str, amount: str, year: int = 2020) -> dict[str, object]:
    return {
        "loan_contract_no": no,
        "lender_name": "甲银行",
        "lender_uscc": BANK,
        "borrower_name": name,
        "borrower_uscc": borrower,
        "borrower_in_zgc": "是",
        "loan_amount": amount,
        "disbursement_date": f"{year}-03-01",
        "maturity_date": f"{year + 1}-03-01",
        "ip_type": "专利",
        "ip_numbers": "ZL202010566088.9",
        "pledge_registration_no": f"ZX{no}",
        "pledge_effective_date": f"{year}-02-25",
    }


def _policy(
    no: str, loan: str, premium: str, holder: str = BANK, holder_name: str = "甲银行", year: int = 2020
) -> dict[str, object]:
    return {
        "policy_no": no,
        "insurer_name": "乙保险",
        "insurer_uscc": INSURER,
        "product_name": "知识产权质押融资信用保险",
        "insurance_category": "信用保险",
        "policyholder_name": holder_name,
        "policyholder_uscc": holder,
        "insured_name": "甲银行",
        "insured_uscc": BANK,
        "loan_contract_no": loan,
        "sum_insured": "1000000",
        "premium": premium,
        "premium_paid_date": f"{year}-03-05",
        "coverage_start": f"{year}-03-01",
        "coverage_end": f"{year + 1}-03-01",
    }


def _valuation(no: str, loan: str, fee: str, report_date: str = "2020-02-20") -> dict[str, object]:
    return {
        "report_no": no,
        "valuer_name": "丙评估",
        "valuer_uscc": VALUER,
        "loan_contract_no": loan,
        "service_type": "资产评估",
        "report_date": report_date,
        "appraised_value": "5000000",
        "valuation_fee": fee,
        "fee_paid_date": "2020-03-10",
        "invoice_no": f"FP{no}",
    }


def write_inbox(inbox: Path) -> Path:
    _write(
        inbox / "甲银行_贷款信息表.xlsx",
        SubmissionKind.LOANS,
        [
            _loan("L1", E1, "一号科技", "2000000.00"),
            _loan("L2", E2, "二号科技", "4000000.00"),
            _loan("L3", E3, "三号科技", "12000000.00"),
        ],
    )
    _write(
        inbox / "乙保险_保单信息表.xlsx",
        SubmissionKind.POLICIES,
        [
            _policy("P1", "L1", "40000.00"),
            _policy("P2", "L2", "150000.00"),
            _policy("P3", "L3", "10000.00"),
            _policy("P4", "L1", "5000.00", holder=E1, holder_name="一号科技"),
        ],
    )
    _write(
        inbox / "丙评估_评估信息表.xlsx",
        SubmissionKind.VALUATIONS,
        [
            _valuation("V1", "L1", "20000.00"),
            _valuation("V2", "L3", "50000.00"),
            _valuation("V3", "L2", "8000.00", report_date="2020-03-02"),
        ],
    )
    return inbox


def write_corrected_loans(inbox: Path) -> Path:
    """Bank A sends its loans again with L2's 贷款金额 unreadable: L2's row is refused, so P2 and V3 lose their loan
    (R2.1, R4.1)."""
    return _write(
        inbox / "甲银行_贷款信息表.xlsx",
        SubmissionKind.LOANS,
        [
            _loan("L1", E1, "一号科技", "2000000.00"),
            _loan("L2", E2, "二号科技", "四百万元"),
            _loan("L3", E3, "三号科技", "12000000.00"),
        ],
    )


def write_unreadable_policy(inbox: Path) -> Path:
    """Another insurer's file whose only row (row 3, P9 for L2) has a premium no one can read: refused whole-row."""
    row = _policy("P9", "L2", "十万元整") | {"insurer_name": "丁保险", "insurer_uscc": INSURER_D}
    return _write(inbox / "丁保险_保单信息表.xlsx", SubmissionKind.POLICIES, [row])


def write_earlier_year_inbox(inbox: Path) -> Path:
    """2019, before the small year: bank A's L1 (a 2019 loan of the same contract number), P0/L1 paid in 2019
    (premium 80,000.00 → 56,000.00 of L1's 60,000.00 cap), and 2020's P1/L1 sent a year early (R9.3 in 2019)."""
    _write(
        inbox / "甲银行_2019年度贷款信息表.xlsx",
        SubmissionKind.LOANS,
        [_loan("L1", E1, "一号科技", "2000000.00", 2019)],
    )
    _write(
        inbox / "乙保险_2019年度保单信息表.xlsx",
        SubmissionKind.POLICIES,
        [_policy("P0", "L1", "80000.00", year=2019), _policy("P1", "L1", "40000.00")],
    )
    return inbox


def write_next_year_inbox(inbox: Path) -> Path:
    """2021, same ledger as 2020: L1 takes a second policy P5 and bank A sends P1 again.

    P5/L1 premium 60,000.00 → 42,000.00, but 2020 already paid L1 28,000.00 of its 60,000.00 cap: 32,000.00 (R3.4).
    P1/L1 again → refused: paid in 2020 (R6.1).
    """
    _write(
        inbox / "乙保险_2021年度保单信息表.xlsx",
        SubmissionKind.POLICIES,
        [_policy("P5", "L1", "60000.00", year=2021), _policy("P1", "L1", "40000.00")],
    )
    return inbox


def write_policies(path: Path, rows: list[tuple[str, str, str]], *, insurer: str = INSURER) -> Path:
    """An insurer's file of (保单号, 贷款合同编号, 保费) rows, otherwise like 乙保险's."""
    name = "乙保险" if insurer == INSURER else "丁保险"
    policies = [
        _policy(no, loan, premium) | {"insurer_name": name, "insurer_uscc": insurer} for no, loan, premium in rows
    ]
    return _write(path, SubmissionKind.POLICIES, policies)


def write_valuations(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """丙评估's file of (评估报告编号, 贷款合同编号, 评估收费) rows."""
    return _write(path, SubmissionKind.VALUATIONS, [_valuation(no, loan, fee) for no, loan, fee in rows])


def write_scores(path: Path) -> Path:
    """L1: 80 85 90 70 95 → trimmed mean 85.00 · L2: 70 75 80 → 75.00 · L3: 90 92 (recused) 88 86 → 89.00."""
    rows: list[dict[str, object]] = []
    for project, scores in (("L1", [80, 85, 90, 70, 95]), ("L2", [70, 75, 80]), ("L3", [90, 92, None, 88, 86])):
        for i, score in enumerate(scores, start=1):
            row: dict[str, object] = {"project_id": project, "expert_id": f"E{i:02d}"}
            if score is None:
                row["recused"] = "是"
            else:
                row["score"] = score
                row["recused"] = "否"
            rows.append(row)
    return _write(path, SubmissionKind.EXPERT_SCORES, rows)
