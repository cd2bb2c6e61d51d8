"""The installed ``zgc`` command: the domain's commands (``zgc_pipeline.cli``) plus those that run the real DAG.

``zgc cycle`` runs ``zgc_annual_cycle`` in-process (Airflow's own test runner) on an Airflow home under the output
folder, and turns the run into one of the spec's exit codes with the figures a person needs: 0 done (or a signed
year left unchanged), 1 failed (the task, the file and the first line of its error) or rejected by the bureau,
3 over budget and waiting for the panel, 4 waiting for the bureau's sign-off.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from zgc_pipeline.cli import (
    COMMANDS,
    EXIT_AWAITING_SCORES,
    EXIT_AWAITING_SIGNOFF,
    EXIT_FAILED,
    EXIT_OK,
    CommandError,
    amount,
    dispatch,
    parser,
    year,
)
from zgc_pipeline.cli_parser import LEDGER_HELP, ledger_url
from zgc_pipeline.money import format_yuan
from zgc_pipeline.settings import Settings, load_settings

DEMO_YEAR = 2020


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # the deployment's GX setting, before anything imports GX
    root, sub = parser()
    _add_commands(sub)
    airflow_commands = {"cycle": cmd_cycle, "demo": cmd_demo, "ui": cmd_ui}
    return dispatch(root.parse_args(argv), {**COMMANDS, **{n: _needs_airflow(c) for n, c in airflow_commands.items()}})


def _needs_airflow(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The commands that run the DAG need the ``airflow`` extra; without it they say how to install it, and the
    domain's commands work as before."""

    def run(args: argparse.Namespace) -> int:
        if not _airflow_installed():
            raise CommandError(
                f"zgc {args.command} 需要 Apache Airflow，本环境未安装：请运行 pip install 'zgc-pipeline[airflow]'"
                "（zgc validate、templates、verify、simulate、status、reopen 不需要 Airflow）"
            )
        return command(args)

    return run


def _airflow_installed() -> bool:
    """Whether Airflow can be imported, without importing it: an import reads Airflow's settings, and the command
    must first point ``AIRFLOW_HOME`` at its own home (``home.configure``), or Airflow settles on ``~/airflow``."""
    try:
        return importlib.util.find_spec("airflow") is not None
    except ValueError:  # a module set to None in sys.modules: present but not importable
        return False


def _add_commands(sub: Any) -> None:
    demo = sub.add_parser("demo", help="生成示例年度并完整运行一遍年度流程")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), metavar="目录", help="输出目录（默认 ./demo-out）")

    cycle = sub.add_parser("cycle", help="通过 Airflow DAG 运行某一年度的核定流程")
    cycle.add_argument("--year", type=year, required=True, metavar="年度", help="结算年度，如 2020")
    cycle.add_argument("--inbox", type=Path, required=True, metavar="目录", help="该年度的收件目录")
    cycle.add_argument("--registry", type=Path, required=True, metavar="文件", help="试点单位名录文件")
    cycle.add_argument(
        "--budget",
        type=amount,
        required=True,
        metavar="金额",
        help="当年财政批复总金额，如 3000000、3,000,000 或 300万",
    )
    cycle.add_argument("--out", type=Path, required=True, metavar="目录", help="输出目录（写入 目录/<年度>/）")
    cycle.add_argument("--policy", type=Path, metavar="文件", help="政策文件（默认：项目自带）")
    cycle.add_argument("--ledger", type=ledger_url, metavar="URL", help=LEDGER_HELP)
    cycle.add_argument("--approve", action="store_true", help="以当前用户身份签批结果并生成拨付文件")
    cycle.add_argument("--allow-empty", action="store_true", help="收件为空或没有本年度申报行时仍核定（金额为0）")
    cycle.add_argument("--data-docs", action="store_true", help="为每个文件生成数据质量报告（默认只为有问题的文件）")

    ui = sub.add_parser(
        "ui", help="在演示或 zgc cycle 用过的 Airflow 目录上启动本地 Airflow（界面、调度器等，含年度核定页面）"
    )
    ui.add_argument("--out", type=Path, default=Path("demo-out"), metavar="目录", help="输出目录（默认 ./demo-out）")
    ui.add_argument("--port", type=int, default=8080, metavar="端口", help="端口（默认 8080）")


