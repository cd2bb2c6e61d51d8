"""预算测算: budgets as the command line reads them, the current budget's scenario at once, a Chinese 400 for
every number that is not one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.unit.ui.page_figures import figures

Login = Callable[[str | None], TestClient]


@pytest.mark.parametrize("budget", ["10万", "100,000.00", "¥100000", "100000元"])
def test_budgets_are_read_as_the_command_line_reads_them(login: Login, budget: str) -> None:
    response = login("viewer").get("/zgc/years/2020/simulate", params={"budget": budget})
    assert response.status_code == 200
    assert figures(response.text)["approved_total"] == ["97,000.00"]


def test_the_current_budget_is_simulated_on_arrival(login: Login) -> None:
    shown = figures(login("viewer").get("/zgc/years/2020/simulate").text)
    assert shown["approved_total"] == ["60,000.00"]  # 2020's budget, no button pressed


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/zgc/years/2020/simulate?budget=1e999", "无法识别的金额“1e999”"),
        (f"/zgc/years/2020/simulate?budget={'9' * 30}", "超出可记录的范围"),
        (f"/zgc/years/2020/simulate?budget={'9' * 20}", "超出台账可记录的范围"),
        ("/zgc/years/2020/simulate?budget=很多", "无法识别的金额“很多”"),
        ("/zgc/years/2020?page=99999999999999999999", "页码"),
        ("/zgc/years/2020?page=0", "页码"),
        ("/zgc/years/99999999999999999999", "年度"),
        ("/zgc/years/99999999999999999999/submissions", "年度"),
        ("/zgc/years/2020/files/99999999999999999999/quality/", "文件编号"),
        ("/zgc/years/abc", "年度"),
    ],
)
def test_a_number_that_is_not_one_is_a_chinese_400(login: Login, path: str, said: str) -> None:
    response = login("viewer").get(path)
    assert response.status_code == 400
    assert said in response.text and "请求有误" in response.text
    assert "Input should be" not in response.text and "Internal Server Error" not in response.text
