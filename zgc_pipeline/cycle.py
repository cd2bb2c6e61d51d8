"""The year's steps as plain functions: what the DAG tasks, the ``zgc`` command and the tests call.

Each step opens the ledger, reads what it needs, writes its result in one transaction and returns only small
plain values (ids, counts, paths, totals as text), so any step can be re-run after a failure and Airflow passes
nothing heavier than that between tasks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zgc_pipeline.allocation import allocate, allocation_checksum, is_over_budget
from zgc_pipeline.checking import check_file
from zgc_pipeline.claims import Allocation, ClaimKind, Refusal
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import format_yuan
from zgc_pipeline.outputs import (
    EvaluationYear,
    InputFile,
    Manifest,
    ResultAbout,
    SignOff,
    write_evaluation_pack,
    write_manifest,
    write_payout_workbook,
    write_rejection_report,
    write_review_packet,
)
from zgc_pipeline.policy import PilotPolicy, load_policy
from zgc_pipeline.records import SourceRow
from zgc_pipeline.rules import settle
from zgc_pipeline.settings import Settings, default_ledger_url, load_settings
from zgc_pipeline.submissions.archive import archive_submission
from zgc_pipeline.submissions.conversion import records_from_submission
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity, SubmissionRefused
from zgc_pipeline.submissions.reading import detect_kind

REVIEW_BRANCH = "write_review_packet"
FULL_BRANCH = "approve_in_full"
SKIPPED_NAMES = (".", "~$")  # hidden files and Office lock files are not submissions


class CycleError(RuntimeError):
    """A step cannot go on; the message tells the operator what to do."""


@dataclass(frozen=True, slots=True)
class CycleConfig:
    """One run's choices: which year, which files, which budget, where results go."""

    year: int
    inbox: Path
    registry: Path
    budget: Decimal
    out: Path
    ledger_url: str
    policy_file: Path | None
    archive_dir: Path
    max_file_bytes: int

    @property
    def year_dir(self) -> Path:
        return self.out / str(self.year)

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs for the operator: beside, not inside, the delivered year folder."""
        return self.out / "data_docs" / str(self.year)

    def to_params(self) -> dict[str, Any]:
        """The DAG's Params for this run (plain JSON values)."""
        return {
            "year": self.year,
            "inbox": str(self.inbox),
            "registry": str(self.registry),
            "budget": str(self.budget),
            "out": str(self.out),
            "ledger_url": self.ledger_url,
            "policy_file": str(self.policy_file) if self.policy_file else "",
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any], settings: Settings | None = None) -> CycleConfig:
        """Build from DAG Params, filling what a scheduled run leaves empty from the settings."""
        settings = settings or load_settings()
        year = int(params["year"])
        out = Path(params.get("out") or settings.output_root)
        registry = params.get("registry") or settings.registry_file
        if not registry:
            raise CycleError("未指定试点单位名录：在运行参数 registry 中填写，或设置 ZGC_REGISTRY_FILE")
        try:
            budget = Decimal(str(params["budget"]))
        except (KeyError, InvalidOperation, TypeError) as exc:
            raise CycleError(f"{year}年度预算无效：{params.get('budget')!r}，应为以元计的金额") from exc
        if not budget.is_finite() or budget < 0 or budget != budget.quantize(Decimal("0.01")):
            raise CycleError(f"{year}年度预算无效：{budget}，应为非负、至多两位小数的金额（元）")
        policy = params.get("policy_file") or settings.policy_file
        ledger_url = params.get("ledger_url") or (
            settings.ledger_url if os.environ.get("ZGC_LEDGER_URL") else default_ledger_url(out)
        )
        return cls(
            year=year,
            inbox=Path(params.get("inbox") or settings.inbox_root / str(year)),
            registry=Path(registry),
            budget=budget,
            out=out,
            ledger_url=ledger_url,
            policy_file=Path(policy) if policy else None,
            archive_dir=settings.archive_dir if os.environ.get("ZGC_ARCHIVE_DIR") else out / "archive",
            max_file_bytes=settings.max_file_bytes,
        )


