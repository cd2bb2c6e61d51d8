"""What the pipeline hands over: the payout workbook, manifest, rejection reports, review packet, evaluation pack.

Every file is written whole or not at all (``atomic_write``) and byte-identical for the same inputs. Imported by
the year's steps (``cycle``) and the ``zgc`` command; imports only the shared domain types, never Airflow.
"""

from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.evaluation import EvaluationYear, write_evaluation_pack
from zgc_pipeline.outputs.manifest import (
    InputFile,
    Manifest,
    SignOff,
    SkippedEntry,
    VoidedDelivery,
    verify_delivery,
    write_manifest,
)
from zgc_pipeline.outputs.payout import ResultAbout, write_payout_workbook
from zgc_pipeline.outputs.rejections import write_rejection_report
from zgc_pipeline.outputs.review_packet import write_review_packet

__all__ = [
    "EvaluationYear",
    "InputFile",
    "Manifest",
    "ResultAbout",
    "SignOff",
    "SkippedEntry",
    "VoidedDelivery",
    "atomic_write",
    "verify_delivery",
    "write_evaluation_pack",
    "write_manifest",
    "write_payout_workbook",
    "write_rejection_report",
    "write_review_packet",
]
