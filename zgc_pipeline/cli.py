"""The ``zgc`` command for data engineers and operators (shared/spec cli.md): the commands that need no Airflow.

``zgc cycle`` and ``zgc demo`` run the real DAG and live in ``zgc_airflow.cli``, which adds them to this parser;
the installed ``zgc`` is that one. Exit codes: 0 done · 1 the work failed · 2 usage error · 3 over budget, waiting
for the panel's scores · 4 result ready, waiting for the bureau's sign-off. Errors are one plain line on stderr
(``--debug`` for a traceback).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from zgc_pipeline.cli_parser import LEDGER_HELP, ChineseArgumentParser, ledger_url
from zgc_pipeline.money import read_budget
from zgc_pipeline.settings import load_settings
from zgc_pipeline.terminal import StatusLine

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_AWAITING_SCORES, EXIT_AWAITING_SIGNOFF = 0, 1, 2, 3, 4
MIN_YEAR, MAX_YEAR = 2000, 2100


class CommandError(Exception):
    """A failure the person can act on; printed as one line."""


def amount(text: str) -> Decimal:
    """A budget as people write it (``300万``, ``3,000,000``, ``¥3000000``): a usage error says how to write one
    (whether the ledger can keep it is the run's check, not a usage error)."""
    try:
        return read_budget(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def year(text: str) -> int:
    """A settlement year: four digits, from the pilot's time."""
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"结算年度应为{MIN_YEAR}至{MAX_YEAR}之间的四位数年份，实为“{text}”")
    return int(text)


def parser() -> tuple[argparse.ArgumentParser, Any]:
    """The parser with the commands that need no Airflow, and its subparsers for ``zgc_airflow`` to add to."""
    root = ChineseArgumentParser(prog="zgc", description="中关村知识产权质押融资保险试点 · 年度补贴核定")
    root.add_argument("--debug", action="store_true", help="出错时打印完整的调用栈")
    sub = root.add_subparsers(dest="command", required=True, title="命令", metavar="命令")

    reopen = sub.add_parser("reopen", help="作废重开一个已签批的年度（记录原因，保留作废的交付文件）")
    reopen.add_argument("--year", type=year, required=True, metavar="年度", help="结算年度")
    reopen.add_argument("--reason", required=True, metavar="原因", help="作废重开的原因（记入台账和新的清单）")
    reopen.add_argument("--out", type=Path, metavar="目录", help="运行该年度时的输出目录（默认 ZGC_OUTPUT_ROOT）")
    reopen.add_argument("--ledger", type=ledger_url, metavar="URL", help=LEDGER_HELP)

    validate = sub.add_parser(
        "validate",
        help="只校验报送文件，不入账；逐条列出问题，拒收报告写在收件目录旁的文件夹",
        description=(
            "校验报送文件（不入账）。每个问题一行：文件:工作表:行:列: 值 — 级别：原因。"
            "文件夹下的文件逐个检查（含子文件夹；跳过隐藏文件、Office临时文件“~$…”和指向文件夹以外的链接）。"
            "有问题的文件各写一份“<原文件名>_拒收报告.xlsx”。有错误时退出码为1，否则为0。"
        ),
    )
    validate.add_argument("paths", type=Path, nargs="+", metavar="路径", help="报送文件或收件文件夹")
    validate.add_argument(
        "--report-dir",
        type=Path,
        metavar="目录",
        help="拒收报告写到这里（默认：第一个文件夹旁的“<文件夹名>_拒收报告/”，只给文件时为其所在文件夹旁；从不写进收件目录）",
    )
    validate.add_argument("--quiet", action="store_true", help="不逐条列出问题，只打印每个文件的结果和合计")

    templates = sub.add_parser("templates", help="生成空白报送模板")
    templates.add_argument("--out", type=Path, required=True, metavar="目录", help="模板写到这里")
    templates.add_argument("--force", action="store_true", help="覆盖输出目录中的同名文件（可能是已填写的报送表）")

    simulate = sub.add_parser("simulate", help="不同预算下的资助结果测算（不生成拨付文件）")
    simulate.add_argument("--year", type=year, required=True, metavar="年度", help="结算年度")
    simulate.add_argument(
        "--budget", type=amount, action="append", required=True, metavar="金额", help="预算（元，如 300万），可重复"
    )
    simulate.add_argument("--out", type=Path, metavar="目录", help="输出目录（用于找到其中的默认台账）")
    simulate.add_argument("--ledger", type=ledger_url, metavar="URL", help=LEDGER_HELP)
    simulate.add_argument("--policy", type=Path, metavar="文件", help="政策文件（默认：项目自带）")

    verify = sub.add_parser("verify", help="按清单（加 --ledger 时也按台账的签批记录）核对已交付的年度目录")
    verify.add_argument("year_dir", type=Path, metavar="年度目录", help="交付目录 OUT/<年度>（或其中作废的 作废_<n>）")
    verify.add_argument(
        "--ledger",
        type=ledger_url,
        metavar="URL",
        help="台账 SQLAlchemy URL：再按台账重算结果校验值并与签批核对，逐格核对拨付文件的汇总、明细、未通过，"
        "核对清单中的金额与签批信息（清单可被任何人重算）",
    )

    status = sub.add_parser("status", help="年度总览：各年度所处阶段、金额、报送文件与签批（只读）")
    status.add_argument("--year", type=int, metavar="年度", help="只看这一年度的详情")
    status.add_argument("--out", type=Path, metavar="目录", help="输出目录（用于找到默认台账；默认 ZGC_OUTPUT_ROOT）")
    status.add_argument("--ledger", type=ledger_url, metavar="URL", help=LEDGER_HELP)
    return root, sub


def main(argv: Sequence[str] | None = None) -> int:
    """``zgc`` without Airflow: the commands of this module only."""
    root, _ = parser()
    return dispatch(root.parse_args(argv), COMMANDS)


def dispatch(args: argparse.Namespace, commands: Mapping[str, Callable[[argparse.Namespace], int]]) -> int:
    """Run the chosen command: its exit code, or 1 with one plain line on stderr."""
    handler = commands[args.command]
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


# --- commands that need no Airflow ------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from zgc_pipeline.quality.lint import lint_lines, validate_paths
    from zgc_pipeline.submissions.sniffing import os_error_text

    settings = load_settings()
    status = StatusLine()
    try:
        checked, reports = validate_paths(
            args.paths,
            max_bytes=settings.max_file_bytes,
            report_dir=args.report_dir,
            uscc_exceptions=settings.uscc_exceptions,
            on_file=lambda name: status.show(f"正在检查：{name}"),
        )
    except OSError as exc:  # the report folder cannot be written
        raise CommandError(
            f"无法写入拒收报告：{exc.filename or ''}（{os_error_text(exc)}），请用 --report-dir 另选文件夹"
        ) from exc
    finally:
        status.clear()
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

    for path in write_templates(args.out, force=args.force):
        print(path)
    return EXIT_OK


def _ledger_url(args: argparse.Namespace) -> str:
    """--ledger, else ZGC_LEDGER_URL, else the SQLite file under --out (or under ZGC_OUTPUT_ROOT)."""
    if args.ledger:
        return str(args.ledger)
    settings = load_settings()
    return settings.ledger_for(args.out.resolve() if args.out is not None else settings.output_root)


def cmd_simulate(args: argparse.Namespace) -> int:
    from zgc_pipeline.ledger import Ledger
    from zgc_pipeline.overview import simulate_budgets
    from zgc_pipeline.policy import load_policy

    policy = load_policy(args.policy)
    from zgc_pipeline.ledger.engine import shown_url

    url = _ledger_url(args)
    print(f"台账：{shown_url(url)}")
    with Ledger.open_readonly(url) as ledger:
        scenarios = simulate_budgets(ledger, args.year, args.budget, policy)
    for scenario in scenarios:
        print(scenario.describe())
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from zgc_pipeline.ledger import Ledger
    from zgc_pipeline.overview import year_overview, year_overviews
    from zgc_pipeline.status import describe_year, overview_table

    with Ledger.open_readonly(_ledger_url(args)) as ledger:
        if args.year is not None:
            lines = describe_year(year_overview(ledger, args.year))
        else:
            lines = overview_table(year_overviews(ledger))
    for line in lines:
        print(line)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from zgc_pipeline.outputs import verify_delivery

    if args.ledger is None:
        problems = verify_delivery(args.year_dir)
        passed = "核对通过：与清单一致"
    else:
        problems = _verify_against_ledger(args.year_dir, args.ledger)
        passed = "核对通过：与清单一致，与台账中签批的结果和拨付记录一致"
    for problem in problems:
        print(problem)
    print(passed if not problems else f"核对未通过：{len(problems)} 处不一致")
    return EXIT_FAILED if problems else EXIT_OK


def _verify_against_ledger(year_dir: Path, ledger_url: str) -> list[str]:
    """The folder against its manifest; the ledger against its sign-off (the checksum recomputed, the payout rows);
    the manifest's figures and sign-off and every cell of the payout workbook against the ledger (outputs.md §7)."""
    import json

    from zgc_pipeline.cycle.audit import delivery_problems, signed_record_problems
    from zgc_pipeline.ledger import Ledger

    try:
        year = int(json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))["year"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"无法从 {year_dir / 'manifest.json'} 读出年度：{exc}") from exc
    with Ledger.open_readonly(ledger_url) as ledger:
        return [*signed_record_problems(ledger, year), *delivery_problems(ledger, year, year_dir)]


def cmd_reopen(args: argparse.Namespace) -> int:
    """作废重开: the ledger records who, when and why; the voided delivery is kept under 作废_<n>/."""
    from zgc_pipeline.cycle import reopen_year

    settings = load_settings()
    out = (args.out or settings.output_root).resolve()
    reopening = reopen_year(
        year=args.year,
        out=out,
        ledger_url=args.ledger or settings.ledger_for(out),
        reason=args.reason,
        reopened_by=getpass.getuser(),
    )
    print(
        f"{args.year}年度已作废重开（第{reopening.number}次，{reopening.reopened_by}）：原结果 "
        f"{reopening.voided_result_sha256[:12]}… 的交付文件保留在 {out / str(args.year) / reopening.voided_folder}"
    )
    print(f"请把更正后的文件放入收件目录，再运行 zgc cycle --year {args.year} …，新的拨付文件附差额表")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "reopen": cmd_reopen,
    "validate": cmd_validate,
    "templates": cmd_templates,
    "simulate": cmd_simulate,
    "verify": cmd_verify,
    "status": cmd_status,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
