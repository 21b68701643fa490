"""Thresholds of the diagnosis and risk-classification rules (rules.md §2, §3)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "CLINICAL_OP_MALE_MIN_AGE",
    "FRAX_CAP_PERCENT",
    "FRAX_FALL_MULTIPLIER",
    "FRAX_MAX_FALLS",
    "OSTEOMALACIA_VITD_NGML",
    "T_NORMAL",
    "T_OSTEOPOROSIS",
    "T_VERY_HIGH",
]

T_OSTEOPOROSIS = Threshold(
    name="T_OP_CUTOFF",
    value=-2.5,
    unit="SD (T-score)",
    citation="rules.md §2 T_OP_CUTOFF, DX-TSCORE-1; conflicts.md C-01; S2 Diagnose «(m.a.w. T-score ≤ -2.5)»",
)
T_NORMAL = Threshold(
    name="T_NORMAL_AT_MINUS1",
    value=-1.0,
    unit="SD (T-score)",
    citation="rules.md §2 T_NORMAL_AT_MINUS1, DX-TSCORE-1; conflicts.md C-02; S1 «normaal T-score >-1»",
)
T_VERY_HIGH = Threshold(
    name="T_VERY_HIGH",
    value=-3.5,
    unit="SD (T-score)",
    citation="rules.md §2 T_VERY_HIGH, RISK-BBC-1; S2 «Ook patiënten met een T-score ≤ -3.5 hebben … een zeer hoog "
    "fractuurrisico»",
)
CLINICAL_OP_MALE_MIN_AGE = Threshold(
    name="DX-CLIN-1 male age at fracture",
    value=50,
    unit="years (strictly older)",
    citation="rules.md §3 DX-CLIN-1; S3 Diagnose «postmenopausale vrouw of man ouder dan 50 jaar»",
)
OSTEOMALACIA_VITD_NGML = Threshold(
    name="VITD_DEFICIENT_NGML",
    value=20,
    unit="ng/mL 25-OH vitamin D (strictly below)",
    citation="rules.md §2 VITD_DEFICIENT_NGML, §3 DX-OSTEOMAL-1 (pattern [NIS]); S2 «lager is dan 20 ng/ml»",
)
FRAX_FALL_MULTIPLIER = Threshold(
    name="FRAX_FALL_MULTIPLIER",
    value=1.3,
    unit="× per fall in the past year (compounded)",
    citation="rules.md §2 FRAX_FALL_MULTIPLIER, §3 RISK-FRAX-1; conflicts.md C-38; S2 «per valincident met 1.3 te "
    "vermenigvuldigen»",
)
FRAX_MAX_FALLS = Threshold(
    name="FRAX_FALL_MULTIPLIER max falls",
    value=5,
    unit="falls",
    citation="rules.md §3 RISK-FRAX-1; S2 «voor maximaal 5 valincidenten in het voorbije jaar»",
)
FRAX_CAP_PERCENT = Threshold(
    name="FRAX cap",
    value=100,
    unit="%",
    citation="rules.md §3 RISK-FRAX-1 «Cap at 100 %» [NIS]",
)