@contextmanager
def open_ledger(cfg: CycleConfig) -> Iterator[Ledger]:
    if cfg.ledger_url.startswith("sqlite:///"):
        Path(cfg.ledger_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ledger = Ledger.open(cfg.ledger_url)
    try:
        yield ledger
    finally:
        ledger.close()


def _policy(cfg: CycleConfig) -> PilotPolicy:
    return load_policy(cfg.policy_file)


# --- discover and ingest ---------------------------------------------------------------------------------------


def discover_submissions(cfg: CycleConfig) -> list[str]:
    """The registry first, then every file under the inbox, sorted: the same list for the same folder."""
    if not cfg.inbox.is_dir():
        raise CycleError(f"收件目录不存在：{cfg.inbox}")
    if not cfg.registry.is_file():
        raise CycleError(f"试点单位名录文件不存在：{cfg.registry}")
    files = sorted(
        str(p)
        for p in cfg.inbox.rglob("*")
        if p.is_file() and not p.name.startswith(SKIPPED_NAMES) and p.resolve().is_relative_to(cfg.inbox.resolve())
    )
    return [str(cfg.registry), *files]


def receive_submission(cfg: CycleConfig, path: str) -> int:
    """Archive the file by SHA-256 before anything reads it, and register it in the ledger; returns its id."""
    source = Path(path)
    archived = archive_submission(source, cfg.archive_dir)
    delivered_at = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)
    with open_ledger(cfg) as ledger:
        return ledger.record_submission(
            year=cfg.year,
            file_name=source.name,
            sha256=archived.sha256,
            size=archived.size,
            archived_path=str(archived.archived_path),
            delivered_at=delivered_at,
        )


@dataclass(frozen=True, slots=True)
class IntakeOutcome:
    submission_id: int
    file_name: str
    kind: str  # "" when refused whole before the kind was known
    rows_read: int
    rows_refused: int
    refused_whole: bool
    warnings: int


def validate_submission(cfg: CycleConfig, submission_id: int) -> IntakeOutcome:
    """Read the archived copy, check it with GX, keep the good rows, report the bad ones to their sender."""
    with open_ledger(cfg) as ledger:
        info = ledger.submission(submission_id)
        checked = check_file(
            Path(info.archived_path),
            max_bytes=cfg.max_file_bytes,
            display_name=info.file_name,
            docs_dir=cfg.data_docs_dir,
        )
        parsed, problems = checked.parsed, checked.problems
        if parsed is None:
            ledger.store_outcome(
                submission_id,
                kind=None,
                submitter_uscc=None,
                submitter_name=None,
                rows_read=0,
                records=[],
                problems=problems,
                refused_whole=True,
            )
            _write_rejections(cfg, info.file_name, info.sha256, problems)
            return IntakeOutcome(submission_id, info.file_name, "", 0, 0, True, 0)
        if parsed.kind is SubmissionKind.EXPERT_SCORES:
            problems += _unknown_projects(ledger, cfg.year, parsed)
        refused_rows = {p.row for p in problems if p.severity is Severity.ERROR and p.row is not None}
        records = records_from_submission(parsed, refused_rows, cfg.year)
        submitter_uscc, submitter_name = _submitter(parsed.kind, records)
        ledger.store_outcome(
            submission_id,
            kind=parsed.kind,
            submitter_uscc=submitter_uscc,
            submitter_name=submitter_name,
            rows_read=parsed.rows_read,
            records=records,
            problems=problems,
            refused_whole=False,
        )
    if problems:
        _write_rejections(cfg, info.file_name, info.sha256, problems)
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    return IntakeOutcome(
        submission_id, info.file_name, parsed.kind.value, parsed.rows_read, len(refused_rows), False, warnings
    )


def _unknown_projects(ledger: Ledger, year: int, parsed: Any) -> list[RowProblem]:
    """A score for a project that is not in this year's review packet cannot count."""
    settlement = ledger.load_settlement(year)
    known = {line.project_key for line in settlement.lines}
    from zgc_pipeline.identifiers import normalise_key

    problems = []
    header = parsed.headers.get("project_id", "项目编号")
    for row, project in zip(parsed.frame["_row"], parsed.frame["project_id"], strict=True):
        if isinstance(project, str) and normalise_key(project) not in known:
            problems.append(
                RowProblem(parsed.sheet, int(row), header, project, f"项目编号{project}不在{year}年度专家评审材料中")
            )
    return problems


