"""项目编号 as shown in 明细, 未通过 and the ranking: the 贷款合同编号 in half-width, as its key is compared, so a
bank that typed ``ＪＫ２０２０－００１`` in full-width sees ``JK2020-001`` (identifiers.md: the case is kept)."""

from __future__ import annotations

from rules_factories import loan, policy_row, run, valuation


def test_full_width_project_numbers_are_shown_half_width_in_lines_and_refusals() -> None:
    settlement = run(
        loans=[loan("ＪＫ２０２０－００１"), loan("ｊｋ２０２０－００２", "20000000.00")],
        policies=[
            policy_row("P1", "JK2020-001"),  # the insurer typed it half-width: the same project
            policy_row("P2", "ｊｋ２０２０－００２"),  # a loan above the highest tier: refused under R3.2
            policy_row("P3", "ＪＫ２０２０－００９"),  # no such loan: refused under R2.1, as the row gives it
        ],
        valuations=[valuation("V1", "ＪＫ２０２０－００１")],
    )
    assert [(line.voucher_no, line.project_no) for line in settlement.lines] == [
        ("P1", "JK2020-001"),
        ("V1", "JK2020-001"),
    ]
    assert [(r.voucher_no, r.project_no, r.rule) for r in settlement.refusals] == [
        ("P2", "jk2020-002", "R3.2"),
        ("P3", "JK2020-009", "R2.1"),
    ]
