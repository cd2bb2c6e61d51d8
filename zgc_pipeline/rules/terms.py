"""The policy file's rules as the columns need them: bounds and caps in integer fen, rates as exact fractions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from zgc_pipeline.money import decimal_ratio, format_rate, to_fen
from zgc_pipeline.policy import PilotPolicy


@dataclass(frozen=True, slots=True)
class Rate:
    """A 补贴比例 exactly: ``numerator / 10**places`` (0.70 → 70 / 10²), with its texts."""

    value: Decimal
    numerator: int
    places: int

    @classmethod
    def of(cls, value: Decimal) -> Rate:
        numerator, places = decimal_ratio(value)
        return cls(value, numerator, places)

    @property
    def stored(self) -> str:
        """As the ledger stores a rate (``str(Decimal)``): ``0.7``."""
        return str(self.value)

    @property
    def percent(self) -> str:
        """As the 核定说明 writes it: ``70%``."""
        return format_rate(self.value)


@dataclass(frozen=True, slots=True)
class Terms:
    """Everything the checks and amounts compare with, for one settlement year."""

    year: int
    pilot_years: tuple[int, ...]
    tier_bounds_fen: tuple[int, ...]  # a loan of f fen falls in the first tier whose bound is ≥ f (R3.1)
    tier_rates: tuple[Rate, ...]
    highest_bound: Decimal  # yuan, as R3.2's reason writes it
    premium_cap_fen: int
    payer_roles: frozenset[str]
    excluded_categories: frozenset[str]
    valuation_rate: Rate
    valuation_cap_fen: int
    valuer_roles: frozenset[str]

    @classmethod
    def of(cls, policy: PilotPolicy, year: int) -> Terms:
        return cls(
            year=year,
            pilot_years=policy.pilot_years,
            # fen ≤ bound (yuan) ⇔ fen ≤ ⌊bound × 100⌋, as fen are whole
            tier_bounds_fen=tuple(
                int((tier.max_loan_amount * 100).to_integral_value(rounding=ROUND_FLOOR)) for tier in policy.tiers
            ),
            tier_rates=tuple(Rate.of(tier.rate) for tier in policy.tiers),
            highest_bound=policy.tiers[-1].max_loan_amount,
            premium_cap_fen=to_fen(policy.premium_cap_per_project),
            payer_roles=policy.payer_roles,
            excluded_categories=policy.excluded_categories,
            valuation_rate=Rate.of(policy.valuation_rate),
            valuation_cap_fen=to_fen(policy.valuation_cap_per_project),
            valuer_roles=policy.valuer_roles,
        )
