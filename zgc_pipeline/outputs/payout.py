"""The payout workbook for the bureau's finance office (outputs.md §1): 汇总 · 明细 · 未通过 · 说明.

Written from the year's result as columns (``AllocationFrames`` as the ledger reads it): amounts stay integer fen
through every sum and check, and become exact ``Decimal`` yuan only at the cell, so the file holds the exact
amounts. 汇总 is 明细's 核定金额 grouped by payee, so the two always agree. 汇总 lists the transfers to make: a payee
approved nothing this year is in 明细 (and its refused lines in 未通过), not in 汇总. 合计（万元） holds 合计（元） /
10,000 exactly and shows it to four places (to the yuan).

Each sheet prints as the bureau files it (``Sheet.title``); 汇总 ends with the lines the 经办人, 审核人 and 负责人
sign. The workbook is written once, for the bureau to read and sign, and delivered as it is (outputs.md §6): its
制表日期 is the day the result was prepared, and every printed page's footer carries the result checksum's first
12 characters, so a signed paper copy can be matched to its record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.allocation.schema import LINE_IDENTITY, LINE_TERMS
from zgc_pipeline.identifiers import normalise_uscc, normalise_usccs
from zgc_pipeline.money import fen_text, from_fen
from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.columns import (
    KIND_LABELS,
    PREMIUM,
    decimals,
    kind_labels,
    require,
    texts,
    whole_numbers,
    yuan,
)
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Sheet, Value, created_on
from zgc_pipeline.submissions.templates import PROGRAMME

M, W = Kind.MONEY, Kind.WAN

SUMMARY_COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("收款单位名称"),
    Column("统一社会信用代码"),
    Column("开户银行"),
    Column("银行账号"),
    Column("保费补贴（元）", M),
    Column("评估费资金支持（元）", M),
    Column("合计（元）", M),
    Column("合计（万元）", W),
)
DETAIL_COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("项目编号"),
    Column("补贴类型"),
    Column("收款单位名称"),
    Column("收款单位统一社会信用代码"),
    Column("借款企业名称"),
    Column("借款企业统一社会信用代码"),
    Column("贷款金额（元）", M),
    Column("凭证编号"),
    Column("计算基数（元）", M),
    Column("补贴比例", Kind.RATE),
    Column("测算金额（元）", M),
    Column("评审得分", Kind.SCORE),
    Column("排名", Kind.INTEGER),
    Column("核定金额（元）", M),
    Column("核定说明", width=40),
)
REFUSAL_COLUMNS = (
    Column("来源文件"),
    Column("工作表"),
    Column("行号", Kind.INTEGER),
    Column("项目编号"),
    Column("凭证编号"),
    Column("补贴类型"),
    Column("规则"),
    Column("原因", width=40),
)
ABOUT_COLUMNS = (Column("项目", width=28), Column("内容", width=70))
SIGNERS = ("经办人", "审核人", "负责人")
PAGE_CHECKSUM = 12  # characters of the result checksum in every printed page's footer
TITLES = {
    "汇总": "补贴拨付汇总表",
    "明细": "补贴拨付明细表",
    "未通过": "补贴未通过清单",
    "说明": "补贴核定说明",
    "差额": "补贴差额表（作废重开后补拨、追回）",
}
DIFFERENCE_COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("收款单位名称"),
    Column("统一社会信用代码"),
    Column("开户银行"),
    Column("银行账号"),
    Column("补贴类型"),
    Column("原核定金额（元）", M),
    Column("新核定金额（元）", M),
    Column("差额（元）", M),
    Column("处理"),
)


@dataclass(frozen=True, slots=True)
class ResultAbout:
    """What a result was made from, for the 说明 sheet: the policy file and the checksum of all inputs."""

    policy_file: str  # the policy file's name as given
    policy_sha256: str
    inputs_sha256: str  # one checksum over every input file of the year (the manifest lists them one by one)
    replacements: tuple[str, ...] = ()  # "<file> 由 <file> 替代（R6.2）", one per replaced file
    voided: tuple[str, ...] = ()  # one line per voided delivery this result replaces (作废重开)


# What each frame must carry: ``ledger.results.allocation_frames``' decisions, the ``refusals`` and
# ``registry_units`` tables' columns (others are ignored).
DECISION_NEEDS = (*LINE_IDENTITY, *LINE_TERMS, "computed_fen", "approved_fen", "explanation", "score", "rank")
REFUSAL_NEEDS = ("source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "rule", "reason")
REGISTRY_NEEDS = ("uscc", "name", "payee_bank", "payee_account")


@dataclass(frozen=True, slots=True)
class PayeeDifference:
    """差额: what one payee was paid of one subsidy type by the voided result, and by this one, in fen."""

    uscc: str  # normalised
    name: str
    kind: str  # claim_lines.kind: premium_subsidy | valuation_support
    voided_fen: int
    new_fen: int

    @property
    def difference_fen(self) -> int:
        return self.new_fen - self.voided_fen

    @property
    def action(self) -> str:
        """What finance does: pay the rest (补拨), claim back (追回), or nothing."""
        if self.difference_fen > 0:
            return "补拨"
        if self.difference_fen < 0:
            return "追回"
        return "无变化"


@dataclass(frozen=True, slots=True)
class PayeeTotal:
    """One 汇总 line: what one institution is paid, by subsidy type, in fen."""

    uscc: str  # normalised
    name: str
    premium_fen: int
    valuation_fen: int

    @property
    def total_fen(self) -> int:
        return self.premium_fen + self.valuation_fen


@dataclass(frozen=True, slots=True)
class RegisteredPayee:
    """What the registry says of a payee: its name as registered and where its money goes."""

    uscc: str  # as registered
    name: str
    bank: str
    account: str


Row = tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet's table as its cells hold it: the lines, then the 合计 line under them (None: the sheet has none).
    What the workbook is written from, and what a delivered workbook is checked against."""

    columns: tuple[Column, ...]
    lines: list[Row]
    total: Row | None = None


