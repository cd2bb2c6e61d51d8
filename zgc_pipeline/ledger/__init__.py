"""The ledger: the pipeline's state in SQLite or PostgreSQL (SQLAlchemy Core, Alembic migrations).

Every step opens it, reads what it needs and writes its result in one transaction. Only ``cycle`` and the
command line open it; the rules and the allocation never see it. Money is stored as integer fen.
"""

from zgc_pipeline.ledger.entries import (
    CheckedOutcome,
    InputKeys,
    LedgerError,
    Reopening,
    ResultTotals,
    SignOff,
    SubmissionInfo,
    SubmissionStatus,
    YearInputs,
)
from zgc_pipeline.ledger.ledger import Ledger

__all__ = [
    "CheckedOutcome",
    "InputKeys",
    "Ledger",
    "LedgerError",
    "Reopening",
    "ResultTotals",
    "SignOff",
    "SubmissionInfo",
    "SubmissionStatus",
    "YearInputs",
]
