"""The Airflow plugin: pages under ``/zgc`` for the bureau and the operator (``plugin.py``, ``app.py``).

Imports Airflow; ``zgc_pipeline`` never imports this package. The pages read the ledger through
``zgc_pipeline.overview`` only.
"""
