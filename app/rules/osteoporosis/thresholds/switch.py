"""Thresholds of the switching rules (rules.md §9)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "BMD_LOSS_PCT",
    "BTM_BASELINE_BEFORE_START_DAYS",
    "BTM_CTX_DROP_PCT",
    "BTM_FOLLOWUP_FROM_MONTHS",
    "BTM_FOLLOWUP_TARGET_MONTHS",
    "BTM_FOLLOWUP_TO_MONTHS",
    "BTM_P1NP_DROP_PCT",
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

# --- SWITCH-ADH-1: bone-turnover markers at the start of an oral bisphosphonate and ~3 months later -------------

BTM_CTX_DROP_PCT = Threshold(
    name="BTM_CTX_DROP_PCT",
    value=31,
    unit="% decrease of s-CTX vs baseline (≥)",
    citation=(
        "rules.md §2 BTM_CTX_DROP_PCT; §9 SWITCH-ADH-1; C-31;"
        " S2 «Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst op goede compliantie»"
    ),
)
BTM_P1NP_DROP_PCT = Threshold(
    name="BTM_P1NP_DROP_PCT",
    value=20,
    unit="% decrease of P1NP vs baseline (≥)",
    citation=(
        "rules.md §2 BTM_P1NP_DROP_PCT; §9 SWITCH-ADH-1; C-31;"
        " S2 «Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst op goede compliantie»"
    ),
)
BTM_BASELINE_BEFORE_START_DAYS = Threshold(
    name="BTM baseline window",
    value=90,
    unit="days before the oral-bisphosphonate start (≤; up to and including the start day)",
    citation=(
        "[NIS] S2 «bij de start van de behandeling» gives no window; the catalog's pre-treatment lab age"
        " rules.md §2 LAB_MAX_AGE_D «90 before starting a drug» [NIS] is used. A sample after the start day is no"
        " baseline (the markers fall within days of the first dose) [NIS]"
    ),
)
BTM_FOLLOWUP_TARGET_MONTHS = Threshold(
    name="BTM follow-up target",
    value=3,
    unit="months after the oral-bisphosphonate start (calendar)",
    citation=(
        "rules.md §9 SWITCH-ADH-1 «3 months vs baseline»; §13 MON-BTM-1;"
        " S2 «bij de start van de behandeling met orale bisfosfonaten en 3 maanden later»"
    ),
)
BTM_FOLLOWUP_FROM_MONTHS = Threshold(
    name="BTM follow-up window, from",
    value=2,
    unit="months after the start (≥, calendar)",
    citation=(
        "[NIS] window around S2's «3 maanden later» (no tolerance in the seeds); the sample nearest 3 months is used"
    ),
)
BTM_FOLLOWUP_TO_MONTHS = Threshold(
    name="BTM follow-up window, to",
    value=6,
    unit="months after the start (≤, calendar)",
    citation=(
        "[NIS] window around S2's «3 maanden later» (no tolerance in the seeds); the sample nearest 3 months is used"
    ),
)