def local_run(
    *,
    year: int,
    inbox: Path,
    registry: Path,
    budget: Any,
    out: Path,
    ledger: str | None = None,
    policy: Path | None = None,
    allow_empty: bool = False,
    data_docs: bool = False,
) -> tuple[Any, Settings]:
    """A run on one person's machine: its config and the settings its in-process tasks read (everything under
    ``out`` unless a ledger is named, by ``--ledger`` or ``ZGC_LEDGER_URL``; an operational failure stops the run
    rather than waiting out retries)."""
    from zgc_pipeline.cycle import CycleConfig

    out = out.resolve()
    settings = load_settings()
    settings = replace(
        settings,
        output_root=out,
        archive_dir=out / "archive",
        ledger_url=ledger or settings.ledger_url,
        task_retries=0,
    )
    params = {
        "year": year,
        "inbox": str(inbox),
        "registry": str(registry),
        "budget": str(budget),
        "out": str(out),
        "policy_file": str(policy) if policy else "",
        "allow_empty": allow_empty,
        "data_docs": data_docs,
    }
    return CycleConfig.from_params(params, settings), settings


def cmd_cycle(args: argparse.Namespace) -> int:
    cfg, settings = local_run(
        year=args.year,
        inbox=args.inbox,
        registry=args.registry,
        budget=args.budget,
        out=args.out,
        ledger=args.ledger,
        policy=args.policy,
        allow_empty=args.allow_empty,
        data_docs=args.data_docs,
    )
    return run_cycle(cfg, settings, approve=args.approve)


def run_cycle(
    cfg: Any, settings: Settings, *, approve: bool, wait_for_scores: bool = False, command: str = "zgc cycle"
) -> int:
    """Run the annual-cycle DAG for ``cfg`` and turn its outcome into the command's exit code and report.

    The run names who started it (``zgc cycle（操作系统用户 root）``) and, with ``approve``, the sign-off names the
    operating-system account that approved, said to be one (not an Airflow user who answered in the UI)."""
    from zgc_airflow.lock import YearLock
    from zgc_airflow.runner import SignOffAnswer, console, run_cycle_dag
    from zgc_pipeline.cycle import CycleError, check_run
    from zgc_pipeline.cycle.delivery import full_disk_message
    from zgc_pipeline.outputs.delivery_folder import FULL_DISK

    try:
        check_run(cfg)  # a wrong setting is one line within seconds, before Airflow starts
    except CycleError as exc:
        raise CommandError(str(exc)) from exc
    log_file = cfg.out / "airflow" / "logs" / f"zgc-cycle-{cfg.year}.log"
    user = getpass.getuser()
    approved_with = "zgc demo 演示签批" if command == "zgc demo" else f"{command} --approve"
    try:
        with YearLock(cfg.out, cfg.year):
            console(f"{cfg.year}年度核定：预算 {format_yuan(cfg.budget)} 元；运行 Airflow DAG zgc_annual_cycle")
            console(f"  日志：{log_file}")
            outcome = run_cycle_dag(
                {**cfg.to_params(), "wait_for_scores": wait_for_scores},
                airflow_home=cfg.out / "airflow",
                answer=SignOffAnswer("批准" if approve else None, signer=f"{user}（操作系统用户，{approved_with}）"),
                progress=console,
                on_waiting=lambda summary: console(awaiting_sign_off(summary)),
                log_file=log_file,
                settings_env=settings.environment(),
                triggered_by=f"{command}（操作系统用户 {user}）",
            )
    except OSError as exc:  # the run's own files (its log, its Airflow home) on a full disk
        if exc.errno not in FULL_DISK:
            raise
        raise CommandError(full_disk_message(Path(exc.filename or log_file), cfg.out)) from exc
    return report(cfg, outcome, log_file)


