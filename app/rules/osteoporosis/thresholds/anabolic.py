"""Thresholds of the anabolic (bone-forming) therapy rules (rules.md §12).

Durations that are guideline parameters (``TPTD_MAX_M``, ``ROMO_MAX_M``, ``POST_ANABOLIC_AR_MIN_Y``,
``ROMO_NL_CRITERIA``) are read from :class:`~app.rules.parameters.GuidelineParameters`; the fixed numbers of the
criteria live here. Severe renal insufficiency (``EGFR_SEVERE``) and the romosozumab age (> 50) are the same
catalog values the contraindication rules use: they are imported from ``thresholds/safety.py``, not repeated.
"""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "ANABOLIC_END_GRACE",
    "PREVALENT_VF_FOR_THIRD_FRACTURE",
    "ROMO_PLAN_T_HIP_ONE_VF",
    "ROMO_PLAN_T_HIP_TWO_VF",
    "TPTD_BE_CHECK_AT",
    "TPTD_T_MIN",
    "VF_GRADE_MODERATE",
    "VF_GRADE_SEVERE",
]

ROMO_PLAN_T_HIP_ONE_VF = Threshold(
    name="ANABOLIC-1 hip T with ≥ 1 grade 2/3 VF",
    value=-2.5,
    unit="T-score (≤)",
    citation=("rules.md §12 ANABOLIC-1; S4 Bijlage 2 «BMD T score ≤ –2,5 in de totale heup, heuphals (niet LWK)»"),
)
ROMO_PLAN_T_HIP_TWO_VF = Threshold(
    name="ANABOLIC-1 hip T with ≥ 2 grade 2/3 VF",
    value=-2.0,
    unit="T-score (≤)",
    citation=("rules.md §12 ANABOLIC-1; S4 Bijlage 2 «BMD T score ≤ –2,0 in de totale heup, heuphals (niet LWK)»"),
)
TPTD_T_MIN = Threshold(
    name="ANABOLIC-2 lowest T",
    value=-1.5,
    unit="T-score (≤, femoral neck, total hip or lumbar spine)",
    citation=(
        "rules.md §12 ANABOLIC-2, §9 SWITCH-FAIL-2; S4 Bijlage 2 «T-score ≤ -1,5 in de heuphals, totale heup of LWK»"
    ),
)
VF_GRADE_MODERATE = Threshold(
    name="Genant grade 2",
    value=2,
    unit="Genant grade (≥ 25 % height loss)",
    citation="rules.md §1.2 D-VF «n_VF_ge2»; S4 «minimaal graad 2, ≥ 25% hoogteverlies»",
)
VF_GRADE_SEVERE = Threshold(
    name="Genant grade 3",
    value=3,
    unit="Genant grade",
    citation="rules.md §1.2 D-VF «n_VF_3»",
)
PREVALENT_VF_FOR_THIRD_FRACTURE = Threshold(
    name="ANABOLIC-3 prevalent vertebral fractures",
    value=2,
    unit="vertebral fractures",
    citation=(
        "rules.md §12 ANABOLIC-3; S4 Bijlage 2 «patiënten met 2 prevalente wervelfracturen en een derde fractuur»"
    ),
)
ANABOLIC_END_GRACE = Threshold(
    name="ANABOLIC-5/-6 one month",
    value=1,
    unit="month",
    citation="rules.md §12 ANABOLIC-5 «within 1 month of course end», ANABOLIC-6 «[NIS: 1 month]»",
)
TPTD_BE_CHECK_AT = Threshold(
    name="BE teriparatide 9-month check",
    value=9,
    unit="months",
    citation=(
        "rules.md §12 ANABOLIC-5; S2 Tabel 2 «9 maanden + 9 maanden (bij stijging van T-score na eerste 9 maanden)»"
    ),
)
