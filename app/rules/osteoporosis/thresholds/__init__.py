"""Named clinical thresholds with their citations, one module per rule family.

No clinical number appears anywhere else in the rules: a rule imports the :class:`~app.rules.model.Threshold`
it compares against (``from app.rules.osteoporosis.thresholds.glucocorticoids import GC_DOSE_HIGH``).
"""

from __future__ import annotations

__all__: list[str] = []
