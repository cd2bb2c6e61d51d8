"""What the ledger says about each year, read only: what the Airflow pages and ``zgc status`` show.

Every function takes a ``Ledger`` (open it with ``Ledger.open_readonly``) and returns frozen dataclasses of plain
values; the pages and the command line call these same functions, and no rule lives here: figures come from the
ledger's own queries (``result_totals``, ``result_checksum``, ``load_refusals`` …), what-if from ``simulate``.

What is about to change is each in one place: the stage of a year (``year_stage``), reopened years
(``_reopenings``), where a file's rejection report is (``rejection_report``), where its Data Docs are
(``data_docs_site``) and where the payout workbook is, awaiting sign-off or signed (``result_workbook``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Column, ColumnElement, Integer, Subquery, Text, case, func, inspect, or_, select, table, true
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.allocation import BudgetScenario, simulate_frames
from zgc_pipeline.claims import INPUT_CHECK_RULE, ClaimKind, Funding
from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.ledger import Ledger, LedgerError, ResultTotals, SignOff, SubmissionInfo, SubmissionStatus
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.results import ALLOCATED, REJECTED, SETTLED, SIGNED_OFF
from zgc_pipeline.ledger.tables import UTCDateTime
from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.outputs import EvaluationYear
from zgc_pipeline.outputs.manifest import WAITING_FOLDER
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.submissions.fields import KIND_SPECS

BUREAU_TIME = ZoneInfo("Asia/Shanghai")
REOPENED = "reopened"  # the settlement status of a voided and reopened year
REFUSALS_SHOWN = 100  # per rule on the page; the payout workbook's 未通过 sheet has them all


class Stage(StrEnum):
    """Where a year stands, in the bureau's words."""

    RECEIVING = "收件中"
    AWAITING_SCORES = "待专家评分"
    AWAITING_SIGNOFF = "待签批"
    SIGNED_OFF = "已签批"
    REJECTED = "已驳回"
    REOPENED = "已作废重开"


def year_stage(status: str | None, *, qualifying_total: Decimal | None, budget: Decimal | None) -> Stage:
    """The stage of a year from its settlement's status (None: files received, nothing settled yet).

    A settlement within budget is approved in full at once (``approve_in_full``), so until its allocation is
    saved the year is still being worked on: 收件中.
    """
    if status is None:
        return Stage.RECEIVING
    if status == SETTLED:
        over = qualifying_total is not None and budget is not None and qualifying_total > budget
        return Stage.AWAITING_SCORES if over else Stage.RECEIVING
    stages = {
        ALLOCATED: Stage.AWAITING_SIGNOFF,
        SIGNED_OFF: Stage.SIGNED_OFF,
        REJECTED: Stage.REJECTED,
        REOPENED: Stage.REOPENED,
    }
    if status not in stages:
        raise LedgerError(f"台账中的结算状态“{status}”无法识别")
    return stages[status]


def local_time(moment: datetime) -> str:
    """An instant as the bureau reads it: Beijing time, to the minute."""
    return moment.astimezone(BUREAU_TIME).strftime("%Y-%m-%d %H:%M")


# --- 年度总览 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileCounts:
    """The year's received files: how many, how many refused whole (or too late), how many replaced (R6.2)."""

    received: int
    refused: int
    replaced: int


@dataclass(frozen=True, slots=True)
class Reopening:
    """A signed-off result voided and the year reopened: who, when, why, which result."""

    number: int
    reopened_by: str
    reopened_at: datetime
    reason: str
    voided_result_sha256: str


@dataclass(frozen=True, slots=True)
class YearOverview:
    """One line of the 年度总览. Amounts are None until the year has them (budget: once settled)."""

    year: int
    stage: Stage
    budget: Decimal | None
    qualifying_total: Decimal | None
    approved_total: Decimal | None
    reviewed: bool | None
    funded_projects: int | None
    payees: int | None
    files: FileCounts
    result_sha256: str | None
    signoff: SignOff | None  # the latest decision, approval or rejection
    reopenings: tuple[Reopening, ...]

    @property
    def has_result(self) -> bool:
        """An allocation exists: the 结果审阅 page has something to show."""
        return self.result_sha256 is not None


