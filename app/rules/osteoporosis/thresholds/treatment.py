"""Thresholds of the treatment-indication and drug-choice rules (rules.md §5).

The risk-class thresholds (T ≤ −2.5, T ≤ −3.5) are those of RISK-BBC-1 (``thresholds/diagnosis.py``).
"""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = ["LIFE_EXPECTANCY_NO_TX", "SERM_MAX_AGE", "T_HIP_SERM"]

SERM_MAX_AGE = Threshold(
    name="SERM early menopause age (≤)",
    value=65,
    unit="years",
    citation=(
        "rules.md §5 TX-CHOICE-3, conflicts.md C-45; S2 «een optie bij vrouwen in de vroege menopauze (≤ 65 jaar) met "
        "louter een verhoogd risico op wervelfracturen»"
    ),
)
T_HIP_SERM = Threshold(
    name="SERM 'only vertebral risk': hip T > -2.5",
    value=-2.5,
    unit="SD",
    citation="rules.md §5 TX-CHOICE-3 [INF], conflicts.md C-45: «only vertebral risk» = no non-vertebral fragility "
    "fracture and T_HIP > -2.5",
)
LIFE_EXPECTANCY_NO_TX = Threshold(
    name="LIFE_EXPECTANCY_NO_TX_Y",
    value=1,
    unit="years (≤)",
    citation="rules.md §2 LIFE_EXPECTANCY_NO_TX_Y, §5 TX-LE-1; S2 «Enkel bij een levensverwachting korter dan de tijd "
    "die nodig is om voordelen te halen uit osteoporosebehandeling (≤ 1 jaar) is het opstarten van farmacologische "
    "therapie niet zinvol»",
)
