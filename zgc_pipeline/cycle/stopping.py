"""R6.3: a run stopped by its checks before anything was settled leaves nothing behind but the record of its attempt.

What it received is taken back out of the ledger (the archive keeps the raw files: it is content-addressed), the
year's rejection reports are published again from what the ledger now holds (so the run's own go), its files'
Data Docs are removed, and so is any folder of the year that is left empty.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from zgc_pipeline.cycle.config import CycleConfig, CycleError
from zgc_pipeline.cycle.intake import data_docs_dir
from zgc_pipeline.cycle.reports import REPLACED, publish_rejection_reports, rejections_folder
from zgc_pipeline.ledger import Ledger


def stopped_run(cfg: CycleConfig, ledger: Ledger, reason: str) -> CycleError:
    """Undo what the year's run under way received, record why it stopped; the error to raise."""
    removed = ledger.stop_attempt(cfg.year, reason)
    publish_rejection_reports(cfg, ledger)
    for submission_id in removed:
        shutil.rmtree(data_docs_dir(cfg.out, cfg.year, submission_id), ignore_errors=True)
    rejections = rejections_folder(cfg.year_dir)
    for folder in (rejections / REPLACED, rejections, cfg.year_dir, cfg.data_docs_dir):
        _remove_if_empty(folder)
    return CycleError(reason)


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