def ledger_years(ledger: Ledger) -> list[int]:
    """Every year the ledger knows: files received, a settlement, or a reopening; oldest first."""
    with ledger.reading() as connection:
        years = set(connection.scalars(select(t.submissions.c.year).distinct()))
        years |= set(connection.scalars(select(t.settlements.c.year)))
        if _has_reopenings(connection):
            years |= set(connection.scalars(select(_REOPENINGS.c.year).distinct()))
    return sorted(years)


def year_overviews(ledger: Ledger) -> list[YearOverview]:
    """The 年度总览: every year of the ledger, oldest first."""
    return [year_overview(ledger, year) for year in ledger_years(ledger)]


def year_overview(ledger: Ledger, year: int) -> YearOverview:
    """One year's stage, money, files and sign-off (LedgerError when the ledger has nothing of it)."""
    with ledger.reading() as connection:
        row = connection.execute(select(t.settlements).where(t.settlements.c.year == year)).mappings().first()
        reopenings = _reopenings(connection, year)
    files = ledger.submissions(year)
    if row is None and not files and not reopenings:
        raise LedgerError(f"台账中没有{year}年度的任何记录")
    budget = None if row is None else from_fen(row["budget_fen"])
    qualifying = None if row is None else from_fen(row["qualifying_total_fen"])
    checksum = None if row is None else row["result_sha256"]
    totals = ledger.result_totals(year) if checksum is not None else None
    return YearOverview(
        year=year,
        stage=year_stage(None if row is None else row["status"], qualifying_total=qualifying, budget=budget),
        budget=budget,
        qualifying_total=qualifying,
        approved_total=None if totals is None else totals.approved_total,
        reviewed=None if totals is None else totals.reviewed,
        funded_projects=None if totals is None else totals.funded_projects,
        payees=None if totals is None else totals.payees,
        files=_file_counts(files),
        result_sha256=checksum,
        signoff=ledger.signoff(year),
        reopenings=reopenings,
    )


def _file_counts(files: Sequence[SubmissionInfo]) -> FileCounts:
    refused = (SubmissionStatus.REFUSED, SubmissionStatus.REFUSED_AFTER_SETTLEMENT)
    return FileCounts(
        received=len(files),
        refused=sum(1 for f in files if f.status in refused),
        replaced=sum(1 for f in files if f.status is SubmissionStatus.SUPERSEDED),
    )


_REOPENINGS = table(
    "reopenings",
    Column("year", Integer),
    Column("number", Integer),
    Column("reopened_by", Text),
    Column("reopened_at", UTCDateTime),
    Column("reason", Text),
    Column("voided_result_sha256", Text),
)


def _has_reopenings(connection: Connection) -> bool:
    """Ledgers made before reopening existed have no such table: they have no reopenings."""
    return inspect(connection).has_table(_REOPENINGS.name)


def _reopenings(connection: Connection, year: int) -> tuple[Reopening, ...]:
    if not _has_reopenings(connection):
        return ()
    r = _REOPENINGS.c
    rows = connection.execute(select(_REOPENINGS).where(r.year == year).order_by(r.number)).mappings()
    return tuple(
        Reopening(row["number"], row["reopened_by"], row["reopened_at"], row["reason"], row["voided_result_sha256"])
        for row in rows
    )


# --- 结果审阅 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayeeLine:
    """One 汇总 line as the page shows it: the payout workbook's, without the bank account."""

    uscc: str
    name: str
    premium: Decimal
    valuation: Decimal

    @property
    def total(self) -> Decimal:
        return self.premium + self.valuation


@dataclass(frozen=True, slots=True)
class DetailLine:
    """One 明细 line; ``number`` is its 序号 in the payout workbook, whatever the search."""

    number: int
    project_no: str
    kind: ClaimKind
    payee_name: str
    payee_uscc: str
    borrower_name: str
    borrower_uscc: str
    loan_amount: Decimal
    voucher_no: str
    base: Decimal
    rate: Decimal
    computed: Decimal
    score: Decimal | None
    rank: int | None
    approved: Decimal
    explanation: str


