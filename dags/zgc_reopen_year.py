"""
### 中关村知识产权质押融资保险试点 · 作废重开已签批年度 (`zgc_reopen_year`)

Voids a year's signed result so it can be corrected, the same as `zgc reopen --year Y --reason TEXT`:

1. `reopen_year` 作废重开 – records in the ledger who triggered it (the Airflow user), when and why; the year's
   payouts are voided (kept, for the new result's 差额 and for later years' caps until a new result is signed);
   the delivered folder `OUT/<year>/` moves whole, with its manifest, to `OUT/<year>/作废_<n>/`. Nothing is deleted.

Then put the corrected files in the year's inbox and trigger `zgc_annual_cycle` for the year: it settles the
year again and, once signed, writes a payout with a 差额 sheet per payee (new minus voided: 补拨 / 追回).

A DAG of its own rather than a Param of the annual cycle: reopening undoes a sign-off, so it is a separate,
deliberate act with its own record in Airflow (who triggered it, with which reason), and a deployment can let only
the bureau trigger it. It is refused for a year that is not signed, or when a later year was settled on it.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException


@dag(
    dag_id="zgc_reopen_year",
    dag_display_name="作废重开已签批年度（中关村知识产权质押融资保险试点）",
    schedule=None,
    start_date=pendulum.datetime(2020, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["zgc", "subsidy", "correction"],
    default_args={"owner": "zgc-data-engineering", "retries": 0},
    params={
        "year": Param(2020, type="integer", minimum=2000, maximum=2100, title="结算年度"),
        "reason": Param("", type="string", minLength=4, title="作废重开原因", description="记入台账和新的清单"),
        "out": Param(None, type=["null", "string"], title="输出目录", description="空 = ZGC_OUTPUT_ROOT"),
    },
)
def zgc_reopen_year() -> None:
    @task(task_display_name="作废重开")
    def reopen_year() -> dict[str, Any]:
        from pathlib import Path

        from zgc_airflow.connections import airflow_ledger_url
        from zgc_pipeline.cycle import CycleError
        from zgc_pipeline.cycle import reopen_year as reopen
        from zgc_pipeline.settings import load_settings

        context = get_current_context()
        params = context["params"]
        settings = load_settings()
        out = Path(params.get("out") or settings.output_root).resolve()
        who = context["dag_run"].triggering_user_name or "unknown"
        try:
            reopening = reopen(
                year=int(params["year"]),
                out=out,
                ledger_url=airflow_ledger_url() or settings.ledger_for(out),
                reason=str(params["reason"]),
                reopened_by=who,
            )
        except CycleError as exc:
            raise AirflowFailException(str(exc)) from exc
        return {
            "year": reopening.year,
            "number": reopening.number,
            "voided_result_sha256": reopening.voided_result_sha256,
            "voided_folder": str(out / str(reopening.year) / reopening.voided_folder),
        }

    reopen_year()


zgc_reopen_year()
