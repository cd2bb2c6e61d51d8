"""核定说明 of each decision, rendered from the decision's columns when it is needed (the ledger, the payout
workbook, the checksum) rather than carried as a text of its own through the allocation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.ordering import Objects
from zgc_pipeline.allocation.verdicts import leftover_notes


def decision_explanations(decisions: pd.DataFrame) -> Objects:
    """The line's own 核定说明, "；", the project's verdict, and R8.7's note where the line took leftover fen: the
    text 明细's 核定说明 shows and the checksum hashes."""
    own = decisions["line_explanation"].to_numpy(dtype=object)
    verdict = decisions["verdict"].to_numpy(dtype=object)
    notes = leftover_notes(decisions["leftover_fen"].to_numpy(dtype=np.int64))
    return np.asarray(own + "；" + verdict + notes, dtype=object)