@dataclass(frozen=True, slots=True)
class DetailPage:
    """One page of 明细, searched by 项目编号 or unit (name or 统一社会信用代码)."""

    lines: tuple[DetailLine, ...]
    matching: int  # lines matching the search, on every page
    page: int
    per_page: int
    query: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.per_page))


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """One line of 未通过 as the page shows it."""

    file_name: str
    sheet: str
    row: int | None  # None: the whole file
    project_no: str
    voucher_no: str
    kind_label: str  # 补贴类型, "" when the line is of no subsidy (a loan, a score row)
    reason: str


@dataclass(frozen=True, slots=True)
class RefusalGroup:
    """未通过 lines refused by one rule: how many, and the first ``REFUSALS_SHOWN`` of them."""

    rule: str
    count: int
    refusals: tuple[RefusedLine, ...]


@dataclass(frozen=True, slots=True)
class RankedProject:
    """A project of the panel's merit ranking (R8) with its score and what it was granted."""

    rank: int | None
    project_no: str
    score: Decimal | None
    valid_scores: int
    claimed: Decimal
    approved: Decimal
    funding: Funding
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class ResultWorkbook:
    """The workbook the bureau can download: the payout awaiting sign-off (``draft``), or once signed."""

    path: Path
    draft: bool

    @property
    def label(self) -> str:
        return "拨付表（待签批）" if self.draft else "拨付表"


@dataclass(frozen=True, slots=True)
class ResultReview:
    """What the bureau reads before 批准: totals, the checksum it signs, 汇总, 未通过 and the ranking."""

    overview: YearOverview
    totals: ResultTotals
    checksum: str
    payees: tuple[PayeeLine, ...]
    refusals: tuple[RefusalGroup, ...]
    ranking: tuple[RankedProject, ...]  # empty without expert review
    workbook: ResultWorkbook | None


def result_review(ledger: Ledger, year: int, *, out: Path) -> ResultReview:
    """The year's result (LedgerError until an allocation exists); ``out`` is where its workbooks are."""
    overview = year_overview(ledger, year)
    totals = ledger.result_totals(year)
    return ResultReview(
        overview=overview,
        totals=totals,
        checksum=ledger.result_checksum(year),
        payees=payee_lines(ledger, year),
        refusals=refusal_groups(ledger, year),
        ranking=merit_ranking(ledger, year) if totals.reviewed else (),
        workbook=result_workbook(out, year),
    )


def payee_lines(ledger: Ledger, year: int) -> tuple[PayeeLine, ...]:
    """核定金额 per payee and subsidy type, summed by the database: 汇总 of the payout workbook, by name."""
    c, d = t.claim_lines.c, t.decisions.c
    query = (
        select(c.payee_uscc, c.kind, func.min(c.payee_name), func.sum(d.approved_fen))
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year)
        .group_by(c.payee_uscc, c.kind)
    )
    with ledger.reading() as connection:
        rows = connection.execute(query).all()
    registry = ledger.registry(year)
    names = {normalise_uscc(uscc): name for uscc, name in zip(registry["uscc"], registry["name"], strict=True)}
    amounts: dict[str, dict[str, Decimal]] = {}
    for uscc, kind, name, fen in rows:
        names.setdefault(uscc, name)
        amounts.setdefault(uscc, {})[kind] = from_fen(int(fen))
    zero = from_fen(0)
    lines = (
        PayeeLine(
            uscc,
            names[uscc],
            by_kind.get(ClaimKind.PREMIUM_SUBSIDY.value, zero),
            by_kind.get(ClaimKind.VALUATION_SUPPORT.value, zero),
        )
        for uscc, by_kind in amounts.items()
    )
    return tuple(sorted(lines, key=lambda p: (p.name, p.uscc)))