def payout_tables(allocation: AllocationFrames, refusals: pd.DataFrame, registry: pd.DataFrame) -> dict[str, Table]:
    """汇总, 明细 and 未通过 of the payout workbook, from the arguments ``write_payout_workbook`` takes."""
    require(allocation.decisions, DECISION_NEEDS, "分配结果")
    require(refusals, REFUSAL_NEEDS, "未通过清单")
    decisions = ordered_decisions(allocation.decisions)
    return {
        "汇总": summary_table(decisions, registered_payees(registry)),
        "明细": detail_table(decisions),
        "未通过": refusal_table(refusals),
    }


def ordered_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decisions in 明细's order, their index renumbered from 0: rank (unranked last), then project, premium
    before valuation, then voucher; texts compared by code point, as Python compares them, never by locale."""
    keys = decisions.assign(unranked=decisions["rank"].isna(), valuation=decisions["kind"] != PREMIUM)
    ordered = keys.sort_values(["unranked", "rank", "project_key", "valuation", "voucher_key"], kind="stable")
    return ordered.drop(columns=["unranked", "valuation"]).reset_index(drop=True)


def payee_totals(decisions: pd.DataFrame) -> list[PayeeTotal]:
    """核定金额 summed per payee in fen, for the payees approved anything, in pinyin order of their names; a payee
    is its normalised USCC, named as on its first line in ``decisions``' order."""
    if decisions.empty:
        return []
    codes, spelt = pd.factorize(decisions["payee_uscc"])  # a year has few payees: each code normalised once
    keys = np.asarray([normalise_uscc(uscc) for uscc in spelt], dtype=object)[codes]
    premium = (decisions["kind"] == PREMIUM).to_numpy()
    approved = decisions["approved_fen"].to_numpy(dtype=np.int64)
    sums = pd.DataFrame(
        {
            "key": keys,
            "name": decisions["payee_name"].to_numpy(dtype=object),
            "premium": np.where(premium, approved, 0),
            "valuation": np.where(premium, 0, approved),
        }
    ).groupby("key", sort=False)
    named = sums.agg(name=("name", "first"), premium=("premium", "sum"), valuation=("valuation", "sum"))
    totals = [
        PayeeTotal(str(key), str(name), int(premium_fen), int(valuation_fen))
        for key, name, premium_fen, valuation_fen in zip(
            named.index, named["name"], named["premium"], named["valuation"], strict=True
        )
    ]
    return sorted((p for p in totals if p.total_fen != 0), key=lambda p: (pinyin_order(p.name), p.name, p.uscc))


