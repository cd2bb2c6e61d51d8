"""The Zhongguancun IP pledge-financing insurance pilot's annual subsidy pipeline: the domain.

Never imports Airflow: the DAGs in ``dags/`` call into this package, as do the ``zgc`` command and the tests.
"""

__version__ = "0.1.0"
