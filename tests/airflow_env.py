"""One throw-away Airflow home for the whole test session, set before anything imports Airflow."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

if "ZGC_TEST_AIRFLOW_HOME" not in os.environ:
    os.environ["ZGC_TEST_AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="zgc-test-airflow-")
    os.environ["AIRFLOW_HOME"] = os.environ["ZGC_TEST_AIRFLOW_HOME"]
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["ZGC_TASK_RETRIES"] = "0"
    os.environ["ZGC_SCORES_POKE_SECONDS"] = "1"  # the waiting test drops the scores in while the run waits
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    # Airflow's own default is 16 random bytes: too short to sign HS512 tokens (RFC 7518 §3.2), as PyJWT warns
    os.environ["AIRFLOW__API_AUTH__JWT_SECRET"] = secrets.token_urlsafe(64)

AIRFLOW_HOME = Path(os.environ["AIRFLOW_HOME"])
DAGS_FOLDER = PROJECT_ROOT / "dags"

# Airflow sets up its logging on first import: do it now, while the session's own output streams are in place,
# rather than inside a test whose captured stream is closed when the test ends.
import airflow.settings  # noqa: E402,F401
