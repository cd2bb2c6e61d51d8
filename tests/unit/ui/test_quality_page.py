"""数据质量报告 in Chinese: what the pipeline found in a file, the checks it passed; GX's page for technicians."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.pilot_years import PilotYears
from tests.unit.ui.page_figures import figures
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.overview import data_docs_page, data_docs_site

Login = Callable[[str | None], TestClient]


def _file(pilot_years: PilotYears, name: str):  # type: ignore[no-untyped-def]
    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:
        found = next(f for f in ledger.submissions(2020) if f.file_name == name)
        return found, ledger.file_problems(found.id)


def test_a_file_with_problems_reads_in_chinese(login: Login, pilot_years: PilotYears) -> None:
    refused, problems = _file(pilot_years, "丁保险_保单信息表.xlsx")
    html = login("viewer").get(f"/zgc/years/2020/files/{refused.id}/quality/").text
    shown = figures(html)
    assert ["".join(line.split()) for line in shown["problem"]] == [  # 工作表 · 行 · 列 · 值 · 问题 · 级别
        "".join(f"{p.sheet}{p.row}{p.column}{p.value}{p.problem}{'错误' if p.severity == 'error' else '提示'}".split())
        for p in problems
    ]
    assert shown["rows_read"] == ["1"] and shown["rows_refused"] == ["1"]
    checks = dict(zip(shown["check_field"], shown["check_result"], strict=True))
    assert checks["保费（元）"] == "发现 1 处问题"
    assert checks["保单号"] == "通过"
    assert "为必填项" not in html and "不为空" in html  # checks are said as what they ask, not as failures
    for english in ("Expectation", "expect_column", "premium_paid_date", "Subscribe", "Great Expectations"):
        assert english not in html
    site = data_docs_site(pilot_years.out, refused)
    assert site is not None
    technical = data_docs_page(site).relative_to(site).as_posix()
    assert "技术明细（英文）" in html and quote(technical) in html


def test_a_clean_file_lists_the_checks_it_passed(login: Login, pilot_years: PilotYears) -> None:
    clean, problems = _file(pilot_years, "甲银行_贷款信息表.xlsx")
    assert problems == []
    html = login("viewer").get(f"/zgc/years/2020/files/{clean.id}/quality/").text
    shown = figures(html)
    assert "problem" not in shown and shown["no_problems"] == ["未发现问题。"]
    assert set(shown["check_result"]) == {"通过"}
    assert "贷款合同编号" in shown["check_field"] and "技术明细（英文）" not in html
    assert shown["checks_passed"] == [f"{len(shown['check_field'])} / {len(shown['check_field'])}"]