def payee_differences(
    decisions: pd.DataFrame, voided_fen: Mapping[tuple[str, str], int], registry: pd.DataFrame
) -> list[PayeeDifference]:
    """差额's lines, by code then kind: per payee (its normalised USCC, however its lines spell it) and subsidy type,
    what the voided result paid (``voided_fen``, keyed by (USCC as on its lines, kind)) and what ``decisions`` pay,
    where either is not zero. A payee is named as on its first line in ``decisions``, else as registered, else by
    its code."""
    new: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    if not decisions.empty:
        keyed = decisions.assign(payee_key=normalise_usccs(decisions["payee_uscc"]))
        grouped = keyed.groupby(["payee_key", "kind"], sort=False)["approved_fen"].sum()
        new = {(str(uscc), str(kind)): int(fen) for (uscc, kind), fen in grouped.items()}
        first = keyed.drop_duplicates("payee_key")
        names = dict(zip(first["payee_key"].tolist(), first["payee_name"].tolist(), strict=True))
    voided: dict[tuple[str, str], int] = {}
    for (uscc, kind), fen in voided_fen.items():
        key = (normalise_uscc(uscc), kind)
        voided[key] = voided.get(key, 0) + fen
    units = registered_payees(registry)
    differences = []
    for uscc, kind in sorted(set(voided) | set(new)):
        was, paid = voided.get((uscc, kind), 0), new.get((uscc, kind), 0)
        if was or paid:
            unit = units.get(uscc)
            name = names.get(uscc) or (unit.name if unit else uscc)
            differences.append(PayeeDifference(uscc=uscc, name=name, kind=kind, voided_fen=was, new_fen=paid))
    return differences


def registered_payees(registry: pd.DataFrame) -> dict[str, RegisteredPayee]:
    """The registry's units by normalised USCC (a later row of the same unit wins)."""
    if registry.empty:
        return {}
    require(registry, REGISTRY_NEEDS, "试点单位名录")
    return {
        normalise_uscc(uscc): RegisteredPayee(uscc, name, bank, account)
        for uscc, name, bank, account in zip(*(texts(registry[column]) for column in REGISTRY_NEEDS), strict=True)
    }


def pinyin_order(name: str) -> list[str]:
    """How a Chinese list of names is ordered: by each character's pinyin, then tone (北京 < 丙 < 乙)."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take a fifth of a second to load

    return [syllable.lower() for syllable in lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)]


def write_payout_workbook(
    path: Path,
    *,
    allocation: AllocationFrames,
    refusals: pd.DataFrame,
    registry: pd.DataFrame,
    about: ResultAbout,
    result_sha256: str | None = None,
    prepared_on: date | None = None,
    differences: Sequence[PayeeDifference] | None = None,
) -> None:
    """Write ``payout_<year>.xlsx`` whole or not at all; the same inputs give the same bytes.

    ``allocation``: the year's result as ``ledger.results.allocation_frames`` reads it (its ``decisions`` carry
    their lines' columns and the full 核定说明 in ``explanation``). ``refusals``: every refused line and input row
    for 未通过, the ``refusals`` table's columns (``source_row`` 0 or missing: the whole file). ``registry``: the
    ``registry_units`` table's columns, for the payees' banks and accounts.

    ``result_sha256`` is the checksum of the result the bureau signs off (shown in 说明, its first 12 characters in
    every printed page's footer); ``prepared_on`` the day it was prepared (制表日期; the year's 31 December when
    not given). ``differences``, for a year settled again after its signed result was voided, adds the 差额
    sheet: per payee and subsidy type, new minus voided, for finance to pay the rest or claim it back.
    """
    tables = payout_tables(allocation, refusals, registry)
    _check_totals(allocation, int(allocation.decisions["approved_fen"].sum()))
    created = datetime.combine(prepared_on, time()) if prepared_on else created_on(allocation.year)
    paper = _Paper(allocation.year, created, f"结果校验值 {result_sha256[:PAGE_CHECKSUM]}" if result_sha256 else "")
    units = registered_payees(registry)
    atomic_write(
        path, lambda target: _write(target, paper, allocation, tables, units, about, result_sha256, differences)
    )


def _check_totals(allocation: AllocationFrames, approved_fen: int) -> None:
    """Refuse to write a workbook whose lines do not add up to the allocation's own totals."""
    approved, total, budget = fen_text(approved_fen), fen_text(allocation.approved_total_fen), allocation.budget_fen
    if approved_fen != allocation.approved_total_fen:
        raise ValueError(f"核定金额合计 {approved} 与分配结果的核定总额 {total} 不一致")
    if approved_fen > budget:
        raise ValueError(f"核定金额合计 {approved} 超过当年预算 {fen_text(budget)}（R7）")


