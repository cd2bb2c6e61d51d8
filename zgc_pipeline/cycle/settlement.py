"""Reconcile, compute (R1–R6, R9), the budget gate (R7) and the allocation (R8) of a year."""

from __future__ import annotations

import hashlib
import logging

from zgc_pipeline.allocation import allocate_frames, is_over_budget
from zgc_pipeline.allocation.checksum import SEALED
from zgc_pipeline.cycle.audit import new_result_checksum
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.reports import publish_rejection_reports
from zgc_pipeline.cycle.stopping import stopped_run
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import fen_text, format_fen, format_yuan, to_fen
from zgc_pipeline.rules import settle_frames

REVIEW_BRANCH = "write_review_packet"
FULL_BRANCH = "approve_in_full"
log = logging.getLogger(__name__)


def reconcile_submissions(cfg: CycleConfig) -> dict[str, int]:
    """Decide which files are current (R6.2: a resubmission replaces the earlier file) and count what the current
    files hold. Their rejection reports are published once the year is known to have a claim line (R6.3)."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        keys = tx.input_keys(cfg.year)
        registry = tx.registry(cfg.year)
    if registry.empty:
        raise CycleError(f"{cfg.year}年度没有可用的试点单位名录：请检查名录文件的拒收报告")
    loan_keys = set(keys.loans)
    counts = {
        "loans": len(keys.loans),
        "policy_lines": len(keys.policies),
        "policy_lines_with_loan": sum(1 for key in keys.policies if key in loan_keys),
        "valuation_lines": len(keys.valuations),
        "valuation_lines_with_loan": sum(1 for key in keys.valuations if key in loan_keys),
        "pilot_units": len(registry),
    }
    log.info(
        f"reconcile_submissions: {cfg.year}年度 读入 现行文件的贷款 {len(keys.loans)} 行、"
        f"保单 {len(keys.policies)} 行、评估 {len(keys.valuations)} 行、名录 {len(registry)} 家"
    )
    return counts


def inputs_checksum(ledger: Ledger, year: int) -> str:
    """SHA-256 over the current files' checksums: names exactly which inputs a result was made from."""
    digest = hashlib.sha256()
    for sha in sorted(s.sha256 for s in ledger.submissions(year) if s.status == "accepted"):
        digest.update(sha.encode())
    return digest.hexdigest()


def compute_subsidies(cfg: CycleConfig) -> dict[str, str | int]:
    """R1–R6 and R9 over the current rows; every file's rejection report published where it belongs (replaced
    files' under 已替代/); the year's qualifying lines and refusals go into the ledger.

    A year outside the pilot, or with no policy or valuation row of its own (every line in the inbox belongs to
    another year, or none was sent), stops the run before anything is saved or published: what the run received
    is taken back out of the ledger (R6.3), unless an empty year is settled on purpose.
    """
    policy = cfg.policy()
    with open_ledger(cfg) as ledger:
        if cfg.year not in policy.pilot_years:
            raise stopped_run(cfg, ledger, not_a_pilot_year(cfg.year, cfg, policy.pilot_years))
        with ledger.transaction() as tx:
            refuse_if_signed(tx, cfg.year)
            refuse_altered_history(tx, cfg.year)
            inputs = tx.inputs(cfg.year)
            settlement = settle_frames(
                cfg.year,
                loans=inputs.loans,
                policies=inputs.policies,
                valuations=inputs.valuations,
                registry=tx.registry(cfg.year),
                policy=policy,
                history=tx.history(cfg.year),
                refused_loans=tx.refused_loans(cfg.year),
            )
            stop = settlement.rows_of_year == 0 and not cfg.allow_empty
            if not stop:
                publish_rejection_reports(cfg, tx)
                tx.save_settlement(
                    settlement,
                    budget_fen=to_fen(cfg.budget),
                    policy_sha256=policy.sha256,
                    inputs_sha256=inputs_checksum(tx, cfg.year),
                    policy_text=policy.text,
                )
        if stop:  # after the transaction: the stop itself is recorded
            raise stopped_run(cfg, ledger, no_claim_line(cfg.year))
    log.info(
        f"compute_subsidies: {cfg.year}年度 读入 贷款 {len(inputs.loans)} 行、保单 {len(inputs.policies)} 行、"
        f"评估 {len(inputs.valuations)} 行；符合条件 {len(settlement.lines)} 行，未通过 {len(settlement.refusals)} 行，"
        f"申报合计 {format_fen(settlement.qualifying_total_fen)} 元；写入台账"
    )
    return {
        "qualifying_lines": len(settlement.lines),
        "refused_lines": len(settlement.refusals),
        "qualifying_total": fen_text(settlement.qualifying_total_fen),
    }