def detail_page(ledger: Ledger, year: int, *, query: str = "", page: int = 1, per_page: int = 50) -> DetailPage:
    """One page of 明细 in the payout workbook's order (rank, project, premium before valuation, voucher)."""
    query = query.strip()
    page = max(1, page)
    with ledger.reading() as connection:
        numbered = _numbered_details(connection, year)
        matching = _matching(numbered, query)
        count = connection.scalar(select(func.count()).select_from(numbered).where(matching)) or 0
        rows = connection.execute(
            select(numbered).where(matching).order_by(numbered.c.number).limit(per_page).offset((page - 1) * per_page)
        ).mappings()
        lines = tuple(_detail_line(row) for row in rows)
    return DetailPage(lines=lines, matching=int(count), page=page, per_page=per_page, query=query)


def _binary(expression: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    """Order text by code point, as Python (and the payout workbook) does, whatever the database's locale."""
    return expression.collate("C") if dialect == "postgresql" else expression


def _numbered_details(connection: Connection, year: int) -> Subquery:
    """The year's decisions with their lines, each numbered by its place in the payout workbook's 明细."""
    c, d = t.claim_lines.c, t.decisions.c
    dialect = connection.dialect.name
    order = (
        d.rank.is_(None),
        d.rank,
        _binary(c.project_key, dialect),
        case((c.kind == ClaimKind.PREMIUM_SUBSIDY.value, 0), else_=1),
        _binary(c.voucher_key, dialect),
    )
    return (
        select(
            func.row_number().over(order_by=order).label("number"),
            c.project_no,
            c.kind,
            c.payee_name,
            c.payee_uscc,
            c.borrower_name,
            c.borrower_uscc,
            c.loan_amount_fen,
            c.voucher_no,
            c.base_fen,
            c.rate,
            c.computed_fen,
            d.score,
            d.rank,
            d.approved_fen,
            d.explanation,
        )
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year)
        .subquery()
    )


def _matching(numbered: Subquery, query: str) -> ColumnElement[bool]:
    if not query:
        return true()
    needle = query.lower()
    searched = ("project_no", "payee_name", "payee_uscc", "borrower_name", "borrower_uscc")
    return or_(*(func.lower(numbered.c[name]).contains(needle, autoescape=True) for name in searched))


def _detail_line(row: RowMapping) -> DetailLine:
    return DetailLine(
        number=int(row["number"]),
        project_no=row["project_no"],
        kind=ClaimKind(row["kind"]),
        payee_name=row["payee_name"],
        payee_uscc=row["payee_uscc"],
        borrower_name=row["borrower_name"],
        borrower_uscc=row["borrower_uscc"],
        loan_amount=from_fen(row["loan_amount_fen"]),
        voucher_no=row["voucher_no"],
        base=from_fen(row["base_fen"]),
        rate=Decimal(row["rate"]),
        computed=from_fen(row["computed_fen"]),
        score=None if row["score"] is None else Decimal(row["score"]),
        rank=row["rank"],
        approved=from_fen(row["approved_fen"]),
        explanation=row["explanation"],
    )


def refusal_groups(ledger: Ledger, year: int) -> tuple[RefusalGroup, ...]:
    """未通过 of the payout workbook (rows the checks refused, then lines the rules refused), by rule."""
    from zgc_pipeline.cycle.delivery import input_refusals

    refused = pd.concat([input_refusals(ledger, year), ledger.refusals(year)], ignore_index=True)
    groups = []
    for rule, lines in refused.groupby("rule", sort=False):
        shown = lines.head(REFUSALS_SHOWN)
        groups.append(
            RefusalGroup(
                str(rule),
                len(lines),
                tuple(
                    RefusedLine(
                        file_name="" if pd.isna(file) else str(file),
                        sheet="" if pd.isna(sheet) else str(sheet),
                        row=None if pd.isna(row) or not row else int(row),
                        project_no=str(project_no),
                        voucher_no=str(voucher_no),
                        kind_label="" if pd.isna(kind) else ClaimKind(kind).label,
                        reason=str(reason),
                    )
                    for file, sheet, row, project_no, voucher_no, kind, reason in zip(
                        shown["source_file"],
                        shown["source_sheet"],
                        shown["source_row"],
                        shown["project_no"],
                        shown["voucher_no"],
                        shown["kind"],
                        shown["reason"],
                        strict=True,
                    )
                ),
            )
        )
    return tuple(sorted(groups, key=lambda group: _rule_order(group.rule)))