def _submitter(kind: SubmissionKind, records: list[Any]) -> tuple[str | None, str | None]:
    """The institution that sent a file: the most common submitter USCC among its accepted rows."""
    from zgc_pipeline.submissions.fields import KIND_SPECS

    field = KIND_SPECS[kind].submitter_field
    if field is None or not records:
        return None, None
    counts: dict[str, int] = {}
    for record in records:
        uscc = getattr(record, field)
        counts[uscc] = counts.get(uscc, 0) + 1
    uscc = max(sorted(counts), key=counts.__getitem__)
    name_field = field.replace("_uscc", "_name")
    name = next(getattr(r, name_field) for r in records if getattr(r, field) == uscc)
    return uscc, name


def _write_rejections(cfg: CycleConfig, file_name: str, sha256: str, problems: list[RowProblem]) -> Path:
    path = cfg.year_dir / "rejections" / f"{file_name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rejection_report(path, file_name=file_name, sha256=sha256, problems=problems, year=cfg.year)
    return path


# --- reconcile, compute, budget ---------------------------------------------------------------------------------


def reconcile_submissions(cfg: CycleConfig) -> dict[str, int]:
    """Decide which files are current (R6.2: a resubmission replaces the earlier file) and count what they hold."""
    with open_ledger(cfg) as ledger:
        ledger.active_submission_ids(cfg.year)
        inputs = ledger.load_inputs(cfg.year)
        registry = ledger.load_registry(cfg.year)
    if not registry:
        raise CycleError(f"{cfg.year}年度没有可用的试点单位名录：请检查名录文件的拒收报告")
    loan_keys = {loan.key for loan in inputs.loans}
    return {
        "loans": len(inputs.loans),
        "policy_lines": len(inputs.policies),
        "policy_lines_with_loan": sum(1 for p in inputs.policies if p.loan_key in loan_keys),
        "valuation_lines": len(inputs.valuations),
        "valuation_lines_with_loan": sum(1 for v in inputs.valuations if v.loan_key in loan_keys),
        "pilot_units": len(registry),
    }


def inputs_checksum(ledger: Ledger, year: int) -> str:
    """SHA-256 over the current files' checksums: names exactly which inputs a result was made from."""
    digest = hashlib.sha256()
    for sha in sorted(s.sha256 for s in ledger.submissions(year) if s.status == "accepted"):
        digest.update(sha.encode())
    return digest.hexdigest()


def compute_subsidies(cfg: CycleConfig) -> dict[str, str | int]:
    """R1–R6 and R9 over the current rows; the year's qualifying lines and refusals go into the ledger."""
    policy = _policy(cfg)
    with open_ledger(cfg) as ledger:
        inputs = ledger.load_inputs(cfg.year)
        settlement = settle(
            cfg.year,
            loans=inputs.loans,
            policies=inputs.policies,
            valuations=inputs.valuations,
            registry=ledger.load_registry(cfg.year),
            policy=policy,
            history=ledger.load_history(cfg.year),
        )
        if not _signed_off(ledger, cfg.year):
            ledger.save_settlement(
                settlement,
                budget=cfg.budget,
                policy_sha256=policy.sha256,
                inputs_sha256=inputs_checksum(ledger, cfg.year),
            )
        elif settlement != ledger.load_settlement(cfg.year):
            raise CycleError(f"{cfg.year}年度已签批，重新核定的结果与已签批结果不同：已签批年度不得更改（R6.2、R10）")
    return {
        "qualifying_lines": len(settlement.lines),
        "refused_lines": len(settlement.refusals),
        "qualifying_total": str(settlement.qualifying_total),
    }


def choose_budget_path(cfg: CycleConfig) -> str:
    """R7: within budget everything is approved in full; over budget the expert review runs."""
    with open_ledger(cfg) as ledger:
        settlement = ledger.load_settlement(cfg.year)
    return REVIEW_BRANCH if is_over_budget(settlement, cfg.budget) else FULL_BRANCH


def approve_in_full(cfg: CycleConfig) -> str:
    """Within budget: every qualifying line is approved as computed (R7). Returns the result checksum."""
    return _allocate(cfg, with_scores=False)


