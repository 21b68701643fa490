"""Thresholds of the denosumab rules (rules.md §11). Month thresholds use calendar months (rules.md §0.3.2)."""

from __future__ import annotations

from app.rules.model import Threshold

__all__ = [
    "BE_REIMBURSEMENT_DXA_MAX_AGE_MONTHS",
    "BE_REIMBURSEMENT_T_SCORE",
    "BE_REIMBURSEMENT_VF_GRADE",
    "DMAB_CRITICAL_MONTHS",
    "DMAB_DUE_LEAD_WEEKS",
    "DMAB_EVAL_YEARS",
    "DMAB_INTERVAL_MONTHS",
    "DMAB_LAPSED_MONTHS",
    "DMAB_MAX_YEARS",
    "DMAB_TRANSITION_WINDOW_WEEKS",
    "SCHEME_DXA_MONTHS",
    "SCHEME_LAB_MONTHS",
    "SCHEME_YEARS",
]

DMAB_INTERVAL_MONTHS = Threshold(
    name="DMAB_INTERVAL_M",
    value=6,
    unit="months",
    citation="rules.md §2 DMAB_INTERVAL_M, D-DMAB; S2 «60 mg subcutaan om de 6 maanden» … «het doseerinterval van 6 "
    "maanden strikt te respecteren»",
)
DMAB_DUE_LEAD_WEEKS = Threshold(
    name="DMAB_DUE_LEAD_W",
    value=4,
    unit="weeks",
    citation="rules.md §2 DMAB_DUE_LEAD_W [NIS]; conflicts.md C-29",
)
DMAB_CRITICAL_MONTHS = Threshold(
    name="DMAB_CRITICAL_M",
    value=7,
    unit="months since the last injection (strict >)",
    citation="rules.md §2 DMAB_CRITICAL_M [NIS]; conflicts.md C-29",
)
DMAB_LAPSED_MONTHS = Threshold(
    name="DMAB_REBOUND_WINDOW_M (end)",
    value=18,
    unit="months since the last injection",
    citation="rules.md §2 DMAB_REBOUND_WINDOW_M 6–18, DMAB-INTERVAL-1; S2 «6-18 maanden na de laatste toediening»",
)
DMAB_EVAL_YEARS = Threshold(
    name="DMAB_EVAL_Y",
    value=3,
    unit="years (DMAB_YEARS = injections × 0.5)",
    citation="rules.md §2 DMAB_EVAL_Y, DMAB-EVAL-1; S1 «Evalueer na 3-jaar Denosumab»; S4 Bijlage 8",
)
DMAB_MAX_YEARS = Threshold(
    name="DMAB_MAX_Y",
    value=10,
    unit="years",
    citation="rules.md §2 DMAB_MAX_Y, DMAB-EVAL-1; S4 Bijlage 8 «Na maximaal 10 jaar»",
)
SCHEME_YEARS = Threshold(
    name="DMAB stop scheme boundary",
    value=3,
    unit="years of denosumab",
    citation="rules.md DMAB-STOP-1/-2/-3, §2 DMAB_SCHEME_AT_EXACTLY_3Y; S4 Bijlage 8 «Stop schema bij <3 jaar "
    "gebruik» / «>3 jaar gebruik»",
)
DMAB_TRANSITION_WINDOW_WEEKS = Threshold(
    name="DMAB_TRANSITION_WINDOW_EARLY_W / _LATE_W",
    value=4,
    unit="weeks around the last injection + 6 months",
    citation="rules.md §2 DMAB_TRANSITION_WINDOW_EARLY_W/_LATE_W (−4 / +4 weeks) [NIS]; D-DMAB",
)
SCHEME_LAB_MONTHS = Threshold(
    name="DMAB stop scheme: lab + clinic",
    value=6,
    unit="months after the bisphosphonate start",
    citation="rules.md DMAB-STOP-2/-3, DMAB-FU-1; S4 Bijlage 8 «Na 6 maanden Lab + kliniek»",
)
SCHEME_DXA_MONTHS = Threshold(
    name="DMAB stop scheme: DXA + VFA",
    value=12,
    unit="months after the bisphosphonate start",
    citation="rules.md DMAB-STOP-2/-3, DMAB-FU-1; S4 Bijlage 8 «Follow up na 12 maanden na start "
    "consolidatietherapie met DXA+VFA»",
)
BE_REIMBURSEMENT_DXA_MAX_AGE_MONTHS = Threshold(
    name="BE denosumab reimbursement: DXA age",
    value=6,
    unit="months (strict <)",
    citation="rules.md DMAB-START-1 (BE); S2 «Voor denosumab geldt bovendien dat de DXA minder dan 6 maanden oud mag "
    "zijn»; conflicts.md C-43",
)
BE_REIMBURSEMENT_T_SCORE = Threshold(
    name="BE denosumab reimbursement: T-score",
    value=-2.5,
    unit="SD (axial or hip, ≤)",
    citation="rules.md DMAB-START-1 (BE); S2 «bij een T-score axiaal of van de heup ≤ -2.5»",
)
BE_REIMBURSEMENT_VF_GRADE = Threshold(
    name="BE denosumab reimbursement: vertebral fracture",
    value=2,
    unit="Genant grade (≥ 25 % height loss)",
    citation="rules.md DMAB-START-1 (BE), D-VF; S2 «een wervelfractuur (reductie van de wervelhoogte ≥ 25 % en "
    "≥ 4 mm)»",
)