def _rule_order(rule: str) -> tuple[int, ...]:
    """数据校验 first, then R1.1 … R10.2 in number order (not text order, where R10 comes before R2)."""
    numbers = re.findall(r"\d+", rule)
    return (0,) if rule == INPUT_CHECK_RULE else (1, *(int(n) for n in numbers))


def merit_ranking(ledger: Ledger, year: int) -> tuple[RankedProject, ...]:
    """Every project of the year in the panel's ranking order (R8.5), the unranked last."""
    p = t.project_outcomes.c
    query = select(t.project_outcomes).where(p.year == year).order_by(p.rank.is_(None), p.rank, p.seq)
    with ledger.reading() as connection:
        rows = connection.execute(query).mappings().all()
    return tuple(
        RankedProject(
            rank=row["rank"],
            project_no=row["project_no"],
            score=None if row["score"] is None else Decimal(row["score"]),
            valid_scores=row["valid_scores"],
            claimed=from_fen(row["claimed_fen"]),
            approved=from_fen(row["approved_fen"]),
            funding=Funding(row["funding"]),
            rule=row["rule"],
            reason=row["reason"],
        )
        for row in rows
    )


def result_workbook(out: Path, year: int) -> ResultWorkbook | None:
    """The payout workbook once signed off, else the same workbook awaiting sign-off in 待签批/, else None."""
    payout = out / str(year) / f"payout_{year}.xlsx"
    if payout.is_file():
        return ResultWorkbook(payout, draft=False)
    waiting = out / str(year) / WAITING_FOLDER / payout.name
    return ResultWorkbook(waiting, draft=True) if waiting.is_file() else None


# --- 报送情况 ---------------------------------------------------------------------------------------------------

STATUS_LABELS = {
    SubmissionStatus.PENDING: "待校验",
    SubmissionStatus.ACCEPTED: "已采用",
    SubmissionStatus.REFUSED: "整份拒收",
    SubmissionStatus.SUPERSEDED: "已被替换",
    SubmissionStatus.REFUSED_AFTER_SETTLEMENT: "签批后送达，不予受理",
}
UNIDENTIFIED = "unidentified"


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    """One received file with what became of it and what there is to send back."""

    info: SubmissionInfo
    replaced_by: SubmissionInfo | None  # the same submitter's later file that counts instead (R6.2)
    rejection_report: Path | None
    data_docs: Path | None  # the folder of its Data Docs site (index.html inside), when it has one

    @property
    def kind_label(self) -> str:
        return "未识别" if self.info.kind is None else self.info.kind.sheet_title

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.info.status]


@dataclass(frozen=True, slots=True)
class Submitter:
    """One sender and its files, in the order received; ``key`` names it in addresses."""

    key: str
    name: str
    files: tuple[ReceivedFile, ...]

    @property
    def reports_to_send(self) -> tuple[Path, ...]:
        """The rejection reports still to send back: those of files not replaced by a later one."""
        return tuple(
            f.rejection_report
            for f in self.files
            if f.rejection_report is not None and f.info.status is not SubmissionStatus.SUPERSEDED
        )


def submitters(ledger: Ledger, year: int, *, out: Path) -> list[Submitter]:
    """The year's files by sender: institutions by name, the panel and the registry by kind, the unreadable last."""
    files = ledger.submissions(year)
    by_key: dict[str, list[ReceivedFile]] = {}
    names: dict[str, str] = {}
    for info in files:
        key, name = _sender(info)
        names.setdefault(key, name)
        by_key.setdefault(key, []).append(_received(info, files, out))
    return sorted(
        (Submitter(key, names[key], tuple(items)) for key, items in by_key.items()),
        key=lambda s: (s.key == UNIDENTIFIED, s.name, s.key),
    )


def received_file(ledger: Ledger, year: int, submission_id: int, *, out: Path) -> ReceivedFile:
    """One file of the year (LedgerError if the year has no file with that id)."""
    files = ledger.submissions(year)
    for info in files:
        if info.id == submission_id:
            return _received(info, files, out)
    raise LedgerError(f"{year}年度没有编号为 {submission_id} 的报送文件")


