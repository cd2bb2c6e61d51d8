"""The expert review packet of an over-budget year (outputs.md §4, R8.2): the projects, and the score sheet.

Written from the settlement's qualifying lines and the year's loans as columns (``ledger.results.lines_frame``, the
``loans`` table): each project's sums are taken over its lines in integer fen, and become exact ``Decimal`` yuan at
the cell. The score sheet's headers are exactly those of the 专家评分表 submission (submissions.md §4), so the
panel's filled-in copy reads back through the ordinary submission path. Its 项目编号 are written in, as the packet
names the projects, so nobody retypes them (some are full-width): one row per project and expert when the panel is
known, else one row per project with 专家编号 left to fill in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zgc_pipeline.money import from_fen
from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.columns import PREMIUM, VALUATION, require, yuan
from zgc_pipeline.outputs.marker import PACKET_KIND
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Value, created_on
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
MAX_ROW = 1_048_575


LINE_NEEDS = ("kind", "project_key", "project_no", "borrower_name", "loan_amount_fen", "computed_fen", "payee_name")
LOAN_NEEDS = ("project_key", "lender_name", "ip_type", "ip_numbers")
REVIEW_PROJECT_COLUMNS = (
    "project_key",
    "project_no",
    "borrower_name",
    "loan_amount_fen",
    "premium_fen",
    "valuation_fen",
    "claimed_fen",
    "pledged_ip",
    "institutions",
)


def review_projects(lines: pd.DataFrame, loans: pd.DataFrame) -> pd.DataFrame:
    """The year's qualifying projects as the panel sees them (R8.1), one row each, ordered by project key:
    ``REVIEW_PROJECT_COLUMNS``, the sums in fen.

    ``lines`` in the settlement's order: a project's first line names it (项目编号, 借款企业, 贷款金额), and its
    institutions in the order met. ``loans``: the ``loans`` table's rows in the order received; a project's last
    row counts, as a later file corrects an earlier one.
    """
    require(lines, LINE_NEEDS, "申报测算行")
    require(loans, LOAN_NEEDS, "贷款信息")
    first = lines.drop_duplicates("project_key")
    keys = first["project_key"].tolist()
    order = sorted(range(len(keys)), key=keys.__getitem__)
    projects = first.iloc[order].set_index("project_key")
    index = projects.index
    computed = lines["computed_fen"]
    by_project = lines["project_key"]
    premium = computed.where(lines["kind"] == PREMIUM, 0).groupby(by_project, sort=False).sum()
    valuation = computed.where(lines["kind"] == VALUATION, 0).groupby(by_project, sort=False).sum()
    loan = loans.drop_duplicates("project_key", keep="last").set_index("project_key").reindex(index)
    premium_fen = premium.reindex(index).to_numpy(dtype="int64")
    valuation_fen = valuation.reindex(index).to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "project_key": index.tolist(),
            "project_no": projects["project_no"].tolist(),
            "borrower_name": projects["borrower_name"].tolist(),
            "loan_amount_fen": projects["loan_amount_fen"].to_numpy(dtype="int64"),
            "premium_fen": premium_fen,
            "valuation_fen": valuation_fen,
            "claimed_fen": premium_fen + valuation_fen,
            "pledged_ip": [
                f"{ip_type}：{'、'.join(json.loads(numbers))}" if isinstance(numbers, str) else ""
                for ip_type, numbers in zip(loan["ip_type"].tolist(), loan["ip_numbers"].tolist(), strict=True)
            ],
            "institutions": _institutions(lines, index, loan["lender_name"].tolist()),
        },
        columns=list(REVIEW_PROJECT_COLUMNS),
    )


def _institutions(lines: pd.DataFrame, index: pd.Index, lenders: Sequence[object]) -> list[str]:
    """贷款银行：…；投保单位：…；评估机构：… — each name once, in the order first met."""
    met = lines[["project_key", "kind", "payee_name"]].drop_duplicates()  # each name once, where first met
    named: dict[str, dict[str, list[str]]] = {PREMIUM: {}, VALUATION: {}}
    columns = (met[column].tolist() for column in ("project_key", "kind", "payee_name"))
    for key, kind, name in zip(*columns, strict=True):
        if kind in named:
            named[kind].setdefault(key, []).append(name)
    institutions = []
    for key, lender in zip(index.tolist(), lenders, strict=True):
        parts = [f"贷款银行：{lender}"] if isinstance(lender, str) else []
        for kind, label in ((PREMIUM, "投保单位"), (VALUATION, "评估机构")):
            names = named[kind].get(key)
            if names:
                parts.append(f"{label}：{'、'.join(names)}")
        institutions.append("；".join(parts))
    return institutions


def write_review_packet(
    path: Path,
    *,
    year: int,
    lines: pd.DataFrame,
    loans: pd.DataFrame,
    budget_fen: int,
    panel: Sequence[str] = (),
) -> None:
    """Write ``expert_review_<year>.xlsx`` whole or not at all, from the year's qualifying lines in order
    (``ledger.results.lines_frame``) and its loans (the ``loans`` table's rows of the files that count).

    ``panel``: the experts' 专家编号 (the policy's ``allocation.panel``); empty when not known yet.
    """
    projects = review_projects(lines, loans)
    atomic_write(path, lambda target: _write(target, year, projects, budget_fen, panel))


def _write(target: Path, year: int, projects: pd.DataFrame, budget_fen: int, panel: Sequence[str]) -> None:
    p = projects
    qualifying = from_fen(int(p["claimed_fen"].sum()))
    created = created_on(year)
    with Book(target, created=created, title=f"{year}年度专家评审材料", output=PACKET_KIND) as book:
        sheet = book.sheet("待评审项目")
        sheet.title(f"{year}年度{PROGRAMME}专家评审项目表", across=len(PROJECT_COLUMNS), dated=created)
        sheet.info("结算年度", year, Kind.INTEGER, widen=False)
        sheet.info("当年预算（元）", from_fen(budget_fen), M, widen=False)
        sheet.info("符合条件申报合计（元）", qualifying, M, widen=False)
        sheet.info("项目数", len(p), Kind.INTEGER, widen=False)
        sheet.skip()
        sheet.header(PROJECT_COLUMNS)
        rows = zip(
            range(1, len(p) + 1),
            p["project_no"].tolist(),
            p["borrower_name"].tolist(),
            yuan(p["loan_amount_fen"].tolist()),
            yuan(p["premium_fen"].tolist()),
            yuan(p["valuation_fen"].tolist()),
            yuan(p["claimed_fen"].tolist()),
            p["pledged_ip"].tolist(),
            p["institutions"].tolist(),
            strict=True,
        )
        sheet.rows(PROJECT_COLUMNS, rows)
        premium, valuation = from_fen(int(p["premium_fen"].sum())), from_fen(int(p["valuation_fen"].sum()))
        sheet.total(PROJECT_COLUMNS, ("合计", None, None, None, premium, valuation, qualifying, None, None))
        sheet.finish(minimum=(6, 24, 16))
        _score_sheet(book, year, p["project_no"].tolist(), panel)


def score_rows(project_numbers: Sequence[str], panel: Sequence[str]) -> list[tuple[Value, ...]]:
    """The score sheet's pre-filled rows: each project with each expert, or each project once."""
    experts: Sequence[str | None] = panel or (None,)
    return [(number, expert, None, None, None) for number in project_numbers for expert in experts]


def _score_sheet(book: Book, year: int, project_numbers: Sequence[str], panel: Sequence[str]) -> None:
    """The 专家评分表: 项目编号 (and 专家编号) filled in, a 是/否 drop-down for 是否回避, a 0–100 check on 评分."""
    sheet = book.sheet("专家评分表")
    sheet.title(f"{year}年度{PROGRAMME}专家评分表", across=len(SCORE_COLUMNS), dated=book.created)
    sheet.header(SCORE_COLUMNS)
    first = sheet.row
    rows = score_rows(project_numbers, panel)
    sheet.rows(SCORE_COLUMNS, rows)
    last = min(MAX_ROW, first - 1 + max(1000, len(rows), len(project_numbers) * 20))
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
