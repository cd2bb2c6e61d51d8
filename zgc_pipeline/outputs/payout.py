"""The payout workbook for the bureau's finance office (outputs.md §1): 汇总 · 明细 · 未通过 · 说明.

Every figure is a value written from exact ``Decimal`` sums; 汇总 is 明细's 核定金额 grouped by payee, so the two
always agree. 汇总 lists the transfers to make: a payee approved nothing this year is in 明细 (and its refused lines
in 未通过), not in 汇总. 合计（万元） holds 合计（元） / 10,000 exactly and shows it to four places (to the yuan).

Each sheet prints as the bureau files it (``Sheet.title``); 汇总 ends with the lines the 经办人, 审核人 and 负责人
sign. A draft, written for the bureau to read before signing off, says 草稿（未签批） in every title line.
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
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Sheet, Value, created_on
from zgc_pipeline.records import PilotUnit
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
DRAFT = "草稿（未签批）"
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


@dataclass(frozen=True, slots=True)
class PayeeDifference:
    """差额: what one payee was paid of one subsidy type by the voided result, and by this one."""

    uscc: str
    name: str
    kind: ClaimKind
    voided: Decimal
    new: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new - self.voided

    @property
    def action(self) -> str:
        """What finance does: pay the rest (补拨), claim back (追回), or nothing."""
        if self.difference > 0:
            return "补拨"
        if self.difference < 0:
            return "追回"
        return "无变化"


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
    """核定金额 summed per payee in Decimal, for the payees approved anything, in pinyin order of their names."""
    premium: dict[str, Decimal] = {}
    valuation: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for decision in decisions:
        line = decision.line
        key = normalise_uscc(line.payee_uscc)
        names.setdefault(key, line.payee_name)
        bucket = premium if line.kind is ClaimKind.PREMIUM_SUBSIDY else valuation
        bucket[key] = bucket.get(key, ZERO) + decision.approved
    totals = (PayeeTotal(key, names[key], premium.get(key, ZERO), valuation.get(key, ZERO)) for key in names)
    return sorted((p for p in totals if p.total != ZERO), key=lambda p: (pinyin_order(p.name), p.name, p.uscc))


def pinyin_order(name: str) -> list[str]:
    """How a Chinese list of names is ordered: by each character's pinyin, then tone (北京 < 丙 < 乙)."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take a fifth of a second to load

    return [syllable.lower() for syllable in lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)]


def write_payout_workbook(
    path: Path,
    *,
    allocation: Allocation,
    refusals: Sequence[Refusal],
    registry: Sequence[PilotUnit],
    about: ResultAbout,
    result_sha256: str | None = None,
    draft: bool = False,
    differences: Sequence[PayeeDifference] | None = None,
) -> None:
    """Write ``payout_<year>.xlsx`` whole or not at all; the same inputs give the same bytes.

    ``result_sha256`` is the checksum of the result the bureau signs off (shown in 说明); a ``draft`` is the same
    workbook marked 草稿（未签批） in every title line, and must carry that checksum. ``differences``, for a year
    settled again after its signed result was voided, adds the 差额 sheet: per payee and subsidy type, new minus
    voided, for finance to pay the rest or claim it back.
    """
    if draft and not result_sha256:
        raise ValueError("草稿须注明结果校验值（result_sha256），签批人据此核对所签即所见")
    decisions = ordered_decisions(allocation.decisions)
    _check_totals(allocation, decisions)
    paper = _Paper(allocation.year, draft)
    atomic_write(
        path,
        lambda target: _write(
            target, paper, allocation, decisions, refusals, registry, about, result_sha256, differences
        ),
    )


def _check_totals(allocation: Allocation, decisions: Sequence[Decision]) -> None:
    """Refuse to write a workbook whose lines do not add up to the allocation's own totals."""
    approved = sum((d.approved for d in decisions), ZERO)
    if approved != allocation.approved_total:
        raise ValueError(f"核定金额合计 {approved} 与分配结果的核定总额 {allocation.approved_total} 不一致")
    if approved > allocation.budget:
        raise ValueError(f"核定金额合计 {approved} 超过当年预算 {allocation.budget}（R7）")