def allocate_by_merit(cfg: CycleConfig) -> str:
    """Over budget: the panel's scores rank the projects and the budget funds them in merit order (R8)."""
    return _allocate(cfg, with_scores=True)


def _allocate(cfg: CycleConfig, *, with_scores: bool) -> str:
    policy = _policy(cfg)
    with open_ledger(cfg) as ledger:
        settlement = ledger.load_settlement(cfg.year)
        scores = ledger.load_scores(cfg.year) if with_scores else None
        allocation = allocate(settlement, budget=cfg.budget, scores=scores, policy=policy)
        checksum = allocation_checksum(allocation)
        if not _signed_off(ledger, cfg.year):
            ledger.save_allocation(allocation, result_sha256=checksum)
        elif checksum != ledger.result_checksum(cfg.year):
            raise CycleError(f"{cfg.year}年度已签批，重新分配的结果与已签批结果不同：已签批年度不得更改（R10）")
    return checksum


def _signed_off(ledger: Ledger, year: int) -> bool:
    """An approved year is settled for good: a re-run recomputes and must find the same result (R10)."""
    signoff = ledger.signoff(year)
    return signoff is not None and signoff.approved


# --- expert review ----------------------------------------------------------------------------------------------


def review_packet_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"expert_review_{cfg.year}.xlsx"


def write_expert_review_packet(cfg: CycleConfig) -> str:
    """The packet the panel scores from (outputs.md §4), written as soon as the year is over budget."""
    with open_ledger(cfg) as ledger:
        settlement = ledger.load_settlement(cfg.year)
        loans = {loan.key: loan for loan in ledger.load_inputs(cfg.year).loans}
    path = review_packet_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_review_packet(path, settlement=settlement, loans=loans, budget=cfg.budget)
    return str(path)


def find_expert_scores(cfg: CycleConfig) -> str | None:
    """The panel's 专家评分表 in the inbox, told by its headers; None while it has not arrived."""
    for path in discover_submissions(cfg)[1:]:
        try:
            if detect_kind(Path(path), max_bytes=cfg.max_file_bytes) is SubmissionKind.EXPERT_SCORES:
                return path
        except SubmissionRefused:
            continue
    return None


# --- result, sign-off, payout -----------------------------------------------------------------------------------


def summarise_result(cfg: CycleConfig) -> dict[str, Any]:
    """What the bureau sees before signing off: totals, funded projects, payees, and the result's checksum."""
    with open_ledger(cfg) as ledger:
        allocation = ledger.load_allocation(cfg.year)
        checksum = ledger.result_checksum(cfg.year)
    return result_summary(allocation, checksum)


def result_summary(allocation: Allocation, checksum: str) -> dict[str, Any]:
    payees = {d.line.payee_uscc for d in allocation.decisions if d.approved > 0}
    return {
        "year": allocation.year,
        "budget": format_yuan(allocation.budget),
        "qualifying_total": format_yuan(allocation.qualifying_total),
        "approved_total": format_yuan(allocation.approved_total),
        "reviewed": allocation.reviewed,
        "projects": len(allocation.projects),
        "funded_projects": allocation.funded_projects,
        "payees": len(payees),
        "result_sha256": checksum,
    }


def record_sign_off(cfg: CycleConfig, *, approved: bool, signed_by: str, signed_at: datetime) -> None:
    """R10: who signed which result off, and when; approval records the payouts (R6.1 is enforced there)."""
    with open_ledger(cfg) as ledger:
        ledger.record_signoff(
            cfg.year,
            approved=approved,
            signed_by=signed_by,
            signed_at=signed_at,
            result_sha256=ledger.result_checksum(cfg.year),
        )


def payout_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"payout_{cfg.year}.xlsx"


