"""The payout workbook for the bureau's finance office (outputs.md §1): 汇总 · 明细 · 未通过 · 说明.

Every figure is a value written from exact ``Decimal`` sums; 汇总 is 明细's 核定金额 grouped by payee, so the two
always agree. 合计（万元） is 合计（元） / 10,000 shown to six places: exact, so it never disagrees with the yuan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from zgc_pipeline.claims import Allocation, ClaimKind, Decision, Refusal
from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.money import ZERO
from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Value, created_on
from zgc_pipeline.records import PilotUnit

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
    Column("核定说明"),
)
REFUSAL_COLUMNS = (
    Column("来源文件"),
    Column("工作表"),
    Column("行号", Kind.INTEGER),
    Column("项目编号"),
    Column("凭证编号"),
    Column("补贴类型"),
    Column("规则"),
    Column("原因"),
)
ABOUT_COLUMNS = (Column("项目"), Column("内容"))


@dataclass(frozen=True, slots=True)
class ResultAbout:
    """What a result was made from, for the 说明 sheet: the policy file and the checksum of all inputs."""

    policy_file: str  # the policy file's name as given
    policy_sha256: str
    inputs_sha256: str  # one checksum over every input file of the year (the manifest lists them one by one)


@dataclass(frozen=True, slots=True)
class PayeeTotal:
    """One 汇总 line: what one institution is paid, by subsidy type."""

    uscc: str
    name: str
    premium: Decimal
    valuation: Decimal

    @property
    def total(self) -> Decimal:
        return self.premium + self.valuation


def ordered_decisions(decisions: Sequence[Decision]) -> list[Decision]:
    """明细's order: rank (unranked last), then project, premium before valuation, then voucher."""
    kinds = {ClaimKind.PREMIUM_SUBSIDY: 0, ClaimKind.VALUATION_SUPPORT: 1}
    return sorted(
        decisions,
        key=lambda d: (
            d.rank is None,
            d.rank or 0,
            d.line.project_key,
            kinds[d.line.kind],
            d.line.voucher_key,
        ),
    )


def payee_totals(decisions: Sequence[Decision]) -> list[PayeeTotal]:
    """核定金额 summed per payee in Decimal, every payee of 明细 included, ordered by name then USCC."""
    premium: dict[str, Decimal] = {}
    valuation: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for decision in decisions:
        line = decision.line
        key = normalise_uscc(line.payee_uscc)
        names.setdefault(key, line.payee_name)
        bucket = premium if line.kind is ClaimKind.PREMIUM_SUBSIDY else valuation
        bucket[key] = bucket.get(key, ZERO) + decision.approved
    return sorted(
        (PayeeTotal(key, names[key], premium.get(key, ZERO), valuation.get(key, ZERO)) for key in names),
        key=lambda p: (p.name, p.uscc),
    )


def write_payout_workbook(
    path: Path,
    *,
    allocation: Allocation,
    refusals: Sequence[Refusal],
    registry: Sequence[PilotUnit],
    about: ResultAbout,
) -> None:
    """Write ``payout_<year>.xlsx`` whole or not at all; the same inputs give the same bytes."""
    decisions = ordered_decisions(allocation.decisions)
    _check_totals(allocation, decisions)
    atomic_write(path, lambda target: _write(target, allocation, decisions, refusals, registry, about))


def _check_totals(allocation: Allocation, decisions: Sequence[Decision]) -> None:
    """Refuse to write a workbook whose lines do not add up to the allocation's own totals."""
    approved = sum((d.approved for d in decisions), ZERO)
    if approved != allocation.approved_total:
        raise ValueError(f"核定金额合计 {approved} 与分配结果的核定总额 {allocation.approved_total} 不一致")
    if approved > allocation.budget:
        raise ValueError(f"核定金额合计 {approved} 超过当年预算 {allocation.budget}（R7）")


def _write(
    target: Path,
    allocation: Allocation,
    decisions: Sequence[Decision],
    refusals: Sequence[Refusal],
    registry: Sequence[PilotUnit],
    about: ResultAbout,
) -> None:
    with Book(target, created=created_on(allocation.year), title=f"{allocation.year}年度补贴拨付表") as book:
        _summary(book, decisions, registry)
        _detail(book, decisions)
        _refused(book, refusals)
        _about(book, allocation, about)