@dataclass(frozen=True, slots=True)
class _Paper:
    """What every sheet's title line says: the year, the sheet's own title, and whether this is a draft."""

    year: int
    draft: bool

    def sheet(self, book: Book, name: str, columns: Sequence[Column]) -> Sheet:
        """A sheet titled as the bureau files it, its table's header written."""
        title = f"{self.year}年度{PROGRAMME}{TITLES[name]}"
        sheet = book.sheet(name)
        sheet.title(f"{title}　{DRAFT}" if self.draft else title, across=len(columns), dated=book.created)
        sheet.header(columns)
        return sheet


def _write(
    target: Path,
    paper: _Paper,
    allocation: Allocation,
    decisions: Sequence[Decision],
    refusals: Sequence[Refusal],
    registry: Sequence[PilotUnit],
    about: ResultAbout,
    result_sha256: str | None,
    differences: Sequence[PayeeDifference] | None,
) -> None:
    title = f"{allocation.year}年度补贴拨付表" + (f"（{DRAFT}）" if paper.draft else "")
    output = "draft" if paper.draft else "payout"
    with Book(target, created=created_on(allocation.year), title=title, output=output) as book:
        _summary(paper.sheet(book, "汇总", SUMMARY_COLUMNS), decisions, registry)
        _detail(paper.sheet(book, "明细", DETAIL_COLUMNS), decisions)
        _refused(paper.sheet(book, "未通过", REFUSAL_COLUMNS), refusals)
        _about(paper.sheet(book, "说明", ABOUT_COLUMNS), allocation, about, result_sha256, paper.draft)
        if differences is not None:
            _differences(paper.sheet(book, "差额", DIFFERENCE_COLUMNS), differences, registry)


def _summary(sheet: Sheet, decisions: Sequence[Decision], registry: Sequence[PilotUnit]) -> None:
    units = {unit.key: unit for unit in registry}
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
    sheet.signatures(SIGNERS)
    sheet.finish()


def _detail(sheet: Sheet, decisions: Sequence[Decision]) -> None:
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


def _refused(sheet: Sheet, refusals: Sequence[Refusal]) -> None:
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


def _about(sheet: Sheet, allocation: Allocation, about: ResultAbout, result_sha256: str | None, draft: bool) -> None:
    if draft:
        sheet.info("状态", f"{DRAFT}：仅供审阅，不得据此拨付")
    sheet.info("结算年度", allocation.year, Kind.INTEGER)
    sheet.info("政策文件", about.policy_file)
    sheet.info("政策文件校验值（SHA-256）", about.policy_sha256)
    sheet.info("当年预算（元）", allocation.budget, Kind.MONEY)
    sheet.info("符合条件申报合计（元）", allocation.qualifying_total, Kind.MONEY)
    sheet.info("核定合计（元）", allocation.approved_total, Kind.MONEY)
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


def _differences(sheet: Sheet, differences: Sequence[PayeeDifference], registry: Sequence[PilotUnit]) -> None:
    """差额: a line per payee and subsidy type whose money changed or that either result paid, in pinyin order."""
    units = {unit.key: unit for unit in registry}
    ordered = sorted(differences, key=lambda d: (pinyin_order(d.name), d.name, d.uscc, d.kind.value))
    for number, item in enumerate(ordered, start=1):
        unit = units.get(item.uscc)
        sheet.line(
            DIFFERENCE_COLUMNS,
            (
                number,
                unit.name if unit else item.name,
                item.uscc,
                unit.payee_bank if unit else "",
                unit.payee_account if unit else "",
                item.kind.label,
                item.voided,
                item.new,
                item.difference,
                item.action,
            ),
        )
    voided = sum((d.voided for d in differences), ZERO)
    new = sum((d.new for d in differences), ZERO)
    sheet.total(DIFFERENCE_COLUMNS, ("合计", None, None, None, None, None, voided, new, new - voided, None))
    sheet.signatures(SIGNERS)
    sheet.finish()
