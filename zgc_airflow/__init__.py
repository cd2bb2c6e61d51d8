"""The Airflow edge of the ``zgc`` command: runs the project's real DAGs in-process on the embedded default.

Kept apart from ``zgc_pipeline`` so the domain never imports Airflow; only ``zgc cycle``/``zgc demo`` and the
end-to-end tests come through here.
"""
