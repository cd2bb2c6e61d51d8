"""The expert review packet of an over-budget year (outputs.md §4, R8.2): the projects, and the score sheet.

The score sheet's headers are exactly those of the 专家评分表 submission (submissions.md §4), so the panel's
filled-in copy reads back through the ordinary submission path. Its 项目编号 are written in, as the packet names
the projects, so nobody retypes them (some are full-width): one row per project and expert when the panel is
known, else one row per project with 专家编号 left to fill in.
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
from zgc_pipeline.outputs.marker import PACKET_KIND
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Value, created_on
from zgc_pipeline.records import Loan
from zgc_pipeline.submissions.templates import PROGRAMME

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
SCORE_COLUMNS = (
    Column("项目编号", width=24),
    Column("专家编号", width=12),
    Column("评分", Kind.SCORE, width=10),
    Column("是否回避", width=10),
    Column("评语", width=50),
)
SCORE_HEADERS = tuple(column.header for column in SCORE_COLUMNS)
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
    path: Path,
    *,
    year: int,
    lines: Sequence[ReviewLine],
    loans: Mapping[str, Loan],
    budget: Decimal,
    panel: Sequence[str] = (),
) -> None:
    """Write ``expert_review_<year>.xlsx`` whole or not at all, from the year's qualifying lines in order.

    ``panel``: the experts' 专家编号 (the policy's ``allocation.panel``); empty when not known yet.
    """
    projects = review_projects(lines, loans)
    atomic_write(path, lambda target: _write(target, year, projects, budget, panel))


def _write(target: Path, year: int, projects: Sequence[ReviewProject], budget: Decimal, panel: Sequence[str]) -> None:
    qualifying = sum((p.claimed for p in projects), ZERO)
    created = created_on(year)
    with Book(target, created=created, title=f"{year}年度专家评审材料", output=PACKET_KIND) as book:
        sheet = book.sheet("待评审项目")
        sheet.title(f"{year}年度{PROGRAMME}专家评审项目表", across=len(PROJECT_COLUMNS), dated=created)
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
        _score_sheet(book, year, projects, panel)


def score_rows(projects: Sequence[ReviewProject], panel: Sequence[str]) -> list[tuple[Value, ...]]:
    """The score sheet's pre-filled rows: each project with each expert, or each project once."""
    experts: Sequence[str | None] = panel or (None,)
    return [(p.project_no, expert, None, None, None) for p in projects for expert in experts]


def _score_sheet(book: Book, year: int, projects: Sequence[ReviewProject], panel: Sequence[str]) -> None:
    """The 专家评分表: 项目编号 (and 专家编号) filled in, a 是/否 drop-down for 是否回避, a 0–100 check on 评分."""
    sheet = book.sheet("专家评分表")
    sheet.title(f"{year}年度{PROGRAMME}专家评分表", across=len(SCORE_COLUMNS), dated=book.created)
    sheet.header(SCORE_COLUMNS)
    first = sheet.row
    rows = score_rows(projects, panel)
    sheet.rows(SCORE_COLUMNS, rows)
    last = min(MAX_ROW, first - 1 + max(1000, len(rows), len(projects) * 20))
    worksheet = sheet.worksheet
    worksheet.data_validation(
        first, 2, last, 2,
        {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
         "error_title": "评分有误", "error_message": "评分应为 0 到 100 之间的数字"},
    )  # fmt: skip
    worksheet.data_validation(
        first, 3, last, 3,
        {"validate": "list", "source": ["是", "否"],
         "error_title": "是否回避有误", "error_message": "请从下拉列表中选择 是 或 否"},
    )  # fmt: skip
    sheet.finish()
