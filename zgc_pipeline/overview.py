"""What the ledger says about each year, read only: what the Airflow pages and ``zgc status`` show.

Every function takes a ``Ledger`` (open it with ``Ledger.open_readonly``) and returns frozen dataclasses of plain
values; the pages and the command line call these same functions, and no rule lives here: figures come from the
ledger's own queries (``Ledger`` and ``ledger.views``), what-if from ``simulate``.

Each in one place: the stage of a year (``year_stage``), where a file's rejection report is
(``rejection_report``), its Data Docs (``data_docs_site``) and the payout workbook (``result_workbook``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from zgc_pipeline.allocation import BudgetScenario, simulate_frames
from zgc_pipeline.claims import INPUT_CHECK_RULE, ClaimKind
from zgc_pipeline.cycle.refusals import input_refusals
from zgc_pipeline.ledger import Ledger, LedgerError, SubmissionInfo, SubmissionStatus, views
from zgc_pipeline.ledger.entries import Reopening, ResultTotals, SignOff
from zgc_pipeline.ledger.results import ALLOCATED, REJECTED, REOPENED, SETTLED, SIGNED_OFF
from zgc_pipeline.ledger.views import DetailLine, RankedProject
from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.outputs import EvaluationYear
from zgc_pipeline.outputs.manifest import WAITING_FOLDER
from zgc_pipeline.outputs.payout import ordered_decisions, payee_totals, registered_payees
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.submissions.fields import KIND_SPECS

BUREAU_TIME = ZoneInfo("Asia/Shanghai")
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
        return views.ledger_years(connection)


def year_overviews(ledger: Ledger) -> list[YearOverview]:
    """The 年度总览: every year of the ledger, oldest first."""
    return [year_overview(ledger, year) for year in ledger_years(ledger)]


def year_overview(ledger: Ledger, year: int) -> YearOverview:
    """One year's stage, money, files and sign-off (LedgerError when the ledger has nothing of it)."""
    with ledger.reading() as connection:
        row = views.settlement(connection, year)
    reopenings = tuple(ledger.reopenings(year))
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
    row: int  # 0: the whole file
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
class ResultWorkbook:
    """The payout workbook to download: the one waiting for sign-off, or the one delivered once signed, with the
    SHA-256 the ledger recorded when it was written (the file's own for a result prepared before that record)."""

    path: Path
    waiting: bool
    sha256: str
    unlike_record: bool  # the file is not the one the ledger recorded

    @property
    def label(self) -> str:
        return "拨付表（待签批）" if self.waiting else "拨付表（已签批）"


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

    @property
    def payees_total(self) -> PayeeLine:
        """汇总's 合计 line."""
        premium, valuation = sum(p.premium for p in self.payees), sum(p.valuation for p in self.payees)
        return PayeeLine("", "合计", from_fen(0) + premium, from_fen(0) + valuation)


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
        workbook=result_workbook(ledger, year, out=out),
    )


def payee_lines(ledger: Ledger, year: int) -> tuple[PayeeLine, ...]:
    """汇总 as the payout workbook lists it (``payee_totals``' order and sums), a payee named as registered."""
    units = registered_payees(ledger.registry(year))
    lines = []
    for payee in payee_totals(ordered_decisions(ledger.allocation(year).decisions)):
        unit = units.get(payee.uscc)
        name, uscc = (unit.name, unit.uscc) if unit else (payee.name, payee.uscc)
        lines.append(PayeeLine(uscc, name, from_fen(payee.premium_fen), from_fen(payee.valuation_fen)))
    return tuple(lines)


def detail_page(ledger: Ledger, year: int, *, query: str = "", page: int = 1, per_page: int = 50) -> DetailPage:
    """One page of 明细 in the payout workbook's order (rank, project, premium before valuation, voucher)."""
    query, page = query.strip(), max(1, page)
    with ledger.reading() as connection:
        matching, lines = views.detail_lines(
            connection, year, query=query, limit=per_page, offset=(page - 1) * per_page
        )
    return DetailPage(lines=tuple(lines), matching=matching, page=page, per_page=per_page, query=query)


