"""Check one read submission against its kind's suite and say, cell by cell, what is wrong.

The reader has already typed the values (``ParsedSubmission``) and reported cells it could not parse; this adds
the rules of submissions.md (required, identifiers, choices, amounts, date order, unique keys) and reports each
failing (row, column) once, skipping cells the reader already reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zgc_pipeline.identifiers import normalise_key
from zgc_pipeline.quality.messages import KEY_PREFIX, MESSAGES, Failure, Sheet, problem_text
from zgc_pipeline.quality.suites import SuiteConfigurationError, load_suite
from zgc_pipeline.submissions.fields import FieldType
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem, Severity

if TYPE_CHECKING:
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration


def check_frame(parsed: ParsedSubmission) -> pd.DataFrame:
    """The frame the suite runs on: positions 0…n−1 (rows after the table's end left out), every field present,
    key fields normalised into ``_key_*``.

    An optional 是/否 field left blank takes its default 否, so a blank 是否回避 counts as not recused.
    """
    frame = parsed.frame[parsed.checked_positions].reset_index(drop=True)
    added: dict[str, Any] = {}
    for f in parsed.spec.fields:
        if f.key not in frame.columns:
            added[f.key] = pd.Series(pd.NA, index=frame.index, dtype="object")
        elif f.type is FieldType.YES_NO and not f.required:
            added[f.key] = frame[f.key].fillna(False)
    for key in parsed.spec.key:
        added[KEY_PREFIX + key] = frame[key].map(normalise_key, na_action="ignore")
    return frame.assign(**added)


def _config(result: ExpectationValidationResult) -> ExpectationConfiguration:
    config = result.expectation_config
    if config is None:  # GX always sets it for a suite's results
        raise SuiteConfigurationError("检查结果缺少检查配置")
    return config


def _raise_if_errored(result: ExpectationValidationResult) -> None:
    """An expectation that errored is a broken suite, not bad data: GX reports it as a plain failure."""
    info = result.exception_info or {}
    errors = [info] if info.get("raised_exception") else []
    errors += [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if errors:
        config = _config(result)
        raise SuiteConfigurationError(
            f"检查 {config.type}（{config.kwargs}）运行出错：{errors[0].get('exception_message')}"
        )


def _failure(result: ExpectationValidationResult) -> Failure:
    config = _config(result)
    if config.type not in MESSAGES:
        raise SuiteConfigurationError(f"检查 {config.type} 没有对应的问题说明")
    return Failure(
        type=config.type,
        kwargs=config.kwargs,
        meta=config.meta or {},
        description=config.description or "",
        warning=getattr(config.severity, "value", config.severity) == "warning",
    )


USCC_CHECK = "expect_column_values_to_be_valid_uscc"
EXCEPTION_NOTE = "；该代码列在统一社会信用代码例外名单中，仅作提示，不拒收"


def suite_problems(
    parsed: ParsedSubmission,
    *,
    docs_dir: Path | None = None,
    data_docs: bool = False,
    uscc_exceptions: frozenset[str] = frozenset(),
) -> list[RowProblem]:
    """Every problem the kind's suite finds, one per failing (row, column), in row then column order.

    A USCC on ``uscc_exceptions`` (normalised) that fails its check is a warning, not an error (identifiers.md).

    Data Docs: with ``docs_dir``, a file with any problem (the reader's or the suite's) gets its GX Data Docs site
    in ``gx.data_docs_site(docs_dir, parsed.file_name)``, and so does every file when ``data_docs`` is set;
    a clean file gets none by default (a site is about 4 MB). ``data_docs`` without ``docs_dir`` is an error.
    Raises ``SuiteConfigurationError`` when the suite itself is broken.
    """
    from zgc_pipeline.quality.gx import data_docs_site, keep_data_docs, run_suite, site_name  # GX when called

    if data_docs and docs_dir is None:
        raise ValueError("data_docs 需要 docs_dir：Data Docs 写在哪个目录")
    frame = check_frame(parsed)
    suite = load_suite(parsed.kind)
    outcome = run_suite(suite, frame, run_name=site_name(parsed.file_name))
    sheet = Sheet(
        spec=parsed.spec,
        frame=frame,
        raw=parsed.raw.reindex(parsed.frame.index)[parsed.checked_positions].reset_index(drop=True),
        headers=parsed.headers,
    )
    already = {(p.row, p.column) for p in parsed.problems}
    order = {f.key: i for i, f in enumerate(parsed.spec.fields)}
    found: dict[tuple[int, int, str, str], RowProblem] = {}
    for result in outcome.results:
        _raise_if_errored(result)
        if result.success:
            continue
        failure = _failure(result)
        column = sheet.header(failure.column)
        severity = Severity.WARNING if failure.warning else Severity.ERROR
        for index in result.result.get("unexpected_index_list") or []:
            position = int(index)
            row = sheet.row(position)
            if (row, column) in already:
                continue
            text = problem_text(failure, sheet, position)
            if failure.type == USCC_CHECK and sheet.value(failure.column, position) in uscc_exceptions:
                text, severity = text + EXCEPTION_NOTE, Severity.WARNING
            found[(row, order[failure.column], text, severity)] = RowProblem(
                sheet=parsed.sheet,
                row=row,
                column=column,
                value=sheet.sent(failure.column, position),
                problem=text,
                severity=severity,
            )
    problems = [found[k] for k in sorted(found)]
    if docs_dir is not None and (data_docs or problems or parsed.problems):
        keep_data_docs(suite, outcome, data_docs_site(docs_dir, parsed.file_name))
    return problems
