"""Guideline parameters (``shared/clinical/rules.md`` §2): the configurable choices where the sources differ.

Every default is the catalog's default (and ``conflicts.md``'s); the alternative is selectable by setting,
e.g. ``OSTEO_GUIDELINE__GC_DOSE_HIGH_INCLUSIVE=false`` reads the S4 plan text "> 7,5 mg" instead of the
flowchart's "≥ 7,5 mg".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["GuidelineParameters"]


class GuidelineParameters(BaseModel):
    """rules.md §2 parameters. Field docstrings name the catalog parameter and its basis."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gc_dose_high_inclusive: bool = True
    """GC_DOSE_HIGH: prednisone-eq. ≥ 7.5 mg/day (S4 flowchart & indicator); False → > 7.5 (S4 plan)."""
    gc_min_duration_inclusive: bool = True
    """GC_MIN_DURATION_M: ≥ 3 months (S4 flowchart title); False → > 3 months (S4 plan)."""
