"""Thresholds of the calcium, vitamin D and supplement rules (rules.md §7, §2)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "VITD_ADVICE_AGE_HIGH",
    "VITD_ADVICE_WOMEN_MIN_AGE",
    "VITD_DEFICIENT_NGML",
    "VITD_TARGET_HIGH_NGML",
]

VITD_DEFICIENT_NGML = Threshold(
    name="VITD_DEFICIENT_NGML",
    value=20,
    unit="ng/mL 25-OH-vitamin D (strict <; 50 nmol/L ≈ 20.0 ng/mL is not deficient)",
    citation="rules.md §2 VITD_DEFICIENT_NGML, VITD-1, C-34/C-35; S2 «indien de vitamine D-spiegel lager is dan "
    "20 ng/ml»",
)
VITD_TARGET_HIGH_NGML = Threshold(
    name="VITD_TARGET_NGML (upper)",
    value=50,
    unit="ng/mL 25-OH-vitamin D (above: > 50)",
    citation="rules.md §2 VITD_TARGET_NGML 20–50, VITD-1 «if v > 50»; S2 «(streefspiegel 20-50 ng/ml)»",
)
VITD_ADVICE_AGE_HIGH = Threshold(
    name="VITD-3 age for 800 IU",
    value=70,
    unit="years (≥; exactly 70 → 800 IU)",
    citation="rules.md §7 VITD-3; S0 «Ouderen ≥ 70 jaar» (Gezondheidsraad, 800 IE)",
)
VITD_ADVICE_WOMEN_MIN_AGE = Threshold(
    name="VITD-3 women 50-70",
    value=50,
    unit="years (women 50 ≤ age < 70: 400 IU)",
    citation="rules.md §7 VITD-3; S0 «400 IE Vrouwen van 50 -70 jaar»",
)