def report(cfg: Any, outcome: Any, log_file: Path) -> int:
    """What the run came to, in the spec's exit codes, with the figures and paths a person acts on."""
    from zgc_airflow.runner import fail_run, task_xcom

    if outcome.all_in("check_year_open", "success") and outcome.all_in("discover_submissions", "skipped"):
        print(task_xcom(outcome.run_id, "check_year_open", "unchanged"))
        return EXIT_OK
    if outcome.all_in("release_nothing", "failed") and outcome.all_in("sign_off", "success"):
        raise CommandError(
            f"区知识产权局驳回了{cfg.year}年度结果，未生成任何拨付文件；签批记录见 {cfg.year_dir}/manifest.json"
        )
    if outcome.failures:
        first = outcome.failures[0]
        where = f"（文件：{first.file}）" if first.file else ""
        others = f"；另有{len(outcome.failures) - 1}个任务失败" if len(outcome.failures) > 1 else ""
        raise CommandError(f"任务“{first.label}”失败{where}：{first.message}{others}；日志：{log_file}")
    if outcome.failed_tasks:
        raise CommandError(f"运行未完成（{', '.join(outcome.failed_tasks)}）；日志：{log_file}")
    if outcome.all_in("wait_for_scores", "skipped") and outcome.all_in("approve_in_full", "skipped"):
        packet = outcome.xcoms.get("write_review_packet")
        fail_run(outcome.run_id, f"等待专家评分：超出预算，专家评分表尚未送达，未核定；评审材料见 {packet}")
        print(awaiting_scores(outcome.xcoms.get("compute_subsidies", {}), cfg, packet))
        return EXIT_AWAITING_SCORES
    if not outcome.all_in("write_payout_files", "success"):
        raise CommandError(f"运行未完成（状态 {outcome.state}）；日志：{log_file}")
    summary = outcome.xcoms.get("prepare_result", {})
    files = outcome.xcoms.get("write_payout_files", {})
    print(
        f"完成：申报合计 {summary.get('qualifying_total')} 元，预算 {summary.get('budget')} 元，"
        f"核定合计 {summary.get('approved_total')} 元，资助项目 {summary.get('funded_projects')} 个，"
        f"收款单位 {summary.get('payees')} 家；结果校验值 {summary.get('result_sha256')}。"
    )
    for label, key in (("拨付明细", "payout"), ("评估数据包", "evaluation"), ("清单", "manifest")):
        if key in files:
            print(f"  {label}: {files[key]}")
    rejections = cfg.year_dir / "rejections"
    if rejections.is_dir():
        print(f"  拒收报告: {rejections}（{len(list(rejections.glob('*.xlsx')))} 份）")
    return EXIT_OK


def awaiting_scores(computed: dict[str, Any], cfg: Any, packet: str | None) -> str:
    """Exit 3's message: why the panel must score (申报合计 > 预算) and where its packet is."""
    from zgc_pipeline.money import format_yuan

    total = computed.get("qualifying_total", "")
    shown = format_yuan(Decimal(total)) if total else "—"
    return (
        f"{cfg.year}年度超出预算，需专家评审：申报合计 {shown} 元 > 预算 {format_yuan(cfg.budget)} 元（R7、R8）；"
        f"符合条件申报 {computed.get('qualifying_lines', '—')} 行，未通过 {computed.get('refused_lines', '—')} 行。\n"
        f"  评审材料：{packet}\n"
        "  专家组填好其中的专家评分表后放入收件目录，再次运行本命令。"
    )


def awaiting_sign_off(summary: dict[str, Any]) -> str:
    """Exit 4's message: the result's figures, its checksum, and the payout workbook to read and sign (the file
    that is delivered once signed) with its SHA-256."""
    return (
        f"{summary.get('year')}年度结果已生成，等待区知识产权局签批（R10）：预算 {summary.get('budget')} 元，"
        f"申报合计 {summary.get('qualifying_total')} 元，核定合计 {summary.get('approved_total')} 元，"
        f"资助项目 {summary.get('funded_projects')} 个，收款单位 {summary.get('payees')} 家，"
        f"未通过 {summary.get('refused_lines')} 行，专家评审：{summary.get('reviewed')}。\n"
        f"  结果校验值：{summary.get('result_sha256')}\n"
        f"  待签批的拨付表：{summary.get('workbook')}\n"
        f"  拨付表 SHA-256：{summary.get('workbook_sha256')}\n"
        "  核对后以 --approve 重新运行即签批，该拨付表原样交付；或用 zgc ui --out <输出目录> 启动 Airflow，"
        "由区知识产权局在 Required Actions 中批准或驳回。"
    )


def cmd_ui(args: argparse.Namespace) -> int:
    from zgc_airflow.local_airflow import serve

    return serve(args.out.resolve(), port=args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    from zgc_pipeline.samples import write_sample_year

    out = args.out.resolve()
    if (out / "sample").exists():
        shutil.rmtree(out / "sample")
    sample = write_sample_year(out / "sample", year=DEMO_YEAR)
    print(f"示例年度已生成：{sample.description}")
    print(f"  收件目录 {sample.inbox}；名录 {sample.registry}；预算 {sample.budget} 元")
    cfg, settings = local_run(
        year=DEMO_YEAR, inbox=sample.inbox, registry=sample.registry, budget=sample.budget, out=out
    )
    code = run_cycle(cfg, settings, approve=True, command="zgc demo")
    if code == EXIT_AWAITING_SCORES and sample.scores is not None:
        shutil.copy2(sample.scores, sample.inbox / sample.scores.name)
        print(f"专家组评分表送达：{sample.scores.name}；继续核定并以演示身份签批")
        code = run_cycle(cfg, settings, approve=True, command="zgc demo")
    return code


__all__ = ["EXIT_AWAITING_SIGNOFF", "EXIT_FAILED", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