def _sender(info: SubmissionInfo) -> tuple[str, str]:
    """An institution by its USCC; the panel's scores and the registry by kind (one sender each, as in R6.2);
    a file that named no institution in any accepted row (refused whole, or every row refused) is unidentified."""
    if info.submitter_uscc:
        return info.submitter_uscc, info.submitter
    if info.kind is not None and KIND_SPECS[info.kind].submitter_field is None:
        return info.kind.value, info.kind.sheet_title
    return UNIDENTIFIED, "未能识别报送单位的文件"


def _received(info: SubmissionInfo, files: Sequence[SubmissionInfo], out: Path) -> ReceivedFile:
    return ReceivedFile(
        info=info,
        replaced_by=_replacement(info, files),
        rejection_report=rejection_report(out, info.year, info.file_name),
        data_docs=data_docs_site(out, info),
    )


def _replacement(info: SubmissionInfo, files: Sequence[SubmissionInfo]) -> SubmissionInfo | None:
    """The file that counts in a superseded file's place: same kind and same sender (R6.2, ledger.resubmissions)."""
    if info.status is not SubmissionStatus.SUPERSEDED or info.kind is None:
        return None
    by_sender = KIND_SPECS[info.kind].submitter_field is not None
    for other in files:
        same_sender = not by_sender or other.submitter_uscc == info.submitter_uscc
        if other.status is SubmissionStatus.ACCEPTED and other.kind is info.kind and same_sender:
            return other
    return None


def rejection_report(out: Path, year: int, file_name: str) -> Path | None:
    """The rejection report published for a file, if one was: in ``OUT/<year>/rejections/``, or under its
    ``已替代/`` when a later file replaced it (cycle.reports)."""
    from zgc_pipeline.cycle.reports import REPLACED, rejections_folder
    from zgc_pipeline.outputs.rejections import report_file_name

    folder = rejections_folder(out / str(year))
    for path in (folder / report_file_name(file_name), folder / REPLACED / report_file_name(file_name)):
        if path.is_file():
            return path
    return None


def data_docs_site(out: Path, info: SubmissionInfo) -> Path | None:
    """The folder of a file's GX Data Docs site, as ``cycle.intake`` builds it, if there is one (only files with
    problems have one)."""
    from zgc_pipeline.cycle.intake import data_docs_dir
    from zgc_pipeline.quality.gx import data_docs_index, data_docs_site

    site = data_docs_site(data_docs_dir(out, info.year, info.id), info.file_name)
    return site if data_docs_index(site).is_file() else None


def data_docs_page(site: Path) -> Path:
    """The page of a Data Docs site to open first: the newest validation result (plain HTML that reads without
    the scripts GX loads from the internet), else the site's index. Validation pages sit under
    ``validations/<suite>/<batch>/<run time>/``; run times are ISO stamps, so the newest sorts last."""
    pages = sorted(site.glob("validations/**/*.html"), key=lambda page: (page.parent.name, str(page)))
    return pages[-1] if pages else site / "index.html"


# --- 预算测算 and 评估 --------------------------------------------------------------------------------------------


def simulate_budgets(
    ledger: Ledger, year: int, budgets: Sequence[Decimal], policy: PilotPolicy
) -> list[BudgetScenario]:
    """What each budget would fund from the year's settlement and the panel's scores, writing nothing."""
    scores = ledger.scores(year)
    return simulate_frames(
        ledger.claim_lines(year),
        first_premium_dates=ledger.first_premium_dates(year).set_index("project_key")["first_date"],
        budgets_fen=[to_fen(budget) for budget in budgets],
        scores=None if scores.empty else scores,
        policy=policy,
    )


def evaluation_years(ledger: Ledger, policy: PilotPolicy) -> list[EvaluationYear]:
    """Every signed-off year as the evaluation pack sees it, oldest first."""
    from zgc_pipeline.cycle.delivery import evaluation_year

    return [evaluation_year(ledger, year, policy) for year in ledger.settled_years()]