def no_claim_line(year: int) -> str:
    return (
        f"{year}年度没有可核定的申报行：收件中的保单和评估行都不属于{year}年度（按缴费、收费日期，R9），或尚未报送；"
        f"本次收到的文件未记入台账，也未生成{year}年度的任何文件（R6.3）。请检查收件目录和年度是否正确后重新运行"
        "（确需核定一个空年度，请加 --allow-empty）"
    )


def not_a_pilot_year(year: int, cfg: CycleConfig, pilot_years: tuple[int, ...]) -> str:
    where = cfg.policy_file or "项目自带的政策文件 include/policy.yaml"
    years = "、".join(str(y) for y in pilot_years)
    return (
        f"{year}年度不在试点年度内：政策文件（{where}）的 pilot_years 为 {years}；"
        "如试点延期，请先在政策文件中增加该年度"
    )


def choose_budget_path(cfg: CycleConfig) -> str:
    """R7: within budget everything is approved in full; over budget the expert review runs."""
    with open_ledger(cfg) as ledger:
        qualifying_total_fen = ledger.qualifying_total_fen(cfg.year)
    branch = REVIEW_BRANCH if is_over_budget(qualifying_total_fen, to_fen(cfg.budget)) else FULL_BRANCH
    total, budget = format_fen(qualifying_total_fen), format_yuan(cfg.budget)
    log.info(f"choose_budget_path: {cfg.year}年度 读入 申报合计 {total} 元，预算 {budget} 元；走 {branch}")
    return branch


def approve_in_full(cfg: CycleConfig) -> str:
    """Within budget: every qualifying line is approved as computed (R7). Returns the result checksum."""
    return _allocate(cfg, with_scores=False)


def allocate_by_merit(cfg: CycleConfig) -> str:
    """Over budget: the panel's scores rank the projects and the budget funds them in merit order (R8). The score
    rows it cannot use (a project not under review, a row repeated or blank) are refused with their reasons, in
    未通过 and in the score file's rejection report."""
    return _allocate(cfg, with_scores=True)


def _allocate(cfg: CycleConfig, *, with_scores: bool) -> str:
    policy = cfg.policy()
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        refuse_if_signed(tx, cfg.year)
        lines = tx.claim_lines(cfg.year)
        scores = tx.scores(cfg.year) if with_scores else None
        result = allocate_frames(
            lines,
            year=cfg.year,
            first_premium_dates=tx.first_premium_dates(cfg.year).set_index("project_key")["first_date"],
            budget_fen=to_fen(cfg.budget),
            scores=scores,
            policy=policy,
        )
        checksum = new_result_checksum(tx, result, lines)
        tx.save_allocation(result, result_sha256=checksum, checksum_version=SEALED)
        if with_scores:
            publish_rejection_reports(cfg, tx)  # the score file's report lists the rows the allocation refused
    step, scored = ("allocate_by_merit", f"、评分 {len(scores)} 行") if scores is not None else ("approve_in_full", "")
    log.info(
        f"{step}: {cfg.year}年度 读入 符合条件 {len(lines)} 行{scored}；资助 {result.funded_projects} 个项目，"
        f"核定合计 {format_fen(result.approved_total_fen)} 元，拒用评分 {len(result.score_refusals)} 行；"
        f"写入台账（{checksum[:12]}…）"
    )
    return checksum


def signed_off(ledger: Ledger, year: int) -> bool:
    """An approved year is settled for good, until it is reopened (R10)."""
    signoff = ledger.signoff(year)
    return signoff is not None and signoff.approved


def refuse_altered_history(ledger: Ledger, year: int) -> None:
    """Earlier years' payouts feed this year's caps (R3.4, R5.2) and duplicates (R6.1): they must still be what
    their sign-offs recorded."""
    for earlier in ledger.settled_years():
        if earlier < year:
            altered = ledger.payouts_unlike_decisions(earlier)
            if altered:
                raise CycleError(
                    f"{earlier}年度的拨付记录与其签批的核定结果不一致（{altered[0]}等{len(altered)}处），"
                    f"{year}年度的累计上限和重复申报无法据此核定：请核查台账（zgc verify --ledger）"
                )


def refuse_if_signed(ledger: Ledger, year: int) -> None:
    if signed_off(ledger, year):
        raise CycleError(
            f"{year}年度已签批，不得重新核定；如需更正，请先作废重开（zgc reopen --year {year} --reason …）"
        )
