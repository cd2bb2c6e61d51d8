from tests import airflow_env  # noqa: F401  (sets the Airflow home before Airflow is imported)
