"""The pilot's rules as data (shared/spec policy.example.yaml), loaded and checked.

Unknown keys and bad values are errors naming the key, never ignored: a typo in the bureau's policy file must
not silently change who gets paid.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from zgc_pipeline.identifiers import normalise_key

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "include" / "policy.yaml"
MARGINAL_MODES = ("partial", "skip", "stop")
KNOWN_ROLES = ("bank", "guarantor", "ip_service", "valuer", "insurer")
MAX_CAP = Decimal(100_000_000)  # 1亿元 per project: far above any cap the plan could set, below any typo of zeros
MAX_SCORE = Decimal(100)  # scores are 0–100 (submissions.md §4)
MIN_YEAR, MAX_YEAR = 2000, 2100


class PolicyError(ValueError):
    """The policy file is wrong; the message names the key."""


@dataclass(frozen=True, slots=True)
class Tier:
    max_loan_amount: Decimal  # inclusive upper bound, yuan (R3.1)
    rate: Decimal


@dataclass(frozen=True, slots=True)
class PilotPolicy:
    policy_id: str
    pilot_years: tuple[int, ...]
    tiers: tuple[Tier, ...]
    premium_cap_per_project: Decimal
    payer_roles: frozenset[str]
    excluded_categories: frozenset[str]
    valuation_rate: Decimal
    valuation_cap_per_project: Decimal
    valuer_roles: frozenset[str]
    min_experts: int
    trim_when_at_least: int
    pass_score: Decimal
    marginal: str
    sha256: str  # of the file's bytes: travels with every result
    panel: tuple[str, ...] = ()  # allocation.panel: the experts' 专家编号, when the bureau has named them
    text: str = field(default="", compare=False, repr=False)  # the file as written: kept with each settled year

    def tier_for(self, loan_amount: Decimal) -> Tier | None:
        """R3.1/R3.2: the first tier whose inclusive bound holds the loan, or None above the highest."""
        for tier in self.tiers:
            if loan_amount <= tier.max_loan_amount:
                return tier
        return None


_SCHEMA: dict[str, Any] = {
    "policy_id": str,
    "pilot_years": list,
    "premium_subsidy": {
        "tiers": list,
        "cap_per_project": "decimal",
        "payer_roles": list,
        "excluded_categories": list,
    },
    "valuation_support": {"rate": "decimal", "cap_per_project": "decimal", "valuer_roles": list},
    "allocation": {
        "min_experts": int,
        "trim_when_at_least": int,
        "pass_score": "decimal",
        "marginal": str,
        "panel": list,
    },
}
_OPTIONAL = {"allocation.panel"}


def _check_keys(data: Any, schema: dict[str, Any], where: str) -> None:
    if not isinstance(data, dict):
        raise PolicyError(f"{where or '文件'}: 应为键值表")
    for key in data:
        if key not in schema:
            raise PolicyError(f"{where}{key}: 未知的设置项")
    for key, expected in schema.items():
        path = f"{where}{key}"
        if key not in data and path in _OPTIONAL:
            continue
        if key not in data:
            raise PolicyError(f"{path}: 缺少该设置项")
        value = data[key]
        if isinstance(expected, dict):
            _check_keys(value, expected, path + ".")
        elif expected == "decimal":
            _decimal(value, path)
        elif expected is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise PolicyError(f"{path}: 应为整数，实为 {value!r}")
        elif expected in (str, list) and not isinstance(value, expected):
            raise PolicyError(f"{path}: 类型错误，实为 {value!r}")


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PolicyError(f"{path}: 应为数字，实为 {value!r}")
    try:
        # YAML floats such as 0.70 are read through their shortest text form, which is exact for literals.
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise PolicyError(f"{path}: 应为数字，实为 {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise PolicyError(f"{path}: 应为非负数，实为 {value!r}")
    return number


def _roles(value: list[Any], path: str) -> frozenset[str]:
    unknown = [r for r in value if r not in KNOWN_ROLES]
    if unknown or not value:
        raise PolicyError(f"{path}: 角色应取自 {', '.join(KNOWN_ROLES)}，实为 {value!r}")
    return frozenset(value)


def _rate(value: Any, path: str) -> Decimal:
    rate = _decimal(value, path)
    if rate > 1:
        raise PolicyError(f"{path}: 比例应在0到1之间，实为 {value!r}")
    return rate


def _tiers(value: list[Any]) -> tuple[Tier, ...]:
    path = "premium_subsidy.tiers"
    if not value:
        raise PolicyError(f"{path}: 至少需要一档")
    tiers: list[Tier] = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, dict) or set(item) != {"max_loan_amount", "rate"}:
            raise PolicyError(f"{where}: 应为 {{max_loan_amount, rate}}，实为 {item!r}")
        tier = Tier(_decimal(item["max_loan_amount"], where + ".max_loan_amount"), _rate(item["rate"], where + ".rate"))
        if tiers and tier.max_loan_amount <= tiers[-1].max_loan_amount:
            raise PolicyError(f"{where}.max_loan_amount: 各档上限须严格递增（不得重叠或乱序）")
        tiers.append(tier)
    return tuple(tiers)


def _panel(value: list[Any], min_experts: int) -> tuple[str, ...]:
    """The experts' 专家编号 as text, each once, at least as many as R8.3 needs scores from; none named is ()."""
    path = "allocation.panel"
    numbers = [item for item in value if not isinstance(item, str)]
    if numbers:
        raise PolicyError(f'{path}: 专家编号应为文本（纯数字编号请加引号，如 "001"），实为 {numbers[0]!r}')
    experts = tuple(item.strip() for item in value)
    if not experts:
        return ()
    if "" in experts:
        raise PolicyError(f"{path}: 专家编号不能为空")
    counts = Counter(map(normalise_key, experts))
    repeated = [e for e in dict.fromkeys(experts) if counts[normalise_key(e)] > 1]
    if repeated:
        raise PolicyError(f"{path}: 专家编号重复：{'、'.join(repeated)}")
    if len(experts) < min_experts:
        raise PolicyError(f"{path}: 专家 {len(experts)} 人，少于 allocation.min_experts（{min_experts}）")
    return experts


