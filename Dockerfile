# The image every Airflow service of docker-compose.yaml runs: Airflow's official image plus this project's
# package, installed with the project's own pins (constraints.txt pins apache-airflow to the base image's version).
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

USER airflow
WORKDIR /opt/zgc/src
# Great Expectations sends no usage statistics from the pipeline's checks, wherever the image runs.
ENV GX_ANALYTICS_ENABLED=False

# Dependencies first, so a code change does not reinstall them.
COPY --chown=airflow:0 pyproject.toml constraints.txt README.md ./
COPY --chown=airflow:0 zgc_pipeline/ zgc_pipeline/
COPY --chown=airflow:0 zgc_airflow/ zgc_airflow/
# The GX suites and the default policy are read beside the package (zgc_pipeline/settings.py PROJECT_ROOT),
# so the package is installed from this tree (editable) rather than as a wheel, which would leave them behind.
COPY --chown=airflow:0 expectations/ expectations/
COPY --chown=airflow:0 include/ include/
COPY --chown=airflow:0 deploy/ deploy/
RUN pip install --no-cache-dir -c constraints.txt -e '.[airflow]' \
    && python -c "from zgc_pipeline.quality.suites import SUITES_DIR as s; from zgc_pipeline.policy import load_policy; assert s.is_dir(); load_policy()"

# The DAG file is the only thing Airflow loads from the dags folder; it is baked in and may be mounted over.
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
WORKDIR /opt/airflow
