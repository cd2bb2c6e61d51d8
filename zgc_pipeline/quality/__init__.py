"""Data quality of what people send: the GX suites in ``expectations/``, custom expectations, failures → problems.

Importing this package does not import great_expectations (seconds and ~150 MB): only calling
``suite_problems`` or ``build_data_docs`` does, so DAG files may import it at parse time.
"""

from zgc_pipeline.quality.gx import build_data_docs, data_docs_index, data_docs_site
from zgc_pipeline.quality.suites import SuiteConfigurationError
from zgc_pipeline.quality.validation import suite_problems

__all__ = ["SuiteConfigurationError", "build_data_docs", "data_docs_index", "data_docs_site", "suite_problems"]
