"""Custom Great Expectations checks for identifiers the pilot's files carry (shared/spec identifiers.md).

Importing this module registers the expectations with GX, so it must be imported before a suite that names them
is loaded (``suites.load_suite`` does that). It imports ``great_expectations`` at module level: only the quality
checks import it, inside the function that runs them, never anything the DAGs import at parse time.

The checks are those of ``identifiers``, done a whole column at a time (``identifier_columns``). Nulls are skipped
by GX (a missing value is the not-null expectation's business).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial

from zgc_pipeline.quality.identifier_columns import valid_patent_lists, valid_usccs


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    """True where a (normalised) USCC passes ``identifiers.uscc_problem``."""

    condition_metric_name = "column_values.valid_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return pd.Series(valid_usccs(column), index=column.index)


class ColumnValuesValidPatentList(ColumnMapMetricProvider):
    """True where every patent number of a ``;``-joined list passes ``identifiers.patent_problem``."""

    condition_metric_name = "column_values.valid_patent_list"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return pd.Series(valid_patent_lists(column), index=column.index)


class ExpectColumnValuesToBeValidUscc(ColumnMapExpectation):
    """Every 统一社会信用代码 in the column has 18 allowed characters and a correct check character."""

    map_metric = "column_values.valid_uscc"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)


class ExpectColumnValuesToBeValidPatentList(ColumnMapExpectation):
    """Every patent number in a list column has the right form and check digit (use with a 专利 row condition)."""

    map_metric = "column_values.valid_patent_list"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
