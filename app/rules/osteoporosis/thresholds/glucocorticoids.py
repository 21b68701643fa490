"""Thresholds of the glucocorticoid rules (rules.md §8)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = ["GC_DIRECT_START_MIN_AGE", "GC_DOSE_HIGH", "GC_MIN_DURATION"]

GC_DOSE_HIGH = Threshold(
    name="GC_DOSE_HIGH",
    value=7.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_HIGH; S4 Bijlage 8 «Prednison: ≥ 7,5 mg», Bijlage 2 (GC)",
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
    citation="rules.md §8.0 age band A50; S4 Bijlage 2 (GC) «Start bij patiënten ≥ 50 jaar»",
)
