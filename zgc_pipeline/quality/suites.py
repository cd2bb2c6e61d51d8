"""The expectation suites, one per submission kind, loaded read-only from ``expectations/<kind>.json``.

The JSON files are the reviewed source of the checks; nothing at run time writes them. GX drops an expectation
whose type it does not know with only a log line, so loading counts what came back and refuses a suite that lost
anything: a typo in a suite must stop the run, not quietly stop checking.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zgc_pipeline.settings import PROJECT_ROOT
from zgc_pipeline.submissions.fields import SubmissionKind

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

SUITES_DIR = PROJECT_ROOT / "expectations"


class SuiteConfigurationError(Exception):
    """A suite is broken (unknown expectation, missing column, an expectation that errors): not the data's fault."""


def suite_path(kind: SubmissionKind, suites_dir: Path = SUITES_DIR) -> Path:
    return suites_dir / f"{kind.value}.json"


def read_suite_json(path: Path) -> dict[str, Any]:
    """The suite's JSON as written, for loading and for the tests that keep suites and fields.py in step."""
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def load_suite_file(path: Path) -> ExpectationSuite:
    """Build a suite from its JSON without any store; raise if GX dropped or rejected an expectation."""
    import great_expectations as gx

    import zgc_pipeline.quality.custom  # noqa: F401  (registers the custom expectations the suites name)

    document = read_suite_json(path)
    expected = len(document.get("expectations", []))
    try:
        suite = gx.ExpectationSuite(**document)
    except Exception as exc:  # GX raises many kinds for a malformed suite
        raise SuiteConfigurationError(f"检查规则文件 {path.name} 无法加载：{exc}") from exc
    loaded = len(suite.expectations)
    if loaded != expected:
        known = {e.expectation_type for e in suite.expectations}
        lost = sorted({e["type"] for e in document["expectations"]} - known)
        raise SuiteConfigurationError(
            f"检查规则文件 {path.name} 列有 {expected} 条检查，只加载了 {loaded} 条；无法识别：{'、'.join(lost)}"
        )
    return suite


def load_suite(kind: SubmissionKind, suites_dir: Path = SUITES_DIR) -> ExpectationSuite:
    return load_suite_file(suite_path(kind, suites_dir))
