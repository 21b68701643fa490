"""Thresholds of the contraindication and safety rules (rules.md §6)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "CALCIUM_MAX_AGE",
    "DMAB_ACTIVE_WINDOW",
    "EGFR_CI_ORAL_BP",
    "EGFR_CI_ZOL_ALTERNATIVE",
    "EGFR_SEVERE",
    "RENAL_MAX_AGE_BEFORE_ZOLEDRONATE",
    "RENAL_MAX_AGE_TERIPARATIDE",
    "ROMO_MIN_AGE_NL",
    "VITD_DEFICIENT",
    "ZOLEDRONATE_INTERVAL",
]

EGFR_CI_ORAL_BP = Threshold(
    name="EGFR_CI_ORAL_BP",
    value=30,
    unit="mL/min",
    citation=(
        "rules.md §2 EGFR_CI_ORAL_BP (strict <), §6 CI-EGFR-2, DMAB-STOP-1 renal branch; conflicts.md C-13, C-27; "
        "S2 «Bij een eGFR (Cockcroft-Gault) < 35 ml/min en < 30 ml/min zijn respectievelijk intraveneuze en "
        "perorale bisfosfonaten gecontra-indiceerd.»"
    ),
)
EGFR_CI_ZOL_ALTERNATIVE = Threshold(
    name="EGFR_CI_ZOL (alternative)",
    value=30,
    unit="mL/min",
    citation="rules.md §2 EGFR_CI_ZOL alternative < 30 (S0 «Klaring<30ml/min contra-indicatie»), conflicts.md C-13",
)
"""The zoledronate threshold itself is the parameter ``egfr_ci_zoledronate_ml_min`` (35 by default, S2)."""

EGFR_SEVERE = Threshold(
    name="EGFR_SEVERE",
    value=30,
    unit="mL/min",
    citation=(
        "rules.md §2 EGFR_SEVERE [NIS]: «ernstige nierinsufficiëntie» has no number in the seeds (S2 denosumab, "
        "S2 Tabel 2 teriparatide); conflicts.md Gaps"
    ),
)
RENAL_MAX_AGE_BEFORE_ZOLEDRONATE = Threshold(
    name="RENAL_MAX_AGE_D (IV zoledronate)",
    value=90,
    unit="days",
    citation="rules.md §2 RENAL_MAX_AGE_D [NIS]: 90 days before IV zoledronate; §6 CI-EGFR-1 Missing / stale",
)
RENAL_MAX_AGE_TERIPARATIDE = Threshold(
    name="CI-TPTD-2 lab age",
    value=90,
    unit="days",
    citation="rules.md §6 CI-TPTD-2 Missing / stale [NIS]: calcium, ALP or renal function older than 90 days",
)
CALCIUM_MAX_AGE = Threshold(
    name="LAB_MAX_AGE_D (calcium)",
    value=90,
    unit="days",
    citation="rules.md §2 LAB_MAX_AGE_D [NIS]; §6 CI-HYPOCA-1 (calcium > 90 d), CI-ROMO-2 (older than 90 d)",
)
VITD_DEFICIENT = Threshold(
    name="VITD_DEFICIENT_NGML",
    value=20,
    unit="ng/mL",
    citation=(
        "rules.md §2 VITD_DEFICIENT_NGML (strict <), §6 CI-HYPOCA-1, conflicts.md C-34/C-35; S2 «indien de "
        "vitamine D-spiegel lager is dan 20 ng/ml (streefspiegel 20-50 ng/ml)»"
    ),
)
DMAB_ACTIVE_WINDOW = Threshold(
    name="DMAB_INTERVAL_M",
    value=6,
    unit="months",
    citation=(
        "rules.md §2 DMAB_INTERVAL_M, §6 CI-TPTD-1 (on_dmab = today <= DMAB_LAST + 6 months); S2 «het doseerinterval "
        "van 6 maanden strikt te respecteren»"
    ),
)
ROMO_MIN_AGE_NL = Threshold(
    name="ROMO NL age (strict >)",
    value=50,
    unit="years",
    citation=(
        "rules.md §6 CI-ROMO-3, conflicts.md C-53; S4 Bijlage 2 «bij postmenopauzale vrouwen ouder dan 50 jaar» "
        "(age exactly 50 does not meet > 50)"
    ),
)
ZOLEDRONATE_INTERVAL = Threshold(
    name="zoledronate interval",
    value=12,
    unit="months",
    citation=(
        "rules.md §5 TX-CHOICE-2 «zoledroninezuur (5mg eenmaal per infuus per jaar)» (S4 Bijlage 2); §6 CI-EGFR-1 "
        "patient-view 'when the next yearly infusion is due'"
    ),
)