@dataclass(frozen=True, slots=True)
class _Paper:
    """What every printed sheet says: the year and the sheet's own title above, 制表日期, and in the footer the
    result checksum's first characters."""

    year: int
    created: datetime  # 制表日期
    page_note: str

    def sheet(self, book: Book, name: str, columns: Sequence[Column]) -> Sheet:
        """A sheet titled as the bureau files it, its table's header written."""
        sheet = book.sheet(name)
        sheet.title(f"{self.year}年度{PROGRAMME}{TITLES[name]}", across=len(columns), dated=book.created)
        sheet.header(columns)
        return sheet


def _write(
    target: Path,
    paper: _Paper,
    allocation: AllocationFrames,
    tables: Mapping[str, Table],
    units: Mapping[str, RegisteredPayee],
    about: ResultAbout,
    result_sha256: str | None,
    differences: Sequence[PayeeDifference] | None,
) -> None:
    title = f"{allocation.year}年度补贴拨付表"
    with Book(target, created=paper.created, title=title, output="payout", page_note=paper.page_note) as book:
        for name, table in tables.items():
            sheet = paper.sheet(book, name, table.columns)
            sheet.rows(table.columns, table.lines)
            if table.total is not None:
                sheet.total(table.columns, table.total)
            if name == "汇总":
                sheet.signatures(SIGNERS)
            sheet.finish()
        _about(paper.sheet(book, "说明", ABOUT_COLUMNS), allocation, about, result_sha256)
        if differences is not None:
            _differences(paper.sheet(book, "差额", DIFFERENCE_COLUMNS), differences, units)


def summary_table(decisions: pd.DataFrame, units: Mapping[str, RegisteredPayee]) -> Table:
    """汇总: a line per payee approved anything (``payee_totals``), named and paid as registered, then 合计."""
    lines: list[Row] = []
    premium = valuation = 0
    for number, payee in enumerate(payee_totals(decisions), start=1):
        unit = units.get(payee.uscc)
        total = from_fen(payee.total_fen)
        lines.append(
            (
                number,
                unit.name if unit else payee.name,
                unit.uscc if unit else payee.uscc,
                unit.bank if unit else "",
                unit.account if unit else "",
                from_fen(payee.premium_fen),
                from_fen(payee.valuation_fen),
                total,
                total,
            )
        )
        premium += payee.premium_fen
        valuation += payee.valuation_fen
    total = from_fen(premium + valuation)
    return Table(
        SUMMARY_COLUMNS, lines, ("合计", None, None, None, None, from_fen(premium), from_fen(valuation), total, total)
    )


