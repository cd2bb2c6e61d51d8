"""Running a suite over a frame with Great Expectations in memory, and keeping a file's Data Docs when wanted.

Every function here imports ``great_expectations`` when called, never at module import time: the import costs
seconds and ~150 MB, and the DAG files import the quality package at parse time.

A validation always runs in an ephemeral, in-memory context. Data Docs (about 4 MB of HTML and static files per
site, styled from public CDNs) are built afterwards, only for the files that need them (``keep_data_docs``): each
file has its own site, a folder named by the file (``data_docs_site``) holding ``index.html`` and, under
``gx-stores/``, the results kept so far, so a file validated again adds a run to its site. No
``great_expectations.yml`` is written, so parallel tasks cannot corrupt one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext

COMPLETE = {"result_format": "COMPLETE"}  # every failing row's index, not a sample
SITE_NAME = "submission"
STORES = "gx-stores"  # inside a site's folder: the suites and results its pages are built from
SITE_NAME_LENGTH = 60
_UNSAFE = re.compile(r"[^\w.\-]+")  # \w: letters (Chinese included), digits, underscore


def data_docs_site(docs_dir: Path, file_name: str) -> Path:
    """The folder of a submitted file's Data Docs under ``docs_dir``, named ``site_name(file_name)``."""
    return docs_dir / site_name(file_name)


def site_name(file_name: str) -> str:
    """A submitted file's name as GX may use it, for its site's folder and its runs' names in the stores: the
    file's name where it is safe (``贷款信息_2020.xlsx``), else a safe short form of it with a checksum of the
    whole name. Any name a file system allows comes out safe: GX refuses a store key holding ``/`` or ``\\``, and a
    ``..`` would lead out of the stores' folder."""
    name = Path(file_name).name
    safe = _UNSAFE.sub("_", name).lstrip(".")[:SITE_NAME_LENGTH] or "file"
    if safe != name:
        safe += "-" + hashlib.sha256(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return safe


def data_docs_index(site: Path) -> Path:
    """A site's home page (it exists once the site has been built)."""
    return site / "index.html"


def _context(site: Path | None) -> AbstractDataContext:
    """An ephemeral context without progress bars or analytics; in memory, or keeping ``site``'s stores on disk."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    progress = ProgressBarsConfig(globally=False, metric_calculations=False)
    if site is None:
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=progress,
            analytics_enabled=False,
        )
    else:
        target = str(site.resolve())
        config = DataContextConfig(
            store_backend_defaults=FilesystemStoreBackendDefaults(root_directory=str(site.resolve() / STORES)),
            data_docs_sites={
                SITE_NAME: {
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": target},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                }
            },
            progress_bars=progress,
            analytics_enabled=False,
        )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suite(suite: ExpectationSuite, frame: pd.DataFrame, *, run_name: str) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` against ``suite`` in memory with COMPLETE results, the run named ``run_name``.

    Through a validation definition, which takes the batch once (``Batch.validate`` takes it, and so fingerprints
    the whole frame, a second time).
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(None)
    source = context.data_sources.add_or_update_pandas(name="submissions")
    asset = source.add_dataframe_asset(name=suite.name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_file")
    stored_suite = context.suites.add_or_update(suite)  # into the context's store, never back to expectations/
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite.name}_file", data=batch_definition, suite=stored_suite)
    )
    return definition.run(
        batch_parameters={"dataframe": frame}, result_format=COMPLETE, run_id=RunIdentifier(run_name=run_name)
    )


def keep_data_docs(suite: ExpectationSuite, result: ExpectationSuiteValidationResult, site: Path) -> Path:
    """Keep ``result`` (of ``suite``) in ``site``'s stores and build its pages and the site's index; the index."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = _context(site)
    context.suites.add_or_update(suite)
    suite_id = ExpectationSuiteIdentifier(name=suite.name)
    result_id = ValidationResultIdentifier(
        expectation_suite_identifier=suite_id, run_id=result.meta["run_id"], batch_identifier=result.batch_id
    )
    context.validation_results_store.store_validation_results(result, result_id, suite_id)
    context.build_data_docs(resource_identifiers=[suite_id], build_index=False)  # the suite's page
    context.build_data_docs(resource_identifiers=[result_id])  # this run's page, and the index of every run kept
    return data_docs_index(site)


def build_data_docs(site: Path) -> Path:
    """Rebuild a site's HTML from every result kept in it; return its index page."""
    _context(site).build_data_docs()
    return data_docs_index(site)
