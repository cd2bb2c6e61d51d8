"""The ``zgc`` command for data engineers and operators (shared/spec cli.md).

Exit codes: 0 done · 1 the work failed · 2 usage error · 3 over budget, waiting for the panel's scores ·
4 result ready, waiting for the bureau's sign-off. Errors are one plain line on stderr (``--debug`` for a
traceback).
"""

from __future__ import annotations

import argparse
import getpass
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zgc_pipeline.settings import default_ledger_url, load_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_AWAITING_SCORES, EXIT_AWAITING_SIGNOFF = 0, 1, 2, 3, 4
DEMO_YEAR = 2020


class CommandError(Exception):
    """A failure the person can act on; printed as one line."""


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"不是金额：{text}") from exc
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"金额应为非负、至多两位小数（元）：{text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zgc", description="中关村知识产权质押融资保险试点 · 年度补贴核定")
    parser.add_argument("--debug", action="store_true", help="出错时打印完整的调用栈")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="生成示例年度并完整运行一遍年度流程")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="输出目录（默认 ./demo-out）")

    cycle = sub.add_parser("cycle", help="通过 Airflow DAG 运行某一年度的核定流程")
    cycle.add_argument("--year", type=int, required=True)
    cycle.add_argument("--inbox", type=Path, required=True, help="该年度的收件目录")
    cycle.add_argument("--registry", type=Path, required=True, help="试点单位名录文件")
    cycle.add_argument("--budget", type=_amount, required=True, help="当年财政批复总金额（元）")
    cycle.add_argument("--out", type=Path, required=True, help="输出目录（OUT/<年度>/）")
    cycle.add_argument("--policy", type=Path, help="政策文件（默认：项目自带）")
    cycle.add_argument("--ledger", help="台账 SQLAlchemy URL（默认：输出目录下的 SQLite 文件）")
    cycle.add_argument("--approve", action="store_true", help="以当前用户身份签批结果并生成拨付文件")

    validate = sub.add_parser(
        "validate",
        help="只校验报送文件，不入账；逐条列出问题，拒收报告写在收件目录旁的文件夹",
        description=(
            "校验报送文件（不入账）。每个问题一行：文件:工作表:行:列: 值 — 级别：原因。"
            "文件夹下的文件逐个检查（含子文件夹；跳过隐藏文件、Office临时文件“~$…”和指向文件夹以外的链接）。"
            "有问题的文件各写一份“<原文件名>_拒收报告.xlsx”。有错误时退出码为1，否则为0。"
        ),
    )
    validate.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="报送文件或收件文件夹")
    validate.add_argument(
        "--report-dir",
        type=Path,
        help="拒收报告写到这里（默认：第一个文件夹旁的“<文件夹名>_拒收报告/”，只给文件时为其所在文件夹旁；从不写进收件目录）",
    )
    validate.add_argument("--quiet", action="store_true", help="不逐条列出问题，只打印每个文件的结果和合计")

    templates = sub.add_parser("templates", help="生成空白报送模板")
    templates.add_argument("--out", type=Path, required=True)

    simulate = sub.add_parser("simulate", help="不同预算下的资助结果测算（不生成拨付文件）")
    simulate.add_argument("--year", type=int, required=True)
    simulate.add_argument("--budget", type=_amount, action="append", required=True, help="可重复")
    simulate.add_argument("--out", type=Path, help="输出目录（用于找到默认台账）")
    simulate.add_argument("--ledger", help="台账 SQLAlchemy URL")
    simulate.add_argument("--policy", type=Path)

    verify = sub.add_parser("verify", help="按清单核对已交付的年度目录")
    verify.add_argument("year_dir", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = COMMANDS[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"zgc {args.command}: {message}", file=sys.stderr)
        return EXIT_FAILED


# --- cycle and demo (through the real DAG) ----------------------------------------------------------------------


def _cycle_config(args: argparse.Namespace) -> Any:
    from zgc_pipeline.cycle import CycleConfig

    return CycleConfig.local(
        year=args.year,
        inbox=args.inbox,
        registry=args.registry,
        budget=args.budget,
        out=args.out,
        ledger_url=args.ledger,
        policy_file=args.policy,
    )


def run_cycle(cfg: Any, *, approve: bool) -> int:
    """Run the annual-cycle DAG for ``cfg`` and turn its outcome into the command's exit code and report."""
    from zgc_airflow.runner import SignOffAnswer, console, run_cycle_dag

    for path, what in ((cfg.inbox, "收件目录"), (cfg.registry, "试点单位名录")):
        if not path.exists():
            raise CommandError(f"{what}不存在：{path}")
    log_file = cfg.out / "airflow" / "logs" / f"zgc-cycle-{cfg.year}.log"
    console(f"{cfg.year}年度核定：运行 Airflow DAG zgc_annual_cycle（日志：{log_file}）")
    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=cfg.out / "airflow",
        answer=SignOffAnswer("批准" if approve else None, signer=getpass.getuser()),
        progress=console,
        log_file=log_file,
    )
    if "release_nothing" in outcome.failed_tasks:
        raise CommandError("区知识产权局驳回了该年度结果，未生成任何拨付文件")
    if outcome.failed_tasks:
        raise CommandError(f"任务失败：{', '.join(outcome.failed_tasks)}；详见日志 {log_file}")
    if outcome.all_in("wait_for_scores", "skipped") and outcome.all_in("approve_in_full", "skipped"):
        packet = outcome.xcoms.get("write_review_packet", "")
        print(f"超出年度预算，需专家评审：评审材料已生成 {packet}")
        print("专家评分表（专家评分表 sheet）填好后放入收件目录，再次运行本命令。")
        return EXIT_AWAITING_SCORES
    if not outcome.all_in("write_payout_files", "success"):
        raise CommandError(f"运行未完成（状态 {outcome.state}）；详见日志 {log_file}")
    summary = outcome.xcoms.get("prepare_result", {})
    files = outcome.xcoms.get("write_payout_files", {})
    print(
        f"完成：申报合计 {summary.get('qualifying_total')} 元，预算 {summary.get('budget')} 元，"
        f"核定合计 {summary.get('approved_total')} 元，资助项目 {summary.get('funded_projects')} 个，"
        f"收款单位 {summary.get('payees')} 家。"
    )
    for label, key in (("拨付明细", "payout"), ("评估数据包", "evaluation"), ("清单", "manifest")):
        if key in files:
            print(f"  {label}: {files[key]}")
    rejections = cfg.year_dir / "rejections"
    if rejections.is_dir():
        print(f"  拒收报告: {rejections}（{len(list(rejections.glob('*.xlsx')))} 份）")
    return EXIT_OK