def refusal_groups(ledger: Ledger, year: int) -> tuple[RefusalGroup, ...]:
    """未通过 of the payout workbook (rows the checks refused, then lines the rules refused), by rule."""
    refused = pd.concat([input_refusals(ledger, year), ledger.refusals(year)], ignore_index=True)
    refused = refused.astype({"source_row": "Int64"}).fillna({"source_file": "", "source_sheet": "", "source_row": 0})
    refused["kind"] = ["" if pd.isna(kind) else ClaimKind(kind).label for kind in refused["kind"]]
    shown = ["source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "reason"]
    groups = (
        RefusalGroup(
            str(rule),
            len(lines),
            tuple(RefusedLine(*line) for line in lines[shown].head(REFUSALS_SHOWN).itertuples(index=False, name=None)),
        )
        for rule, lines in refused.groupby("rule", sort=False)
    )
    return tuple(sorted(groups, key=lambda group: _rule_order(group.rule)))


def _rule_order(rule: str) -> tuple[int, ...]:
    """数据校验 first, then R1.1 … R10.2 in number order (not text order, where R10 comes before R2)."""
    numbers = re.findall(r"\d+", rule)
    return (0,) if rule == INPUT_CHECK_RULE else (1, *(int(n) for n in numbers))


def merit_ranking(ledger: Ledger, year: int) -> tuple[RankedProject, ...]:
    """Every project of the year in the panel's ranking order (R8.5), the unranked last."""
    with ledger.reading() as connection:
        return tuple(views.merit_ranking(connection, year))


def result_workbook(ledger: Ledger, year: int, *, out: Path) -> ResultWorkbook | None:
    """``OUT/<year>/待签批/payout_<year>.xlsx`` while the year waits for sign-off, ``OUT/<year>/payout_<year>.xlsx``
    once signed (outputs.md §6); None at any other stage, or when the file is not there."""
    with ledger.reading() as connection:
        row = views.settlement(connection, year)
    status = None if row is None else row["status"]
    if row is None or status not in (ALLOCATED, SIGNED_OFF):
        return None
    waiting = status == ALLOCATED
    path = out / str(year) / (WAITING_FOLDER if waiting else "") / f"payout_{year}.xlsx"
    if not path.is_file():
        return None
    with path.open("rb") as workbook:
        actual = hashlib.file_digest(workbook, "sha256").hexdigest()
    recorded = row["workbook_sha256"]
    return ResultWorkbook(path, waiting, recorded or actual, unlike_record=recorded not in (None, actual))


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
    received_at: datetime | None  # when the pipeline received it (its intake round); None before rounds
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
    with ledger.reading() as connection:
        received = views.receipt_times(connection, year)
    by_key: dict[str, list[ReceivedFile]] = {}
    names: dict[str, str] = {}
    for info in files:
        key, name = _sender(info)
        names.setdefault(key, name)
        by_key.setdefault(key, []).append(_received(info, files, out, received.get(info.id)))
    return sorted(
        (Submitter(key, names[key], tuple(items)) for key, items in by_key.items()),
        key=lambda s: (s.key == UNIDENTIFIED, s.name, s.key),
    )


def received_file(ledger: Ledger, year: int, submission_id: int, *, out: Path) -> ReceivedFile:
    """One file of the year (LedgerError if the year has no file with that id)."""
    files = ledger.submissions(year)
    with ledger.reading() as connection:
        received = views.receipt_times(connection, year)
    for info in files:
        if info.id == submission_id:
            return _received(info, files, out, received.get(info.id))
    raise LedgerError(f"{year}年度没有编号为 {submission_id} 的报送文件")


def _sender(info: SubmissionInfo) -> tuple[str, str]:
    """An institution by its USCC; the panel's scores and the registry by kind (one sender each, as in R6.2);
    a file that named no institution in any accepted row (refused whole, or every row refused) is unidentified."""
    if info.submitter_uscc:
        return info.submitter_uscc, info.submitter
    if info.kind is not None and KIND_SPECS[info.kind].submitter_field is None:
        return info.kind.value, info.kind.sheet_title
    return UNIDENTIFIED, "未能识别报送单位的文件"


def _received(
    info: SubmissionInfo, files: Sequence[SubmissionInfo], out: Path, received_at: datetime | None
) -> ReceivedFile:
    return ReceivedFile(
        info=info,
        received_at=received_at,
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