def write_payout_files(cfg: CycleConfig) -> dict[str, str]:
    """After sign-off: the payout workbook, the evaluation pack and the manifest (outputs.md §1, §2, §5)."""
    policy = _policy(cfg)
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        if signoff is None or not signoff.approved:
            raise CycleError(f"{cfg.year}年度结果未经签批，不得生成拨付文件（R10）")
        allocation = ledger.load_allocation(cfg.year)
        settlement = ledger.load_settlement(cfg.year)
        refusals = [*_input_refusals(ledger, cfg.year), *settlement.refusals]
        registry = ledger.load_registry(cfg.year)
        about = ResultAbout(
            policy_file=_policy_name(cfg),
            policy_sha256=policy.sha256,
            inputs_sha256=inputs_checksum(ledger, cfg.year),
        )
        years = [_evaluation_year(ledger, y, policy) for y in ledger.settled_years() if y <= cfg.year]
        submissions = ledger.submissions(cfg.year)
    cfg.year_dir.mkdir(parents=True, exist_ok=True)
    payout = payout_path(cfg)
    write_payout_workbook(payout, allocation=allocation, refusals=refusals, registry=registry, about=about)
    evaluation = cfg.year_dir / f"evaluation_{cfg.year}.xlsx"
    write_evaluation_pack(evaluation, years=years)
    manifest = write_manifest(cfg.year_dir, _manifest(cfg, policy, allocation, submissions, signoff))
    return {"payout": str(payout), "evaluation": str(evaluation), "manifest": str(manifest)}


def write_rejected_manifest(cfg: CycleConfig) -> str:
    """A rejected sign-off releases nothing, and the manifest says so."""
    policy = _policy(cfg)
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        allocation = ledger.load_allocation(cfg.year)
        submissions = ledger.submissions(cfg.year)
    cfg.year_dir.mkdir(parents=True, exist_ok=True)
    return str(write_manifest(cfg.year_dir, _manifest(cfg, policy, allocation, submissions, signoff)))


def _policy_name(cfg: CycleConfig) -> str:
    return cfg.policy_file.name if cfg.policy_file else "policy.yaml（默认）"


def _manifest(
    cfg: CycleConfig, policy: PilotPolicy, allocation: Allocation, submissions: Any, signoff: Any
) -> Manifest:
    """The manifest's account of a result: every input file of the year, the totals and the sign-off."""
    inputs = tuple(
        InputFile(
            name=s.file_name,
            kind=s.kind or "",
            submitter=s.submitter_name or s.submitter_uscc or "",
            sha256=s.sha256,
            rows_read=s.rows_read,
            rows_refused=s.rows_refused,
        )
        for s in submissions
    )
    record = (
        SignOff(
            by=signoff.signed_by,
            at=signoff.signed_at,
            decision="批准" if signoff.approved else "驳回",
            result_sha256=signoff.result_sha256,
        )
        if signoff
        else None
    )
    return Manifest(
        year=cfg.year,
        policy_file=_policy_name(cfg),
        policy_sha256=policy.sha256,
        budget=allocation.budget,
        qualifying_total=allocation.qualifying_total,
        approved_total=allocation.approved_total,
        inputs=inputs,
        signoff=record,
    )


def _input_refusals(ledger: Ledger, year: int) -> list[Refusal]:
    """Input rows and files refused by the checks, as 未通过 lines naming the file, sheet and row."""
    refusals: list[Refusal] = []
    for info, problems in ledger.problems(year):
        by_row: dict[int | None, list[RowProblem]] = {}
        for problem in problems:
            if problem.severity is Severity.ERROR:
                by_row.setdefault(problem.row, []).append(problem)
        for row, row_problems in sorted(by_row.items(), key=lambda item: (item[0] is not None, item[0] or 0)):
            reason = "；".join(f"{p.column}：{p.problem}" if p.column else p.problem for p in row_problems)
            source = SourceRow(info.file_name, row_problems[0].sheet, row or 0, year)
            refusals.append(Refusal(source, "", "", _kind_of(info.kind), "数据校验", reason))
    return refusals


def _kind_of(kind: str | None) -> ClaimKind | None:
    if kind == SubmissionKind.POLICIES:
        return ClaimKind.PREMIUM_SUBSIDY
    if kind == SubmissionKind.VALUATIONS:
        return ClaimKind.VALUATION_SUPPORT
    return None


def _evaluation_year(ledger: Ledger, year: int, policy: PilotPolicy) -> EvaluationYear:
    allocation = ledger.load_allocation(year)
    loans = ledger.load_inputs(year).loans
    return EvaluationYear(
        year=year, budget=allocation.budget, allocation=allocation, loans=tuple(loans), tiers=policy.tiers
    )


def with_budget(cfg: CycleConfig, budget: Decimal) -> CycleConfig:
    return replace(cfg, budget=budget)
