"""Sample years: the designed demo year (``zgc demo``, end-to-end tests) and bulk years for the benchmarks.

Writes files only; imports nothing from the pipeline but the shared field definitions, identifiers and money.
"""

from zgc_pipeline.samples.bulk import write_bulk_year
from zgc_pipeline.samples.year import SampleYear, write_sample_year

__all__ = ["SampleYear", "write_bulk_year", "write_sample_year"]