def detail_table(decisions: pd.DataFrame) -> Table:
    """明细 (``decisions`` in its order), a column at a time: each column's cell values as one list, the lines those
    lists zipped; then 合计."""
    d = decisions
    lines = zip(
        range(1, len(d) + 1),
        d["project_no"].tolist(),
        kind_labels(d["kind"]),
        d["payee_name"].tolist(),
        d["payee_uscc"].tolist(),
        d["borrower_name"].tolist(),
        d["borrower_uscc"].tolist(),
        yuan(d["loan_amount_fen"].tolist()),
        d["voucher_no"].tolist(),
        yuan(d["base_fen"].tolist()),
        decimals(d["rate"]),
        yuan(d["computed_fen"].tolist()),
        decimals(d["score"]),
        whole_numbers(d["rank"]),
        yuan(d["approved_fen"].tolist()),
        d["explanation"].tolist(),
        strict=True,
    )
    computed, approved = from_fen(int(d["computed_fen"].sum())), from_fen(int(d["approved_fen"].sum()))
    blanks: tuple[None, ...] = (None,) * 10
    return Table(DETAIL_COLUMNS, list(lines), ("合计", *blanks, computed, None, None, approved, None))


def refusal_table(refusals: pd.DataFrame) -> Table:
    """未通过 by file, sheet, row, project, voucher and rule (texts as Python compares them); a refusal of a whole
    file (row 0 or missing) sorts first within its file and shows no row number."""
    files, sheets = texts(refusals["source_file"]), texts(refusals["source_sheet"])
    lines = [row or 0 for row in whole_numbers(refusals["source_row"])]
    projects, vouchers = texts(refusals["project_no"]), texts(refusals["voucher_no"])
    rules, reasons = texts(refusals["rule"]), texts(refusals["reason"])
    kinds = kind_labels(refusals["kind"])
    order = sorted(
        range(len(refusals)), key=lambda i: (files[i], sheets[i], lines[i], projects[i], vouchers[i], rules[i])
    )
    return Table(
        REFUSAL_COLUMNS,
        [
            (files[i], sheets[i], lines[i] or None, projects[i], vouchers[i], kinds[i], rules[i], reasons[i])
            for i in order
        ],
    )


def _about(sheet: Sheet, allocation: AllocationFrames, about: ResultAbout, result_sha256: str | None) -> None:
    sheet.info("结算年度", allocation.year, Kind.INTEGER)
    sheet.info("政策文件", about.policy_file)
    sheet.info("政策文件校验值（SHA-256）", about.policy_sha256)
    sheet.info("当年预算（元）", from_fen(allocation.budget_fen), Kind.MONEY)
    sheet.info("符合条件申报合计（元）", from_fen(allocation.qualifying_total_fen), Kind.MONEY)
    sheet.info("核定合计（元）", from_fen(allocation.approved_total_fen), Kind.MONEY)
    sheet.info("是否进行专家评审", "是" if allocation.reviewed else "否")
    sheet.info("专家评审资助项目数", allocation.funded_projects if allocation.reviewed else 0, Kind.INTEGER)
    sheet.info("输入文件校验值（SHA-256）", about.inputs_sha256)
    if result_sha256:
        sheet.info("结果校验值（SHA-256）", result_sha256)
    for line in about.voided:
        sheet.info("作废的交付", line)
    for line in about.replacements:
        sheet.info("替代的报送文件", line)
    sheet.finish()


def _differences(sheet: Sheet, differences: Sequence[PayeeDifference], units: Mapping[str, RegisteredPayee]) -> None:
    """差额: a line per payee and subsidy type whose money changed or that either result paid, in pinyin order."""
    ordered = sorted(differences, key=lambda d: (pinyin_order(d.name), d.name, d.uscc, d.kind))
    for number, item in enumerate(ordered, start=1):
        unit = units.get(item.uscc)
        row: tuple[Value, ...] = (
            number,
            unit.name if unit else item.name,
            unit.uscc if unit else item.uscc,
            unit.bank if unit else "",
            unit.account if unit else "",
            KIND_LABELS[item.kind],
            from_fen(item.voided_fen),
            from_fen(item.new_fen),
            from_fen(item.difference_fen),
            item.action,
        )
        sheet.line(DIFFERENCE_COLUMNS, row)
    voided = sum(d.voided_fen for d in differences)
    new = sum(d.new_fen for d in differences)
    totals = (from_fen(voided), from_fen(new), from_fen(new - voided))
    sheet.total(DIFFERENCE_COLUMNS, ("合计", None, None, None, None, None, *totals, None))
    sheet.signatures(SIGNERS)
    sheet.finish()
