"""The benchmark years: ``write_bulk_year`` output cached under ``benchmarks/.data/<size>-seed<seed>/``.

A year is written once and reused by later runs (its description file marks it complete), so repeated runs time
the pipeline and not the generator.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from zgc_pipeline.samples.bulk import write_bulk_year
from zgc_pipeline.samples.year import SampleYear

DATA_DIR = Path(__file__).resolve().parent / ".data"
YEAR = 2020
DESCRIPTION = "year.json"


def cached_year(projects: int, *, seed: int = 1, data_dir: Path = DATA_DIR) -> SampleYear:
    """The bulk year of ``projects`` projects for ``seed``, generated on first use."""
    folder = data_dir / f"{projects}-seed{seed}"
    described = folder / DESCRIPTION
    if not described.is_file():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        sample = write_bulk_year(partial, projects=projects, year=YEAR, seed=seed)
        (partial / DESCRIPTION).write_text(
            json.dumps(
                {
                    "projects": projects,
                    "seed": seed,
                    "year": YEAR,
                    "budget": str(sample.budget),
                    "description": sample.description,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    about = json.loads(described.read_text(encoding="utf-8"))
    return SampleYear(
        inbox=folder / "inbox",
        registry=folder / "试点单位名录.xlsx",
        scores=folder / f"{YEAR}年度专家评分表.xlsx",
        budget=Decimal(about["budget"]),
        description=about["description"],
    )


def year_folder(sample: SampleYear) -> Path:
    return sample.inbox.parent
