"""The expert review packet of an over-budget year (outputs.md §4, R8.2): the projects, and a blank score sheet.

The score sheet's headers are exactly those of the 专家评分表 submission (submissions.md §4), so the panel's
filled-in copy reads back through the ordinary submission path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import ZERO
from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.sheets import Book, Column, Kind, created_on
from zgc_pipeline.records import Loan

M = Kind.MONEY
PROJECT_COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("项目编号"),
    Column("借款企业名称"),
    Column("贷款金额（元）", M),
    Column("保费补贴测算（元）", M),
    Column("评估费资金支持测算（元）", M),
    Column("申报合计（元）", M),
    Column("质押知识产权"),
    Column("相关机构"),
)
SCORE_HEADERS = ("项目编号", "专家编号", "评分", "是否回避", "评语")
SCORE_WIDTHS = (24, 12, 10, 10, 50)
MAX_ROW = 1_048_575


@bulk_record
class ReviewProject:
    """One project as the panel sees it: all its qualifying lines of the year together (R8.1)."""

    project_key: str
    project_no: str
    borrower_name: str
    loan_amount: Decimal
    premium: Decimal
    valuation: Decimal
    pledged_ip: str
    institutions: str

    @property
    def claimed(self) -> Decimal:
        return self.premium + self.valuation


class ReviewLine(Protocol):
    """What the packet needs of a qualifying line: a ``ClaimLine`` has it, and so has the ledger's lighter
    ``LineSummary``, which the cycle reads so as not to decode every line whole."""

    @property
    def kind(self) -> ClaimKind: ...
    @property
    def project_key(self) -> str: ...
    @property
    def project_no(self) -> str: ...
    @property
    def borrower_name(self) -> str: ...
    @property
    def loan_amount(self) -> Decimal: ...
    @property
    def computed(self) -> Decimal: ...
    @property
    def payee_name(self) -> str: ...


def review_projects(lines: Sequence[ReviewLine], loans: Mapping[str, Loan]) -> list[ReviewProject]:
    """The year's qualifying projects, ordered by project key; ``loans`` is keyed by normalised 贷款合同编号.

    ``lines`` in the settlement's order: a project's first line names it, and its institutions in the order met.
    """
    by_project: dict[str, list[ReviewLine]] = {}
    for line in lines:
        by_project.setdefault(line.project_key, []).append(line)
    return [_project(key, grouped, loans.get(key)) for key, grouped in sorted(by_project.items())]


def _project(key: str, lines: Sequence[ReviewLine], loan: Loan | None) -> ReviewProject:
    premium = sum((x.computed for x in lines if x.kind is ClaimKind.PREMIUM_SUBSIDY), ZERO)
    valuation = sum((x.computed for x in lines if x.kind is ClaimKind.VALUATION_SUPPORT), ZERO)
    first = lines[0]
    pledged = f"{loan.ip_type}：{'、'.join(loan.ip_numbers)}" if loan else ""
    return ReviewProject(
        project_key=key,
        project_no=first.project_no,
        borrower_name=first.borrower_name,
        loan_amount=first.loan_amount,
        premium=premium,
        valuation=valuation,
        pledged_ip=pledged,
        institutions=_institutions(lines, loan),
    )


def _institutions(lines: Sequence[ReviewLine], loan: Loan | None) -> str:
    """贷款银行：…；投保单位：…；评估机构：… — each name once, in the order first met."""
    parts = []
    if loan:
        parts.append(f"贷款银行：{loan.lender_name}")
    for kind, label in ((ClaimKind.PREMIUM_SUBSIDY, "投保单位"), (ClaimKind.VALUATION_SUPPORT, "评估机构")):
        names = list(dict.fromkeys(x.payee_name for x in lines if x.kind is kind))
        if names:
            parts.append(f"{label}：{'、'.join(names)}")
    return "；".join(parts)


def write_review_packet(
    path: Path, *, year: int, lines: Sequence[ReviewLine], loans: Mapping[str, Loan], budget: Decimal
) -> None:
    """Write ``expert_review_<year>.xlsx`` whole or not at all, from the year's qualifying lines in order."""
    projects = review_projects(lines, loans)
    atomic_write(path, lambda target: _write(target, year, projects, budget))


def _write(target: Path, year: int, projects: Sequence[ReviewProject], budget: Decimal) -> None:
    qualifying = sum((p.claimed for p in projects), ZERO)
    with Book(target, created=created_on(year), title=f"{year}年度专家评审材料") as book:
        sheet = book.sheet("待评审项目")
        sheet.info("结算年度", year, Kind.INTEGER, widen=False)
        sheet.info("当年预算（元）", budget, M, widen=False)
        sheet.info("符合条件申报合计（元）", qualifying, M, widen=False)
        sheet.info("项目数", len(projects), Kind.INTEGER, widen=False)
        sheet.skip()
        sheet.header(PROJECT_COLUMNS)
        sheet.rows(
            PROJECT_COLUMNS,
            (
                (n, p.project_no, p.borrower_name, p.loan_amount, p.premium, p.valuation, p.claimed, p.pledged_ip,
                 p.institutions)
                for n, p in enumerate(projects, start=1)
            ),
        )  # fmt: skip
        premium = sum((p.premium for p in projects), ZERO)
        valuation = sum((p.valuation for p in projects), ZERO)
        sheet.total(PROJECT_COLUMNS, ("合计", None, None, None, premium, valuation, qualifying, None, None))
        sheet.finish(minimum=(6, 24, 16))
        _score_sheet(book, len(projects))


def _score_sheet(book: Book, projects: int) -> None:
    """A blank 专家评分表 with a 是/否 drop-down for 是否回避 and a 0–100 check on 评分."""
    sheet = book.sheet("专家评分表")
    sheet.header([Column(header) for header in SCORE_HEADERS])
    last = min(MAX_ROW, max(1000, projects * 20))
    worksheet = sheet.worksheet
    worksheet.data_validation(
        1, 2, last, 2,
        {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
         "error_title": "评分有误", "error_message": "评分应为 0 到 100 之间的数字"},
    )  # fmt: skip
    worksheet.data_validation(
        1, 3, last, 3,
        {"validate": "list", "source": ["是", "否"],
         "error_title": "是否回避有误", "error_message": "请从下拉列表中选择 是 或 否"},
    )  # fmt: skip
    for col, width in enumerate(SCORE_WIDTHS):
        worksheet.set_column(col, col, width)
