"""The settlement rules R1–R6 and R9 (and the amounts R3, R5) on columns: the ledger's tables as pandas frames
in, the year's claim lines and refusals as frames out (``settle_frames``).

Integer fen and exact rate fractions, never a float; each rule a vectorised function named for its R-number
(``checks``, ``amounts``, ``duplicates``, ``years``) that sets a pass flag and a reason; the reasons and the
核定说明 rendered from those flags and the amounts.
"""

from zgc_pipeline.rules.explanations import render_explanations
from zgc_pipeline.rules.frames import HistoryFrames, SettlementFrames
from zgc_pipeline.rules.settlement import settle_frames

__all__ = ["HistoryFrames", "SettlementFrames", "render_explanations", "settle_frames"]