def cmd_cycle(args: argparse.Namespace) -> int:
    return run_cycle(_cycle_config(args), approve=args.approve)


def cmd_demo(args: argparse.Namespace) -> int:
    from zgc_pipeline.cycle import CycleConfig
    from zgc_pipeline.samples import write_sample_year

    out = args.out.resolve()
    if (out / "sample").exists():
        shutil.rmtree(out / "sample")
    sample = write_sample_year(out / "sample", year=DEMO_YEAR)
    print(f"示例年度已生成：{sample.description}")
    print(f"  收件目录 {sample.inbox}；名录 {sample.registry}；预算 {sample.budget} 元")
    cfg = CycleConfig.local(year=DEMO_YEAR, inbox=sample.inbox, registry=sample.registry, budget=sample.budget, out=out)
    code = run_cycle(cfg, approve=True)
    if code == EXIT_AWAITING_SCORES and sample.scores is not None:
        shutil.copy2(sample.scores, sample.inbox / sample.scores.name)
        print(f"专家组评分表送达：{sample.scores.name}；继续核定并以演示身份签批")
        code = run_cycle(cfg, approve=True)
    return code


# --- commands that need no Airflow ------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from zgc_pipeline.checking import lint_lines, validate_paths
    from zgc_pipeline.submissions.sniffing import os_error_text

    settings = load_settings()
    try:
        checked, reports = validate_paths(
            args.paths,
            max_bytes=settings.max_file_bytes,
            report_dir=args.report_dir,
            uscc_exceptions=settings.uscc_exceptions,
        )
    except OSError as exc:  # the report folder cannot be written
        raise CommandError(
            f"无法写入拒收报告：{exc.filename or ''}（{os_error_text(exc)}），请用 --report-dir 另选文件夹"
        ) from exc
    for result in checked:
        if not args.quiet:
            for line in lint_lines(result):
                print(line)
    for result in checked:
        print(result.line())
    bad = sum(result.has_errors for result in checked)
    written = sum(1 for result in checked if result.problems and not result.unread)
    print(f"共 {len(checked)} 个文件，{bad} 个有错误" + (f"；拒收报告 {written} 份：{reports}" if written else ""))
    return EXIT_FAILED if bad else EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from zgc_pipeline.submissions.templates import write_templates

    for path in write_templates(args.out):
        print(path)
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from zgc_pipeline.allocation import simulate
    from zgc_pipeline.ledger import Ledger
    from zgc_pipeline.policy import load_policy

    out = (args.out or load_settings().output_root).resolve()
    ledger = Ledger.open(args.ledger or default_ledger_url(out))
    try:
        settlement = ledger.load_settlement(args.year)
        scores = ledger.load_scores(args.year) or None
    finally:
        ledger.close()
    policy = load_policy(args.policy)
    for scenario in simulate(settlement, budgets=args.budget, scores=scores, policy=policy):
        print(scenario.describe())
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from zgc_pipeline.outputs import verify_delivery

    problems = verify_delivery(args.year_dir)
    for problem in problems:
        print(problem)
    print("核对通过：与清单一致" if not problems else f"核对未通过：{len(problems)} 处不一致")
    return EXIT_FAILED if problems else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "cycle": cmd_cycle,
    "validate": cmd_validate,
    "templates": cmd_templates,
    "simulate": cmd_simulate,
    "verify": cmd_verify,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
