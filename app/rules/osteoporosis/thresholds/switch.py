"""Thresholds of the switching rules (rules.md §9)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "BMD_LOSS_PCT",
    "DMAB_LONG_TERM_YEARS",
    "DMAB_RECENT_LOOKBACK",
    "DMAB_YEARS_PER_INJECTION",
    "FAILURE_MIN_THERAPY",
    "FAILURE_BBC_MIN_FRACTURES",
]

FAILURE_MIN_THERAPY = Threshold(
    name="D-FAIL minimum therapy",
    value=12,
    unit="months (≥, calendar)",
    citation=(
        "rules.md §9 SWITCH-FAIL-1;"
        " S4 Bijlage 2 «een nieuwe fractuur na tenminste 1 jaar therapie»; S2 «minstens 1 jaar»"
    ),
)
FAILURE_BBC_MIN_FRACTURES = Threshold(
    name="BBC failure: new fractures",
    value=2,
    unit="new fractures (≥)",
    citation="rules.md §9 SWITCH-FAIL-1; S2 «het ontstaan van 2 of meer nieuwe osteoporotische fracturen»",
)
BMD_LOSS_PCT = Threshold(
    name="BMD_LOSS_PCT",
    value=5,
    unit="% loss vs baseline (> , strict)",
    citation=(
        "rules.md §2 BMD_LOSS_PCT; §9 SWITCH-FAIL-1 «further BMD decrease … uses BMD_LOSS_PCT (> 5 %) [INF]»; C-21"
    ),
)
DMAB_RECENT_LOOKBACK = Threshold(
    name="SWITCH-DMAB-ROMO-1 lookback",
    value=18,
    unit="months since last denosumab (≤)",
    citation=(
        "rules.md §9 SWITCH-DMAB-ROMO-1 «denosumab was given within the last 18 months»; S2 rebound 6-18 maanden"
    ),
)
DMAB_LONG_TERM_YEARS = Threshold(
    name="SWITCH-DMAB-ROMO-1 long-term denosumab",
    value=2.5,
    unit="years (>)",
    citation="rules.md §9 SWITCH-DMAB-ROMO-1; S2 «langdurige therapie met denosumab (> 2.5-3 jaar)»",
)
DMAB_YEARS_PER_INJECTION = Threshold(
    name="D-DMAB years per injection",
    value=0.5,
    unit="years per 60 mg injection",
    citation="rules.md §1.2 D-DMAB «DMAB_YEARS = DMAB_COUNT × 0.5»",
)
