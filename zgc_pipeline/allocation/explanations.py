"""核定说明 of each decision, rendered from the decision's columns when it is needed (the ledger, the payout
workbook, the checksum) rather than carried as a text of its own through the allocation."""

from __future__ import annotations

import pandas as pd

from zgc_pipeline.allocation.verdicts import leftover_note


def decision_explanations(decisions: pd.DataFrame) -> pd.Series:
    """The line's own 核定说明, "；", the project's verdict, and R8.7's note where the line took leftover fen: the
    text 明细's 核定说明 shows and the checksum hashes."""
    own, verdict = decisions["line_explanation"].astype("str"), decisions["verdict"].astype("str")
    return own + "；" + verdict + decisions["leftover_fen"].map(leftover_note).astype("str")