def _yaml(raw: bytes) -> Any:
    """The file's YAML; a malformed one is refused naming the line and column where it goes wrong."""
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(f"政策文件不是UTF-8编码的文本（第{exc.start + 1}个字节起），请以UTF-8保存") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
        raise PolicyError(f"政策文件{where}格式有误（YAML：{exc.problem or exc.context}），请对照示例修改") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"政策文件格式有误（YAML：{exc}），请对照示例修改") from exc


def _cap(value: Any, path: str) -> Decimal:
    """A per-project cap: more than nothing, whole fen, and not absurd (a typo adding zeros must not pay out)."""
    cap = _decimal(value, path)
    if cap <= 0 or cap != cap.quantize(Decimal("0.01")) or cap > MAX_CAP:
        raise PolicyError(f"{path}: 应为大于0、不超过{MAX_CAP:,}元、精确到分的金额，实为 {value!r}")
    return cap


def parse_policy(raw: bytes) -> PilotPolicy:
    """Parse and check a policy file's bytes."""
    data = _yaml(raw)
    _check_keys(data, _SCHEMA, "")
    years = data["pilot_years"]
    if not years or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise PolicyError(f"pilot_years: 应为年份列表，实为 {years!r}")
    premium, valuation, allocation = data["premium_subsidy"], data["valuation_support"], data["allocation"]
    if allocation["marginal"] not in MARGINAL_MODES:
        raise PolicyError(f"allocation.marginal: 应为 {' | '.join(MARGINAL_MODES)}，实为 {allocation['marginal']!r}")
    if not all(MIN_YEAR <= year <= MAX_YEAR for year in years):
        raise PolicyError(f"pilot_years: 年份应在{MIN_YEAR}至{MAX_YEAR}之间，实为 {years!r}")
    if allocation["min_experts"] < 1 or allocation["trim_when_at_least"] < 3:
        raise PolicyError("allocation.min_experts 应≥1，allocation.trim_when_at_least 应≥3")
    pass_score = _decimal(allocation["pass_score"], "allocation.pass_score")
    if pass_score > MAX_SCORE:
        raise PolicyError(f"allocation.pass_score: 及格分不能高于满分{MAX_SCORE}分，实为 {allocation['pass_score']!r}")
    return PilotPolicy(
        policy_id=data["policy_id"],
        pilot_years=tuple(sorted(years)),
        tiers=_tiers(premium["tiers"]),
        premium_cap_per_project=_cap(premium["cap_per_project"], "premium_subsidy.cap_per_project"),
        payer_roles=_roles(premium["payer_roles"], "premium_subsidy.payer_roles"),
        excluded_categories=frozenset(str(c) for c in premium["excluded_categories"]),
        valuation_rate=_rate(valuation["rate"], "valuation_support.rate"),
        valuation_cap_per_project=_cap(valuation["cap_per_project"], "valuation_support.cap_per_project"),
        valuer_roles=_roles(valuation["valuer_roles"], "valuation_support.valuer_roles"),
        min_experts=allocation["min_experts"],
        trim_when_at_least=allocation["trim_when_at_least"],
        pass_score=pass_score,
        marginal=allocation["marginal"],
        sha256=hashlib.sha256(raw).hexdigest(),
        panel=_panel(allocation.get("panel", []), allocation["min_experts"]),
        text=raw.decode("utf-8"),
    )


def load_policy(path: Path | None = None) -> PilotPolicy:
    """Load the policy file (the shipped default when no path is given)."""
    source = path or DEFAULT_POLICY_FILE
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise PolicyError(f"无法读取政策文件 {source}: {exc.strerror}") from exc
    return parse_policy(raw)
