"""Thresholds of the glucocorticoid rules (rules.md §8, §2).

Each value names its catalog parameter or band and the seed sentence it comes from. Whether a comparison is
inclusive is a guideline parameter (``GuidelineParameters.gc_*_inclusive``) where the sources disagree, else the
catalog's symbol (≤, <, ≥, >) stated in the citation.
"""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "GC_AGE_BAND_A40",
    "GC_DIRECT_START_MIN_AGE",
    "GC_DOSE_HIGH",
    "GC_DOSE_LOW",
    "GC_DOSE_VERY_HIGH",
    "GC_FAILURE_AFTER_MONTHS",
    "GC_LEGACY_AGE",
    "GC_LEGACY_DOSE_HIGH",
    "GC_LEGACY_DOSE_LOW",
    "GC_LEGACY_MIN_DURATION",
    "GC_MIN_DURATION",
    "GC_PARENTERAL_AGE",
    "GC_STOP_T_CONTINUE",
    "GC_T_THRESHOLD",
    "VF_MIN_GRADE",
]

GC_DOSE_HIGH = Threshold(
    name="GC_DOSE_HIGH",
    value=7.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_HIGH; S4 Bijlage 8 «Prednison: ≥ 7,5 mg», Bijlage 2 (GC)",
)
GC_DOSE_LOW = Threshold(
    name="GC_DOSE_LOW",
    value=2.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_LOW (C-05); S4 Bijlage 8 «Prednison: ≥ 2,5 mg en < 7,5 mg»",
)
GC_DOSE_VERY_HIGH = Threshold(
    name="GC_DOSE_VERY_HIGH",
    value=15,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_VERY_HIGH (≥); S4 Bijlage 2 «Hoge dosis GC (≥ 15 mg per dag gedurende tenminste "
    "3 maanden)»",
)
GC_MIN_DURATION = Threshold(
    name="GC_MIN_DURATION_M",
    value=3,
    unit="months",
    citation="rules.md §2 GC_MIN_DURATION_M; S4 Bijlage 8 «Glucocorticoïden ≥ 3 maanden»",
)
GC_DIRECT_START_MIN_AGE = Threshold(
    name="GC-START-1 age band A50",
    value=50,
    unit="years",
    citation="rules.md §8.0 age band A50 (age ≥ 50); S4 Bijlage 2 (GC) «Start bij patiënten ≥ 50 jaar»",
)
GC_AGE_BAND_A40 = Threshold(
    name="GC age band A40",
    value=40,
    unit="years",
    citation="rules.md §8.0 age band A40 (40 ≤ age < 50; exactly 40 → A40); S4 Bijlage 2 «patiënten 40-50 jaar», "
    "«≥ 40 jaar»; Bijlage 8 «< 40jr»",
)
GC_T_THRESHOLD = Threshold(
    name="GC_T_THRESHOLD",
    value=-2.0,
    unit="T-score (lumbar spine, femoral neck or total hip)",
    citation="rules.md §2 GC_T_THRESHOLD (T ≤ −2.0); S4 Bijlage 8 «Wervelfractuur ≥ gr 2 en/of BMD* ≤ -2»",
)
VF_MIN_GRADE = Threshold(
    name="VF grade",
    value=2,
    unit="Genant grade",
    citation="rules.md D-VF (grade ≥ 2 = ≥ 25 % height loss); S4 Bijlage 2 «minimaal graad 2, ≥ 25% hoogteverlies»",
)
GC_PARENTERAL_AGE = Threshold(
    name="GC_PARENTERAL_AGE75",
    value=75,
    unit="years",
    citation="rules.md §2 GC_PARENTERAL_AGE75 (C-08, age ≥ 75); S4 Bijlage 8 «Indien : Leeftijd ≥ 75 jaar»",
)
GC_STOP_T_CONTINUE = Threshold(
    name="GC-STOP-1 continue T-score",
    value=-2.5,
    unit="T-score (lumbar spine and/or hip)",
    citation="rules.md §8 GC-STOP-1 (T ≤ −2.5 → continue); S4 Bijlage 2 «bij een T- score ≤-2.5 in lumbale "
    "wervelkolom en/of heup»",
)
GC_FAILURE_AFTER_MONTHS = Threshold(
    name="GC-SWITCH-1 new fracture after therapy",
    value=12,
    unit="months of oral bisphosphonate",
    citation="rules.md §8 GC-SWITCH-1 (≥ 12 months); S4 Bijlage 2 «een nieuwe fractuur na tenminste 1 jaar therapie»",
)
# S0 (superseded) rule GC-LEGACY-1, for audit only: every comparison is strict in the source and the exact values
# 7.5 mg, 15 mg and 70 years are undefined there (conflicts.md C-10).
GC_LEGACY_DOSE_LOW = Threshold(
    name="GC-LEGACY-1 dose lower bound",
    value=7.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §8 GC-LEGACY-1; S0 «Dosering > 7.5 mg per dag en < 15 mg»",
)
GC_LEGACY_DOSE_HIGH = Threshold(
    name="GC-LEGACY-1 dose upper bound",
    value=15,
    unit="mg/day prednisone-eq.",
    citation="rules.md §8 GC-LEGACY-1; S0 «Dosering > 15 mg per dag: advies behandelen»",
)
GC_LEGACY_AGE = Threshold(
    name="GC-LEGACY-1 age",
    value=70,
    unit="years",
    citation="rules.md §8 GC-LEGACY-1; S0 «Leeftijd < 70 jaar: advies DEXA scan • Leeftijd > 70 jaar: advies "
    "behandelen»",
)
GC_LEGACY_MIN_DURATION = Threshold(
    name="GC-LEGACY-1 duration",
    value=3,
    unit="months",
    citation="rules.md §8 GC-LEGACY-1; S0 «Glucocorticoïd gebruik langer dan 3 maanden»",
)
