"""Thresholds of the monitoring rules (rules.md §2, §13)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = ["BTM_REPEAT_MONTHS", "CONTROL_DXA_MAX_YEARS", "CONTROL_DXA_MIN_YEARS", "HEIGHT_LOSS"]

CONTROL_DXA_MIN_YEARS = Threshold(
    name="DXA_REPEAT_MIN_Y",
    value=2,
    unit="years on treatment",
    citation="rules.md §2 DXA_REPEAT_MIN_Y, §13 MON-DXA-1; S2 «een controle-DXA elke 2-5 jaar»",
)
CONTROL_DXA_MAX_YEARS = Threshold(
    name="DXA_STALE_YEARS",
    value=5,
    unit="years since the last DXA (strictly more)",
    citation="rules.md §2 DXA_STALE_YEARS, §13 MON-DXA-1; S2 «een controle-DXA elke 2-5 jaar»",
)
BTM_REPEAT_MONTHS = Threshold(
    name="MON-BTM-1 repeat",
    value=3,
    unit="months after the start of an oral bisphosphonate",
    citation="rules.md §13 MON-BTM-1; S2 «bij de start van de behandeling met orale bisfosfonaten en 3 maanden later»",
)
HEIGHT_LOSS = Threshold(
    name="HEIGHT_LOSS_CM",
    value=4,
    unit="cm (≥), a BBC major risk factor; any documented loss triggers MON-SPINE-1 [INF]",
    citation="rules.md §2 HEIGHT_LOSS_CM (S2 Tabel 1), §13 MON-SPINE-1",
)
