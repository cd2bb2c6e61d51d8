"""The policy file: the shipped default is the spec's example, and every mistake names its key."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest

from zgc_pipeline.policy import DEFAULT_POLICY_FILE, PolicyError, load_policy, parse_policy

DEFAULT = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")


def test_the_shipped_default_sets_every_value_of_the_spec_example() -> None:
    """Each key of the policy example in the specification, with its value there (the file is a copy of it)."""
    policy = load_policy()
    assert policy.policy_id == "zgc-ip-pledge-financing-insurance-pilot"
    assert policy.pilot_years == (2019, 2020, 2021)
    assert [(t.max_loan_amount, t.rate) for t in policy.tiers] == [
        (Decimal(3_000_000), Decimal("0.7")),
        (Decimal(5_000_000), Decimal("0.5")),
        (Decimal(10_000_000), Decimal("0.3")),
    ]
    assert policy.premium_cap_per_project == Decimal(60000)
    assert policy.payer_roles == {"bank", "guarantor", "ip_service"}
    assert policy.excluded_categories == {"保证保险"}
    assert policy.valuation_rate == Decimal("0.15")
    assert policy.valuation_cap_per_project == Decimal(6000)
    assert policy.valuer_roles == {"valuer", "ip_service"}
    assert (policy.min_experts, policy.trim_when_at_least, policy.pass_score) == (3, 5, Decimal(60))
    assert policy.marginal == "partial"
    assert policy.sha256 == hashlib.sha256(DEFAULT_POLICY_FILE.read_bytes()).hexdigest()


def test_tier_bounds_are_inclusive() -> None:
    policy = load_policy()
    assert policy.tier_for(Decimal("3000000.00")).rate == Decimal("0.7")  # type: ignore[union-attr]
    assert policy.tier_for(Decimal("3000000.01")).rate == Decimal("0.5")  # type: ignore[union-attr]
    assert policy.tier_for(Decimal("10000000.01")) is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("policy_id:", "policy_idd:", "policy_idd: 未知的设置项"),
        ("  cap_per_project: 60000", "  cap_per_project: lots", "premium_subsidy.cap_per_project: 应为数字"),
        ("marginal: partial", "marginal: random", "allocation.marginal: 应为 partial | skip | stop"),
        ("{max_loan_amount: 5000000, rate: 0.50}", "{max_loan_amount: 2000000, rate: 0.50}", "严格递增"),
        ("rate: 0.15", "rate: 1.5", "valuation_support.rate: 比例应在0到1之间"),
        ("valuer_roles: [valuer, ip_service]", "valuer_roles: [appraiser]", "valuation_support.valuer_roles"),
        ("  min_experts: 3", "  min_experts: three", "allocation.min_experts: 应为整数"),
        ("rate: 0.15", "rate: -0.15", "valuation_support.rate: 应为非负数"),
        ("pass_score: 60", "pass_score: 600", "allocation.pass_score: 及格分不能高于满分100分"),
        ("  cap_per_project: 60000", "  cap_per_project: 600000000000", "premium_subsidy.cap_per_project: 应为大于0"),
        ("cap_per_project: 6000 ", "cap_per_project: 0 ", "valuation_support.cap_per_project: 应为大于0"),
        ("cap_per_project: 6000 ", "cap_per_project: 6000.001 ", "valuation_support.cap_per_project: 应为大于0"),
        ("pilot_years: [2019, 2020, 2021]", "pilot_years: [2019, 20200]", "pilot_years: 年份应在2000至2100之间"),
    ],
)
def test_mistakes_name_the_key(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(DEFAULT.replace(old, new, 1).encode())


def test_a_missing_key_is_an_error() -> None:
    with pytest.raises(PolicyError, match=r"allocation\.pass_score: 缺少该设置项"):
        parse_policy(DEFAULT.replace("  pass_score: 60", "").encode())


def test_checksum_follows_the_bytes() -> None:
    assert parse_policy(DEFAULT.encode()).sha256 != parse_policy((DEFAULT + "\n").encode()).sha256


def with_panel(panel: str) -> bytes:
    return DEFAULT.replace("  marginal: partial", f"  marginal: partial\n  panel: {panel}", 1).encode()


def test_the_panel_is_optional_and_read_as_text() -> None:
    assert load_policy().panel == ()
    assert parse_policy(with_panel('["E01", "E02", " 003 "]')).panel == ("E01", "E02", "003")
    assert parse_policy(with_panel("[]")).panel == ()


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        ("[E01, 2, E03]", "allocation.panel: 专家编号应为文本"),  # YAML reads 002 as the number 2
        ("[E01, E02, e01]", "allocation.panel: 专家编号重复：E01、e01"),
        ("[E01, E02]", "allocation.panel: 专家 2 人，少于 allocation.min_experts（3）"),
        ("[E01, '', E03]", "allocation.panel: 专家编号不能为空"),
        ("E01", "allocation.panel: 类型错误"),
    ],
)
def test_panel_mistakes_name_the_key(panel: str, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(with_panel(panel))


def test_a_malformed_file_names_the_line_and_column() -> None:
    broken = DEFAULT.replace("  pass_score: 60", "  pass_score: [60", 1)
    line = next(i for i, text in enumerate(broken.splitlines(), start=1) if "pass_score" in text)
    with pytest.raises(PolicyError) as error:
        parse_policy(broken.encode())
    message = str(error.value)
    assert message.startswith("政策文件第") and "列格式有误" in message
    assert f"第{line}行" in message or f"第{line + 1}行" in message  # YAML notices at the line or the next


def test_a_file_that_is_not_utf8_is_said_so() -> None:
    with pytest.raises(PolicyError, match="不是UTF-8编码"):
        parse_policy(DEFAULT.encode("gb18030"))
