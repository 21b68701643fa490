"""The osteoporosis rule catalog (``shared/clinical/rules.md``): an explicit registry, no import-time magic."""

from __future__ import annotations

from app.rules.model import Rule
from app.rules.osteoporosis.glucocorticoids import GC_START_1

__all__ = ["OSTEOPOROSIS_RULES"]

OSTEOPOROSIS_RULES: tuple[Rule, ...] = (GC_START_1,)
