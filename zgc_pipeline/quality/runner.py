"""Running a suite over a frame with Great Expectations, in memory or with results and Data Docs on disk.

Every function here imports ``great_expectations`` when called, never at module import time: the import costs
seconds and ~150 MB, and the DAG files import the quality package at parse time.

With a ``docs_dir`` the context is ephemeral (no ``great_expectations.yml`` is written, so parallel tasks cannot
corrupt one) but its stores are folders under ``docs_dir``: each run's results are kept there and the HTML Data
Docs are rebuilt from all the results kept so far. The Data Docs index is ``data_docs_index(docs_dir)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext

COMPLETE = {"result_format": "COMPLETE"}  # every failing row's index, not a sample
_DOCS_SITE = "local_site"  # the site FilesystemStoreBackendDefaults configures


def data_docs_index(docs_dir: Path) -> Path:
    """Where the Data Docs home page of a ``docs_dir`` is (it exists once a validation has run there)."""
    return docs_dir / "uncommitted" / "data_docs" / _DOCS_SITE / "index.html"


def _context(docs_dir: Path | None) -> AbstractDataContext:
    """An ephemeral context without progress bars or analytics; its stores on disk under ``docs_dir`` if given."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    stores = (
        InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
        if docs_dir is None
        else FilesystemStoreBackendDefaults(root_directory=str(docs_dir.resolve()))
    )
    config = DataContextConfig(
        store_backend_defaults=stores,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suite(
    suite: ExpectationSuite, frame: pd.DataFrame, *, run_name: str, docs_dir: Path | None = None
) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` against ``suite`` with COMPLETE results; with ``docs_dir``, keep them and build the docs.

    Through a validation definition, which takes the batch once (``Batch.validate`` takes it, and so fingerprints
    the whole frame, a second time).
    """
    import great_expectations as gx

    context = _context(docs_dir)
    source = context.data_sources.add_or_update_pandas(name="submissions")
    asset = source.add_dataframe_asset(name=suite.name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_file")
    stored_suite = context.suites.add_or_update(suite)  # into the context's store, never back to expectations/
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite.name}_file", data=batch_definition, suite=stored_suite)
    )
    if docs_dir is None:
        return definition.run(batch_parameters={"dataframe": frame}, result_format=COMPLETE)
    return _run_and_keep(context, suite, definition, frame, run_name)


def _run_and_keep(
    context: AbstractDataContext, suite: ExpectationSuite, definition: Any, frame: pd.DataFrame, run_name: str
) -> ExpectationSuiteValidationResult:
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{suite.name}_check",
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format=COMPLETE,
        )
    )
    outcome = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name))
    (result,) = outcome.run_results.values()
    return result


def build_data_docs(docs_dir: Path) -> Path:
    """Rebuild the HTML Data Docs from every result kept under ``docs_dir``; return the index page."""
    _context(docs_dir).build_data_docs()
    return data_docs_index(docs_dir)
