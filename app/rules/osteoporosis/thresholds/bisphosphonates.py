"""Thresholds of the bisphosphonate evaluation, drug-holiday and restart rules (rules.md §10).

Year thresholds are tested with calendar arithmetic (rules.md §0.3.2, D-BP): see
:meth:`app.snapshot.model.TherapyEpisode.covered_years_reached`.
"""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "BMD_LOSS_PCT",
    "BP_EVAL_INFUSIONS_ZOLEDRONATE",
    "BP_EVAL_YEARS_ORAL",
    "BP_FU_LEAD_MONTHS",
    "BP_MAX_INFUSIONS_ZOLEDRONATE",
    "BP_MAX_YEARS_ORAL",
    "EVALUATION_T_SCORE",
    "ZOLEDRONATE_HOLIDAY_START_MONTHS",
]

BP_EVAL_YEARS_ORAL = Threshold(
    name="BP_EVAL_Y_ORAL",
    value=5,
    unit="years",
    citation="rules.md §2 BP_EVAL_Y_ORAL, BP-EVAL-1; S4 Bijlage 8 «Alendroninezuur/Risedroninezuur 5 jaar»; S2",
)
BP_EVAL_INFUSIONS_ZOLEDRONATE = Threshold(
    name="BP_EVAL_Y_ZOL",
    value=3,
    unit="yearly infusions",
    citation="rules.md §2 BP_EVAL_Y_ZOL, BP-EVAL-1 (ZOL_COUNT = years); S4 Bijlage 8 «Zoledroninezuur 3 jaar»; S2",
)
BP_MAX_YEARS_ORAL = Threshold(
    name="BP_MAX_Y_ORAL",
    value=10,
    unit="years",
    citation="rules.md §2 BP_MAX_Y_ORAL, BP-MAX-1; S2 «alendronaat te continueren tot 10 jaar»; S4 «maximaal 2 "
    "behandelcycli»",
)
BP_MAX_INFUSIONS_ZOLEDRONATE = Threshold(
    name="BP_MAX_Y_ZOL",
    value=6,
    unit="yearly infusions",
    citation="rules.md §2 BP_MAX_Y_ZOL, BP-MAX-1; S2 «intraveneus zoledronaat tot 6 jaar»",
)
EVALUATION_T_SCORE = Threshold(
    name="BP/DMAB evaluation T-score",
    value=-2.5,
    unit="SD",
    citation="rules.md BP-HOLIDAY-1, BP-RESTART-1, DMAB-EVAL-1, DMAB-FU-1; S4 Bijlage 8 «T-scores >-2.5» (stop / "
    "consolidate) and «T-score ≤-2.5» (restart)",
)
BMD_LOSS_PCT = Threshold(
    name="BMD_LOSS_PCT",
    value=5,
    unit="% vs baseline",
    citation="rules.md §2 BMD_LOSS_PCT (strict >); S4 Bijlage 8 «geen botverlies >5% tov baseline»",
)
BP_FU_LEAD_MONTHS = Threshold(
    name="BP-FU-1 lead time",
    value=3,
    unit="months",
    citation="rules.md BP-FU-1 «within 3 months before due date: info» [NIS lead time]",
)
ZOLEDRONATE_HOLIDAY_START_MONTHS = Threshold(
    name="BP_HOLIDAY_START (zoledronate)",
    value=12,
    unit="months after the last infusion",
    citation="rules.md D-BP BP_HOLIDAY_START «last infusion + 12 months (zoledronate)» [NIS]; vignettes.md V30",
)
