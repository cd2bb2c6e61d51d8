"""Each rule of submissions.md: a row with one bad value gives exactly the expected problem, and nothing else.

All cases of a kind sit in one submission (clean first row, then each case's rows), validated once per kind, so
every case also checks that no other rule fires on its rows. Messages are written out by hand here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from quality_builder import FIRST_ROW, SHEET, clean_rows, parsed_submission

from zgc_pipeline.quality import suite_problems
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

K = SubmissionKind
E, W = Severity.ERROR, Severity.WARNING
Expected = tuple[int, str, str, str, Severity]  # (row offset in the case, column, value as sent, problem, severity)


@dataclass(frozen=True)
class Case:
    name: str
    rows: tuple[dict[str, Any], ...]  # changes to a clean row, one dict per row of the case
    expected: tuple[Expected, ...]
    raw: dict[tuple[int, str], str] = field(default_factory=dict)  # (row offset, field) → cell as sent


def bad(name: str, changes: dict[str, Any], column: str, value: str, problem: str, severity: Severity = E) -> Case:
    """One row with one bad value; ``value`` is also what the submitter's cell held."""
    key = next(iter(changes)) if len(changes) == 1 else None
    raw = {(0, key): value} if key is not None else {}
    return Case(name, (changes,), ((0, column, value, problem, severity),), raw)


def good(name: str, changes: dict[str, Any]) -> Case:
    return Case(name, (changes,), ())


USCC_WRONG_CHECK = "统一社会信用代码校验位错误：第18位应为L，实为A"