def _summary(book: Book, decisions: Sequence[Decision], registry: Sequence[PilotUnit]) -> None:
    units = {unit.key: unit for unit in registry}
    sheet = book.sheet("汇总")
    sheet.header(SUMMARY_COLUMNS)
    premium = valuation = ZERO
    for number, payee in enumerate(payee_totals(decisions), start=1):
        unit = units.get(payee.uscc)
        sheet.line(
            SUMMARY_COLUMNS,
            (
                number,
                unit.name if unit else payee.name,
                unit.uscc if unit else payee.uscc,
                unit.payee_bank if unit else "",
                unit.payee_account if unit else "",
                payee.premium,
                payee.valuation,
                payee.total,
                payee.total,
            ),
        )
        premium += payee.premium
        valuation += payee.valuation
    total = premium + valuation
    sheet.total(SUMMARY_COLUMNS, ("合计", None, None, None, None, premium, valuation, total, total))
    sheet.finish()


def _detail(book: Book, decisions: Sequence[Decision]) -> None:
    sheet = book.sheet("明细")
    sheet.header(DETAIL_COLUMNS)
    sheet.rows(DETAIL_COLUMNS, (_detail_row(number, decision) for number, decision in enumerate(decisions, start=1)))
    computed = sum((decision.line.computed for decision in decisions), ZERO)
    approved = sum((decision.approved for decision in decisions), ZERO)
    blanks: tuple[None, ...] = (None,) * 10
    sheet.total(DETAIL_COLUMNS, ("合计", *blanks, computed, None, None, approved, None))
    sheet.finish()


def _detail_row(number: int, decision: Decision) -> tuple[Value, ...]:
    line = decision.line
    return (
        number,
        line.project_no,
        line.kind.label,
        line.payee_name,
        line.payee_uscc,
        line.borrower_name,
        line.borrower_uscc,
        line.loan_amount,
        line.voucher_no,
        line.base,
        line.rate,
        line.computed,
        decision.score,
        decision.rank,
        decision.approved,
        decision.explanation,
    )


def _refused(book: Book, refusals: Sequence[Refusal]) -> None:
    sheet = book.sheet("未通过")
    sheet.header(REFUSAL_COLUMNS)

    def order(refusal: Refusal) -> tuple[str, str, int, str, str, str]:
        source = refusal.source
        return (
            source.file_name if source else "",
            source.sheet if source else "",
            source.row if source else 0,
            refusal.project_no,
            refusal.voucher_no,
            refusal.rule,
        )

    sheet.rows(REFUSAL_COLUMNS, (_refusal_row(refusal) for refusal in sorted(refusals, key=order)))
    sheet.finish()


def _refusal_row(refusal: Refusal) -> tuple[Value, ...]:
    source = refusal.source
    return (
        source.file_name if source else "",
        source.sheet if source else "",
        source.row if source and source.row else None,  # row 0: the whole file was refused
        refusal.project_no,
        refusal.voucher_no,
        refusal.kind.label if refusal.kind else "",
        refusal.rule,
        refusal.reason,
    )


def _about(book: Book, allocation: Allocation, about: ResultAbout) -> None:
    sheet = book.sheet("说明")
    sheet.header(ABOUT_COLUMNS)
    sheet.info("结算年度", allocation.year, Kind.INTEGER)
    sheet.info("政策文件", about.policy_file)
    sheet.info("政策文件校验值（SHA-256）", about.policy_sha256)
    sheet.info("当年预算（元）", allocation.budget, Kind.MONEY)
    sheet.info("符合条件申报合计（元）", allocation.qualifying_total, Kind.MONEY)
    sheet.info("核定合计（元）", allocation.approved_total, Kind.MONEY)
    sheet.info("是否进行专家评审", "是" if allocation.reviewed else "否")
    sheet.info("专家评审资助项目数", allocation.funded_projects if allocation.reviewed else 0, Kind.INTEGER)
    sheet.info("输入文件校验值（SHA-256）", about.inputs_sha256)
    sheet.finish()
