"""Thresholds of the screening, identification and work-up rules (rules.md §2, §4)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "BBC_MAJOR_AGE",
    "BBC_MAJOR_FACTORS_NEEDED",
    "BBC_MINOR_FACTORS_NEEDED",
    "BBC_SCREEN_MIN_AGE",
    "DXA_REPEAT_MIN_YEARS",
    "FALL_ASSESSMENT_MIN_AGE",
    "FALL_ASSESSMENT_MIN_FALLS",
    "IDENT_MIN_AGE",
    "LAB_MAX_AGE_DAYS",
    "NL_RISK_ROUTE_MIN_AGE",
    "NL_RISK_ROUTE_NO_FRACTURE_MONTHS",
    "SECONDARY_YOUNG_AGE",
    "SECONDARY_Z_SCORE",
    "TESTOSTERONE_MALE_MAX_AGE",
]

BBC_SCREEN_MIN_AGE = Threshold(
    name="SCREEN-BBC-1 age",
    value=50,
    unit="years",
    citation="rules.md §4 SCREEN-BBC-1; S2 Screening «bij alle vrouwen ≥ 50 jaar»",
)
BBC_MAJOR_AGE = Threshold(
    name="SCREEN-BBC-1 major risk factor age",
    value=65,
    unit="years",
    citation="rules.md §4 SCREEN-BBC-1; S2 Tabel 1 «Leeftijd ≥ 65 jaar»",
)
BBC_MAJOR_FACTORS_NEEDED = Threshold(
    name="SCREEN-BBC-1 major risk factors",
    value=1,
    unit="factors",
    citation="rules.md §4 SCREEN-BBC-1; S2 «Bij aanwezigheid van ≥ 1 belangrijke risicofactor»",
)
BBC_MINOR_FACTORS_NEEDED = Threshold(
    name="SCREEN-BBC-1 minor risk factors",
    value=2,
    unit="factors",
    citation="rules.md §4 SCREEN-BBC-1; S2 «of ≥ 2 bijkomende risicofactoren»",
)
DXA_REPEAT_MIN_YEARS = Threshold(
    name="DXA_REPEAT_MIN_Y",
    value=2,
    unit="years",
    citation="rules.md §2 DXA_REPEAT_MIN_Y; S2 «Deze screening dient iedere 2 jaar herhaald te worden»",
)
IDENT_MIN_AGE = Threshold(
    name="IDENT_MIN_AGE",
    value=50,
    unit="years (age at fracture)",
    citation="rules.md §2 IDENT_MIN_AGE, §4 SCREEN-NL-1; conflicts.md C-36; S1 «Personen ouder dan 50 jaar met een "
    "recente fractuur»",
)
NL_RISK_ROUTE_MIN_AGE = Threshold(
    name="SCREEN-NL-2 age",
    value=60,
    unit="years",
    citation="rules.md §4 SCREEN-NL-2; S1 «vanaf de leeftijd 60 jaar met een fractuurrisicoscore ≥ 4 punten»",
)
NL_RISK_ROUTE_NO_FRACTURE_MONTHS = Threshold(
    name="SCREEN-NL-2 fracture-free window",
    value=12,
    unit="months",
    citation="rules.md §4 SCREEN-NL-2; S1 «zonder fractuur in het afgelopen jaar»",
)
LAB_MAX_AGE_DAYS = Threshold(
    name="LAB_MAX_AGE_D",
    value=90,
    unit="days",
    citation="rules.md §2 LAB_MAX_AGE_D [NIS], §4 LAB-1",
)
TESTOSTERONE_MALE_MAX_AGE = Threshold(
    name="LAB-1 testosterone age",
    value=70,
    unit="years (strictly younger)",
    citation="rules.md §4 LAB-1; S1 «bij mannen jonger dan 70 jaar: serum testosteron»",
)
SECONDARY_YOUNG_AGE = Threshold(
    name="SECONDARY-1 age",
    value=50,
    unit="years (strictly younger)",
    citation="rules.md §4 SECONDARY-1; S2 «een jonge leeftijd (< 50 jaar)»",
)
SECONDARY_Z_SCORE = Threshold(
    name="SECONDARY-1 Z-score",
    value=-2.0,
    unit="SD (Z-score, inclusive)",
    citation="rules.md §4 SECONDARY-1; S2 «een zeer lage botmassa (z-score ≤ -2)»",
)
FALL_ASSESSMENT_MIN_FALLS = Threshold(
    name="FALL-1 falls",
    value=2,
    unit="falls in the past 12 months",
    citation="rules.md §4 FALL-1; conflicts.md C-54; S1 «> minimaal 2 X gevallen zijn» [INF: ≥ 2]",
)
FALL_ASSESSMENT_MIN_AGE = Threshold(
    name="FALL-1 age",
    value=50,
    unit="years",
    citation="rules.md §4 FALL-1 (age ≥ 50)",
)