CASES: dict[SubmissionKind, list[Case]] = {
    K.LOANS: [
        bad("contract missing", {"loan_contract_no": None}, "贷款合同编号", "", "贷款合同编号为必填项，不能为空"),
        bad("lender missing", {"lender_name": None}, "贷款机构名称", "", "贷款机构名称为必填项，不能为空"),
        bad(
            "lender uscc wrong check",
            {"lender_uscc": "91110000600037341A"},
            "贷款机构统一社会信用代码",
            "91110000600037341A",
            USCC_WRONG_CHECK,
        ),
        bad(
            "borrower uscc 17 characters",
            {"borrower_uscc": "91110000600037341"},
            "借款企业统一社会信用代码",
            "91110000600037341",
            "统一社会信用代码应为18位，实为17位",
        ),
        bad(
            "borrower uscc with I",
            {"borrower_uscc": "9111000060003734IL"},
            "借款企业统一社会信用代码",
            "9111000060003734IL",
            "统一社会信用代码含不允许的字符：I（不使用I、O、S、V、Z）",
        ),
        bad(
            "zgc flag missing",
            {"borrower_in_zgc": None},
            "是否中关村示范区企业",
            "",
            "是否中关村示范区企业为必填项，不能为空",
        ),
        bad("amount zero", {"loan_amount": 0}, "贷款金额（元）", "0.00", "贷款金额（元）应大于0"),
        bad("amount negative", {"loan_amount": -100}, "贷款金额（元）", "-1", "贷款金额（元）应大于0"),
        bad("amount missing", {"loan_amount": None}, "贷款金额（元）", "", "贷款金额（元）为必填项，不能为空"),
        bad(
            "maturity on disbursement day",
            {"maturity_date": date(2025, 3, 5)},
            "到期日期",
            "2025-03-05",
            "到期日期应晚于放款日期（2025-03-05）",
        ),
        bad("maturity missing", {"maturity_date": None}, "到期日期", "", "到期日期为必填项，不能为空"),
        bad(
            "ip type not a choice",
            {"ip_type": "版权"},
            "质押知识产权类型",
            "版权",
            "质押知识产权类型应为以下之一：专利、商标、著作权、数据知识产权",
        ),
        bad(
            "second patent wrong check digit",
            {"ip_numbers": "ZL202010566088.9;ZL202010566088.8"},
            "质押知识产权号",
            "ZL202010566088.9;ZL202010566088.8",
            "专利号校验位错误：应为9，实为8（ZL202010566088.8）",
        ),
        bad(
            "patent with 11 digits",
            {"ip_numbers": "ZL20201056608.9"},
            "质押知识产权号",
            "ZL20201056608.9",
            "专利号格式应为（ZL/CN）+8位或12位数字+“.”+校验位（ZL20201056608.9）",
        ),
        good("old 8-digit patents", {"ip_numbers": "90101673.X;97101765.4"}),
        bad(
            "trademark with letters",
            {"ip_type": "商标", "ip_numbers": "12345678;A123"},
            "质押知识产权号",
            "12345678;A123",
            "质押知识产权号格式不正确，应为仅含数字的商标注册号（可写作“第12345678号”），多个以分号分隔"
            "（质押知识产权类型为“商标”时）",
        ),
        good("trademarks", {"ip_type": "商标", "ip_numbers": "第12345678号;87654321"}),
        good("copyright numbers are not patents", {"ip_type": "著作权", "ip_numbers": "国作登字-2020-L-01234567"}),
        bad(
            "pledge number missing", {"pledge_registration_no": None}, "质押登记号", "", "质押登记号为必填项，不能为空"
        ),
        bad(
            "pledge after disbursement warns",
            {"pledge_effective_date": date(2025, 3, 6)},
            "质权设立日期",
            "2025-03-06",
            "质权设立日期应不晚于放款日期（2025-03-05）；仅提示，不影响受理",
            W,
        ),
        good("pledge on disbursement day", {"pledge_effective_date": date(2025, 3, 5)}),
        Case(
            "contract number repeated after normalising",
            ({"loan_contract_no": "JK－DUP"}, {}, {"loan_contract_no": "jk-dup"}),
            (
                (0, "贷款合同编号", "JK－DUP", "贷款合同编号在本文件中重复（与第{2}行相同），应唯一", E),
                (2, "贷款合同编号", "jk-dup", "贷款合同编号在本文件中重复（与第{0}行相同），应唯一", E),
            ),
        ),
    ],
    K.POLICIES: [
        bad("policy number missing", {"policy_no": None}, "保单号", "", "保单号为必填项，不能为空"),
        bad(
            "category not a choice",
            {"insurance_category": "责任保险"},
            "险种类别",
            "责任保险",
            "险种类别应为以下之一：信用保险、保证保险、财产损失保险、其他",
        ),
        bad(
            "insured uscc",
            {"insured_uscc": "91110000600037341A"},
            "被保险人统一社会信用代码",
            "91110000600037341A",
            USCC_WRONG_CHECK,
        ),
        bad("premium zero", {"premium": 0}, "保费（元）", "0", "保费（元）应大于0"),
        bad("sum insured missing", {"sum_insured": None}, "保险金额（元）", "", "保险金额（元）为必填项，不能为空"),
        bad(
            "coverage ends before it starts",
            {"coverage_end": date(2025, 3, 1)},
            "保险止期",
            "2025-03-01",
            "保险止期应晚于保险起期（2025-03-05）",
        ),
        Case(
            "one policy, two loans (集中投保) is fine",
            (
                {"policy_no": "PA-GROUP", "loan_contract_no": "JK-A"},
                {"policy_no": "PA-GROUP", "loan_contract_no": "JK-B"},
            ),
            (),
        ),
        Case(  # a repeated policy row is R6.1's business (the rules keep the first identical row), not a data error
            "same policy and loan twice",
            (
                {"policy_no": "PA-TWICE", "loan_contract_no": "JK-C"},
                {"policy_no": "pa-twice", "loan_contract_no": "JK-C "},
            ),
            (),
        ),
    ],
    K.VALUATIONS: [
        bad(
            "service type not a choice",
            {"service_type": "专利导航"},
            "服务类型",
            "专利导航",
            "服务类型应为以下之一：资产评估、价值分析",
        ),
        bad("fee zero", {"valuation_fee": 0}, "评估收费（元）", "0", "评估收费（元）应大于0"),
        bad(
            "early code failing its check",
            {"valuer_uscc": "91350100M0001TGQXM"},
            "评估机构统一社会信用代码",
            "91350100M0001TGQXM",
            "统一社会信用代码校验位错误：第18位应为1，实为M",
        ),
        bad("invoice missing", {"invoice_no": None}, "发票号码", "", "发票号码为必填项，不能为空"),
        Case(  # R6.1's business: identical repeats keep the first as the claim line (rules), not refused here
            "same report and loan twice",
            ({"report_no": "PG-X", "loan_contract_no": "JK-D"}, {"report_no": "PG-X", "loan_contract_no": "JK-D"}),
            (),
        ),
    ],
    K.EXPERT_SCORES: [
        bad(
            "no score, not recused",
            {"score": None, "recused": False},
            "评分",
            "",
            "评分为必填项，不能为空（是否回避不为“是”时）",
        ),
        bad(
            "no score, recusal left blank (default 否)",
            {"score": None, "recused": None},
            "评分",
            "",
            "评分为必填项，不能为空（是否回避不为“是”时）",
        ),
        good("no score, recused", {"score": None, "recused": True}),
        bad("score over 100", {"score": 10_001}, "评分", "100.01", "评分应不小于0且不大于100"),
        bad("score below 0", {"score": -1}, "评分", "-0.01", "评分应不小于0且不大于100"),
        good("score exactly 100", {"score": 10_000}),
        good("score exactly 0", {"score": 0}),
        bad("expert missing", {"expert_id": None}, "专家编号", "", "专家编号为必填项，不能为空"),
        Case(
            "same expert scores a project twice",
            ({"project_id": "JK-E", "expert_id": "E07"}, {"project_id": "JK-E", "expert_id": "e07"}),
            (
                (0, "项目编号", "JK-E", "项目编号与专家编号的组合在本文件中重复（与第{1}行相同），应唯一", E),
                (1, "项目编号", "JK-E", "项目编号与专家编号的组合在本文件中重复（与第{0}行相同），应唯一", E),
            ),
        ),
    ],
    K.REGISTRY: [
        bad(
            "uscc wrong check",
            {"uscc": "91110000600037341A"},
            "统一社会信用代码",
            "91110000600037341A",
            USCC_WRONG_CHECK,
        ),
        bad("name missing", {"name": None}, "单位名称", "", "单位名称为必填项，不能为空"),
        bad(
            "unknown role",
            {"roles": "银行;律师事务所"},
            "单位类型",
            "银行;律师事务所",
            "单位类型格式不正确，应为银行、担保机构、知识产权服务机构、评估机构、保险公司中的一个或多个，以分号分隔",
        ),
        good("all five roles", {"roles": "银行;担保机构;知识产权服务机构;评估机构;保险公司"}),
        bad(
            "account Excel turned into a number",
            {"payee_account": "6.22E+18"},
            "银行账号",
            "6.22E+18",
            "银行账号格式不正确，应为仅含数字的银行账号（以文本填写）",
        ),
        bad(
            "exit before admission",
            {"exited_on": date(2022, 12, 31)},
            "退出日期",
            "2022-12-31",
            "退出日期应晚于入选日期（2023-01-01）",
        ),
        bad(
            "exit on admission day",
            {"exited_on": date(2023, 1, 1)},
            "退出日期",
            "2023-01-01",
            "退出日期应晚于入选日期（2023-01-01）",
        ),
        good("exit after admission", {"exited_on": date(2024, 6, 30)}),
        Case(
            "same unit twice",
            ({"uscc": "91110108MA01ABCD4P"}, {"uscc": "91110108MA01ABCD4P"}),
            (
                (
                    0,
                    "统一社会信用代码",
                    "91110108MA01ABCD4P",
                    "统一社会信用代码在本文件中重复（与第{1}行相同），应唯一",
                    E,
                ),
                (
                    1,
                    "统一社会信用代码",
                    "91110108MA01ABCD4P",
                    "统一社会信用代码在本文件中重复（与第{0}行相同），应唯一",
                    E,
                ),
            ),
        ),
    ],
}


