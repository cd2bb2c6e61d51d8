"""Reconciliation and the subsidy rules R1–R6 and R9: the year's accepted rows → a ``claims.Settlement``.

Pure functions over ``records`` and ``claims`` types, exact ``Decimal`` money, no I/O. ``cycle``, the CLI and
the tests call ``settle``; the allocation (R7–R8) takes its ``Settlement`` from here.
"""

from zgc_pipeline.rules.amounts import premium_subsidy, valuation_support
from zgc_pipeline.rules.settlement import settle

__all__ = ["premium_subsidy", "settle", "valuation_support"]
