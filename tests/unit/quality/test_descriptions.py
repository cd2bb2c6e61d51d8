"""Every check of every suite in ``expectations/`` is said in Chinese on the 数据质量报告 page, under its field."""

from __future__ import annotations

import pytest

from zgc_pipeline.quality.descriptions import suite_checks
from zgc_pipeline.quality.suites import read_suite_json, suite_path
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind


@pytest.mark.parametrize("kind", list(SubmissionKind))
def test_every_check_of_the_suite_is_described_under_a_field(kind: SubmissionKind) -> None:
    spec = KIND_SPECS[kind]
    checks = suite_checks(spec)
    assert sum(map(len, checks.values())) == len(read_suite_json(suite_path(kind))["expectations"])
    assert list(checks) == [f.key for f in spec.fields if f.key in checks]  # the template's order
    for texts in checks.values():
        assert all(text and not text.isascii() for text in texts)


def test_what_the_loans_checks_ask() -> None:
    checks = suite_checks(KIND_SPECS[SubmissionKind.LOANS])
    assert checks["loan_amount"] == ["必填，不为空", "大于0"]
    assert checks["maturity_date"] == ["必填，不为空", "晚于放款日期"]
    assert checks["pledge_effective_date"] == ["必填，不为空", "不晚于放款日期（仅提示）"]  # said from its side
    assert checks["ip_numbers"][1] == "专利号格式与校验位正确（质押知识产权类型为“专利”时）"
    assert checks["loan_contract_no"] == ["必填，不为空", "在本文件中不重复"]
    scores = suite_checks(KIND_SPECS[SubmissionKind.EXPERT_SCORES])
    assert scores["score"] == ["必填，不为空（是否回避不为“是”时）", "不小于0且不大于100"]  # hundredths as points