def _layout(kind: SubmissionKind) -> dict[str, int]:
    """Case name → offset of its first row in the kind's submission (row 0 is a clean row)."""
    offsets, next_offset = {}, 1
    for case in CASES[kind]:
        offsets[case.name] = next_offset
        next_offset += len(case.rows)
    return offsets


_VALIDATED: dict[SubmissionKind, list[RowProblem]] = {}


def problems_of(kind: SubmissionKind) -> list[RowProblem]:
    """Validate the kind's submission of all its cases once."""
    if kind not in _VALIDATED:
        offsets = _layout(kind)
        total = 1 + sum(len(c.rows) for c in CASES[kind])
        rows = clean_rows(kind, total)
        raw: dict[tuple[int, str], str] = {}
        for case in CASES[kind]:
            start = offsets[case.name]
            for i, changes in enumerate(case.rows):
                rows[start + i].update(changes)
            raw.update({(FIRST_ROW + start + i, key): text for (i, key), text in case.raw.items()})
        _VALIDATED[kind] = suite_problems(parsed_submission(kind, rows, raw=raw))
    return _VALIDATED[kind]


@pytest.mark.parametrize(
    ("kind", "case"),
    [(kind, case) for kind, cases in CASES.items() for case in cases],
    ids=lambda v: getattr(v, "name", v),
)
def test_each_case_gives_exactly_its_problems(kind: SubmissionKind, case: Case) -> None:
    start = FIRST_ROW + _layout(kind)[case.name]
    case_rows = range(start, start + len(case.rows))
    found = [p for p in problems_of(kind) if p.row in case_rows]
    row_numbers = {f"{{{i}}}": str(start + i) for i in range(len(case.rows))}

    def filled(text: str) -> str:
        for placeholder, number in row_numbers.items():
            text = text.replace(placeholder, number)
        return text

    assert found == [
        RowProblem(SHEET, start + offset, column, value, filled(problem), severity)
        for offset, column, value, problem, severity in case.expected
    ]


@pytest.mark.parametrize("kind", list(CASES))
def test_the_clean_row_has_no_problem(kind: SubmissionKind) -> None:
    assert [p for p in problems_of(kind) if p.row == FIRST_ROW] == []


def test_enough_distinct_bad_rows() -> None:
    bad_rows = {
        (kind, case.name, offset) for kind, cases in CASES.items() for case in cases for offset, *_ in case.expected
    }
    assert len(bad_rows) >= 20


@pytest.mark.parametrize("kind", list(SubmissionKind))
def test_a_clean_file_has_no_problem(kind: SubmissionKind) -> None:
    assert suite_problems(parsed_submission(kind, clean_rows(kind, 4))) == []
