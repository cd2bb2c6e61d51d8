"""The suites in expectations/ stay in step with fields.py, load whole, and a broken suite stops the run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from quality_builder import clean_rows, parsed_submission

from zgc_pipeline.quality import SuiteConfigurationError, suite_problems, validation
from zgc_pipeline.quality.messages import MESSAGES
from zgc_pipeline.quality.suites import SUITES_DIR, load_suite, load_suite_file, read_suite_json, suite_path
from zgc_pipeline.submissions.fields import KIND_SPECS, ROLE_NAMES, FieldType, SubmissionKind

KINDS = list(SubmissionKind)


def expectations(kind: SubmissionKind, type_: str) -> list[dict[str, Any]]:
    return [e for e in read_suite_json(suite_path(kind))["expectations"] if e["type"] == type_]


def columns_with(kind: SubmissionKind, type_: str, **kwargs: Any) -> set[str]:
    """Columns an unconditional expectation of ``type_`` checks, whose kwargs include ``kwargs``."""
    return {
        e["kwargs"]["column"]
        for e in expectations(kind, type_)
        if "row_condition" not in e["kwargs"] and kwargs.items() <= e["kwargs"].items()
    }


@pytest.mark.parametrize("kind", KINDS)
def test_one_suite_file_per_kind(kind: SubmissionKind) -> None:
    assert suite_path(kind) == SUITES_DIR / f"{kind.value}.json"
    assert read_suite_json(suite_path(kind))["name"] == kind.value


@pytest.mark.parametrize("kind", KINDS)
def test_every_required_field_has_a_not_null_expectation(kind: SubmissionKind) -> None:
    required = {f.key for f in KIND_SPECS[kind].required_fields}
    assert required
    assert required <= columns_with(kind, "expect_column_values_to_not_be_null")


@pytest.mark.parametrize("kind", KINDS)
def test_every_uscc_field_has_the_uscc_expectation(kind: SubmissionKind) -> None:
    usccs = {f.key for f in KIND_SPECS[kind].fields if f.type is FieldType.USCC}
    assert usccs == columns_with(kind, "expect_column_values_to_be_valid_uscc")


@pytest.mark.parametrize("kind", KINDS)
def test_choices_are_the_fields_choices(kind: SubmissionKind) -> None:
    in_suite = {
        e["kwargs"]["column"]: tuple(e["kwargs"]["value_set"])
        for e in expectations(kind, "expect_column_values_to_be_in_set")
    }
    assert in_suite == {f.key: f.choices for f in KIND_SPECS[kind].fields if f.type is FieldType.CHOICE}


@pytest.mark.parametrize("kind", KINDS)
def test_every_money_field_must_be_above_zero(kind: SubmissionKind) -> None:
    money = {f.key for f in KIND_SPECS[kind].fields if f.type is FieldType.MONEY}
    assert money == columns_with(kind, "expect_column_values_to_be_between", min_value=0, strict_min=True)


@pytest.mark.parametrize("kind", KINDS)
def test_the_key_is_unique_after_normalising(kind: SubmissionKind) -> None:
    """Except in a claim file: a repeated policy or valuation row is R6.1's business (the first identical row is
    the claim line; repeats that disagree are all refused), not a data error that would refuse every copy."""
    key = KIND_SPECS[kind].key
    if KIND_SPECS[kind].voucher_field is not None:
        assert expectations(kind, "expect_compound_columns_to_be_unique") == []
        assert expectations(kind, "expect_column_values_to_be_unique") == []
    elif len(key) == 1:
        checked = [e["kwargs"]["column"] for e in expectations(kind, "expect_column_values_to_be_unique")]
        assert checked == [f"_key_{key[0]}"]
    else:
        checked = [e["kwargs"]["column_list"] for e in expectations(kind, "expect_compound_columns_to_be_unique")]
        assert checked == [[f"_key_{k}" for k in key]]


def test_score_is_required_unless_recused() -> None:
    (conditional,) = [
        e
        for e in expectations(SubmissionKind.EXPERT_SCORES, "expect_column_values_to_not_be_null")
        if e["kwargs"]["column"] == "score"
    ]
    assert conditional["kwargs"]["row_condition"] == {
        "type": "comparison",
        "column": {"name": "recused"},
        "operator": "!=",
        "parameter": True,
    }


def test_registry_roles_are_the_five_role_names() -> None:
    (roles,) = [
        e
        for e in expectations(SubmissionKind.REGISTRY, "expect_column_values_to_match_regex")
        if e["kwargs"]["column"] == "roles"
    ]
    pattern = re.compile(roles["kwargs"]["regex"])
    for name in ROLE_NAMES:
        assert pattern.match(name)
    assert pattern.match("银行;担保机构;知识产权服务机构;评估机构;保险公司")
    for wrong in ("律师事务所", "银行;", "银行;;保险公司", "银行，保险公司"):
        assert not pattern.match(wrong)


@pytest.mark.parametrize("kind", KINDS)
def test_every_expectation_type_has_a_message(kind: SubmissionKind) -> None:
    assert {e["type"] for e in read_suite_json(suite_path(kind))["expectations"]} <= MESSAGES.keys()


@pytest.mark.parametrize("kind", KINDS)
def test_each_suite_loads_every_expectation(kind: SubmissionKind) -> None:
    assert len(load_suite(kind).expectations) == len(read_suite_json(suite_path(kind))["expectations"])


def test_an_unknown_expectation_type_refuses_the_suite(tmp_path: Path) -> None:
    document = read_suite_json(suite_path(SubmissionKind.LOANS))
    document["expectations"].append(
        {"type": "expect_column_values_to_be_a_valid_uscc", "kwargs": {"column": "lender_uscc"}}
    )
    path = tmp_path / "loans.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        SuiteConfigurationError,
        match="列有 23 条检查，只加载了 22 条；无法识别：expect_column_values_to_be_a_valid_uscc",
    ):
        load_suite_file(path)


def test_an_expectation_that_errors_is_a_configuration_error_not_bad_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "loans.json"
    path.write_text(
        json.dumps(
            {
                "name": "loans",
                "expectations": [
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_field"}}
                ],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(validation, "load_suite", lambda kind: load_suite_file(path))
    with pytest.raises(SuiteConfigurationError, match="no_such_field"):
        suite_problems(parsed_submission(SubmissionKind.LOANS, clean_rows(SubmissionKind.LOANS, 1)))


def test_importing_the_package_does_not_import_great_expectations() -> None:
    code = "import sys, zgc_pipeline.quality; print('great_expectations' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3]
    )
    assert result.stdout.strip() == "False"


def test_the_suite_files_are_not_rewritten_by_a_run(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in SUITES_DIR.glob("*.json")}
    suite_problems(
        parsed_submission(SubmissionKind.VALUATIONS, clean_rows(SubmissionKind.VALUATIONS, 2)),
        docs_dir=tmp_path,
        data_docs=True,
    )
    assert {p.name: p.read_bytes() for p in SUITES_DIR.glob("*.json")} == before
