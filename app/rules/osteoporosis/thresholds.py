"""The parameter table of the osteoporosis rules: every fixed clinical threshold of the catalog, each defined once.

One row per catalog parameter (``shared/clinical/rules.md`` §2) or per number a rule states, with its value per
profile (``value``: NL and, unless ``be`` says otherwise, BE), its unit, the source conflict it settles
(``conflict``, a ``shared/clinical/conflicts.md`` id) and its source (``citation``: the catalog section, then the
guideline tag S0–S4 with its section and a verbatim «quote»). A rule compares against these, never a literal:
``from app.rules.osteoporosis.thresholds import GC_DOSE_HIGH``.

Where the sources disagree, the reading is a deployment setting (:class:`~app.rules.parameters.GuidelineParameters`,
``OSTEO_GUIDELINE__<FIELD>``) and the row names it in ``setting``; values that decide what the snapshot calls stale
or how it counts (DXA age ``DXA_STALE_YEARS``, ``LAB_MAX_AGE_D``, days per month) are snapshot settings
(:class:`~app.snapshot.parameters.SnapshotParameters`) that the rules read from the snapshot.
:func:`app.rules_reference.parameter_table` lists all three: the parameter table at the end of ``docs/rules.md``.
"""

from __future__ import annotations

from typing import Protocol

from app.rules.model import Threshold
from app.rules.parameters import GuidelineParameters
from app.snapshot.parameters import SnapshotParameters

# --- Thresholds of the diagnosis and risk-classification rules (rules.md §2, §3) ----------------------------------
T_OSTEOPOROSIS = Threshold(
    name="T_OP_CUTOFF",
    value=-2.5,
    unit="SD (T-score)",
    citation=(
        "rules.md §2 T_OP_CUTOFF, DX-TSCORE-1; S2 Diagnose «(m.a.w. T-score ≤ -2.5)». The same cut-off at the sites "
        "each rule names: bisphosphonate and denosumab evaluation (rules.md BP-HOLIDAY-1, BP-RESTART-1, DMAB-EVAL-1, "
        "DMAB-FU-1; S4 Bijlage 8 «T-scores >-2.5», «T-score ≤-2.5»), GC-STOP-1 (S4 Bijlage 2 «bij een T- score ≤-2.5 "
        "in lumbale wervelkolom en/of heup»), the BE denosumab reimbursement (S2 «bij een T-score axiaal of van de "
        "heup ≤ -2.5»), ANABOLIC-1 (S4 Bijlage 2 «BMD T score ≤ –2,5 in de totale heup, heuphals (niet LWK)») and "
        "the SERM «only vertebral risk» reading of TX-CHOICE-3 (hip T > −2.5, [INF], conflicts.md C-45)"
    ),
    conflict="C-01",
    setting="t_op_cutoff_inclusive",
)
T_NORMAL = Threshold(
    name="T_NORMAL_AT_MINUS1",
    value=-1.0,
    unit="SD (T-score)",
    citation="rules.md §2 T_NORMAL_AT_MINUS1, DX-TSCORE-1; S1 «normaal T-score >-1»",
    conflict="C-02",
    setting="t_normal_at_minus1",
)
T_VERY_HIGH = Threshold(
    name="T_VERY_HIGH",
    value=-3.5,
    unit="SD (T-score)",
    citation="rules.md §2 T_VERY_HIGH, RISK-BBC-1; S2 «Ook patiënten met een T-score ≤ -3.5 hebben … een zeer hoog "
    "fractuurrisico»",
    conflict="C-41",
)
CLINICAL_OP_MALE_MIN_AGE = Threshold(
    name="DX-CLIN-1 male age at fracture",
    value=50,
    unit="years (strictly older)",
    citation="rules.md §3 DX-CLIN-1; S3 Diagnose «postmenopausale vrouw of man ouder dan 50 jaar»",
)
FRAX_FALL_MULTIPLIER = Threshold(
    name="FRAX_FALL_MULTIPLIER",
    value=1.3,
    unit="× per fall in the past year (compounded)",
    citation="rules.md §2 FRAX_FALL_MULTIPLIER, §3 RISK-FRAX-1; conflicts.md C-38; S2 «per valincident met 1.3 te "
    "vermenigvuldigen»",
    conflict="C-38",
)
FRAX_MAX_FALLS = Threshold(
    name="FRAX_FALL_MULTIPLIER max falls",
    value=5,
    unit="falls",
    citation="rules.md §3 RISK-FRAX-1; S2 «voor maximaal 5 valincidenten in het voorbije jaar»",
)
FRAX_CAP_PERCENT = Threshold(
    name="FRAX cap",
    value=100,
    unit="%",
    citation="rules.md §3 RISK-FRAX-1 «Cap at 100 %» [NIS]",
)

# --- Thresholds of the screening, identification and work-up rules (rules.md §2, §4) ------------------------------
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
    citation="rules.md §2 DXA_REPEAT_MIN_Y, §4 SCREEN-BBC-1, §13 MON-DXA-1; S2 «Deze screening dient iedere 2 jaar "
    "herhaald te worden», «een controle-DXA elke 2-5 jaar» (the upper end is DXA_STALE_YEARS, a snapshot setting)",
    conflict="C-43",
)
IDENT_MIN_AGE = Threshold(
    name="IDENT_MIN_AGE",
    value=50,
    unit="years (age at fracture)",
    citation="rules.md §2 IDENT_MIN_AGE, §4 SCREEN-NL-1; conflicts.md C-36; S1 «Personen ouder dan 50 jaar met een "
    "recente fractuur»",
    conflict="C-36",
    setting="ident_min_age_inclusive",
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
    value=-2,
    unit="SD (Z-score, inclusive)",
    citation="rules.md §4 SECONDARY-1; S2 «een zeer lage botmassa (z-score ≤ -2)»",
)
FALL_ASSESSMENT_MIN_FALLS = Threshold(
    name="FALL-1 falls",
    value=2,
    unit="falls in the past 12 months",
    citation="rules.md §4 FALL-1; conflicts.md C-54; S1 «> minimaal 2 X gevallen zijn» [INF: ≥ 2]",
    conflict="C-54",
)
FALL_ASSESSMENT_MIN_AGE = Threshold(
    name="FALL-1 age",
    value=50,
    unit="years",
    citation="rules.md §4 FALL-1 (age ≥ 50: the catalog's population, the seeds give no age for the fall-risk "
    "assessment [INF])",
)

# --- Thresholds of the treatment-indication and drug-choice rules (rules.md §5) -----------------------------------
SERM_MAX_AGE = Threshold(
    name="SERM early menopause age (≤)",
    value=65,
    unit="years",
    citation=(
        "rules.md §5 TX-CHOICE-3, conflicts.md C-45; S2 «een optie bij vrouwen in de vroege menopauze (≤ 65 jaar) met "
        "louter een verhoogd risico op wervelfracturen»"
    ),
    conflict="C-45",
)
LIFE_EXPECTANCY_NO_TX = Threshold(
    name="LIFE_EXPECTANCY_NO_TX_Y",
    value=1,
    unit="years (≤)",
    citation="rules.md §2 LIFE_EXPECTANCY_NO_TX_Y, §5 TX-LE-1; S2 «Enkel bij een levensverwachting korter dan de tijd "
    "die nodig is om voordelen te halen uit osteoporosebehandeling (≤ 1 jaar) is het opstarten van farmacologische "
    "therapie niet zinvol»",
)

# --- Thresholds of the contraindication and safety rules (rules.md §6) --------------------------------------------
EGFR_CI_ORAL_BP = Threshold(
    name="EGFR_CI_ORAL_BP",
    value=30,
    unit="mL/min",
    citation=(
        "rules.md §2 EGFR_CI_ORAL_BP (strict <), §6 CI-EGFR-2, DMAB-STOP-1 renal branch; conflicts.md C-13, C-27; "
        "S2 «Bij een eGFR (Cockcroft-Gault) < 35 ml/min en < 30 ml/min zijn respectievelijk intraveneuze en "
        "perorale bisfosfonaten gecontra-indiceerd.»"
    ),
    conflict="C-13, C-27",
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
ROMO_MIN_AGE_NL = Threshold(
    name="ROMO NL age (strict >)",
    value=50,
    unit="years",
    citation=(
        "rules.md §6 CI-ROMO-3, conflicts.md C-53; S4 Bijlage 2 «bij postmenopauzale vrouwen ouder dan 50 jaar» "
        "(age exactly 50 does not meet > 50)"
    ),
    conflict="C-53",
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

# --- Thresholds of the calcium, vitamin D and supplement rules (rules.md §7, §2) ----------------------------------
VITD_DEFICIENT_NGML = Threshold(
    name="VITD_DEFICIENT_NGML",
    value=20,
    unit="ng/mL 25-OH-vitamin D (strict <; 50 nmol/L ≈ 20.0 ng/mL is not deficient)",
    citation="rules.md §2 VITD_DEFICIENT_NGML, VITD-1, §6 CI-HYPOCA-1, §3 DX-OSTEOMAL-1 (pattern [NIS]); S2 «indien "
    "de vitamine D-spiegel lager is dan 20 ng/ml (streefspiegel 20-50 ng/ml)»",
    conflict="C-34, C-35",
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

# --- Thresholds of the glucocorticoid rules (rules.md §8, §2) -----------------------------------------------------
GC_DOSE_HIGH = Threshold(
    name="GC_DOSE_HIGH",
    value=7.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_HIGH; S4 Bijlage 8 «Prednison: ≥ 7,5 mg», Bijlage 2 (GC)",
    conflict="C-04",
    setting="gc_dose_high_inclusive",
)
GC_DOSE_LOW = Threshold(
    name="GC_DOSE_LOW",
    value=2.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_LOW (C-05); S4 Bijlage 8 «Prednison: ≥ 2,5 mg en < 7,5 mg»",
    conflict="C-05",
    setting="gc_dose_low_inclusive",
)
GC_DOSE_VERY_HIGH = Threshold(
    name="GC_DOSE_VERY_HIGH",
    value=15,
    unit="mg/day prednisone-eq.",
    citation="rules.md §2 GC_DOSE_VERY_HIGH (≥); S4 Bijlage 2 «Hoge dosis GC (≥ 15 mg per dag gedurende tenminste "
    "3 maanden)»",
)
GC_MIN_DURATION = Threshold(
    name="GC_MIN_DURATION_M",
    value=3,
    unit="months",
    citation="rules.md §2 GC_MIN_DURATION_M; S4 Bijlage 8 «Glucocorticoïden ≥ 3 maanden»",
    conflict="C-06",
    setting="gc_min_duration_inclusive",
)
GC_DIRECT_START_MIN_AGE = Threshold(
    name="GC-START-1 age band A50",
    value=50,
    unit="years",
    citation="rules.md §8.0 age band A50 (age ≥ 50); S4 Bijlage 2 (GC) «Start bij patiënten ≥ 50 jaar»",
)
GC_AGE_BAND_A40 = Threshold(
    name="GC age band A40",
    value=40,
    unit="years",
    citation="rules.md §8.0 age band A40 (40 ≤ age < 50; exactly 40 → A40); S4 Bijlage 2 «patiënten 40-50 jaar», "
    "«≥ 40 jaar»; Bijlage 8 «< 40jr»",
)
GC_T_THRESHOLD = Threshold(
    name="GC_T_THRESHOLD",
    value=-2.0,
    unit="T-score (lumbar spine, femoral neck or total hip)",
    citation="rules.md §2 GC_T_THRESHOLD (T ≤ −2.0); S4 Bijlage 8 «Wervelfractuur ≥ gr 2 en/of BMD* ≤ -2»",
)
VF_MIN_GRADE = Threshold(
    name="VF grade",
    value=2,
    unit="Genant grade (≥ 25 % height loss)",
    citation="rules.md §1.2 D-VF (grade ≥ 2 = ≥ 25 % height loss, «n_VF_ge2»), DMAB-START-1 (BE); S4 Bijlage 2 "
    "«minimaal graad 2, ≥ 25% hoogteverlies»; S2 «een wervelfractuur (reductie van de wervelhoogte ≥ 25 % en "
    "≥ 4 mm)»",
)
GC_PARENTERAL_AGE = Threshold(
    name="GC_PARENTERAL_AGE75",
    value=75,
    unit="years",
    citation="rules.md §2 GC_PARENTERAL_AGE75 (C-08, age ≥ 75); S4 Bijlage 8 «Indien : Leeftijd ≥ 75 jaar»",
    conflict="C-08",
    setting="gc_parenteral_age75",
)
# S0 (superseded) rule GC-LEGACY-1, for audit only: every comparison is strict in the source and the exact values
# 7.5 mg, 15 mg and 70 years are undefined there (conflicts.md C-10).
GC_LEGACY_DOSE_LOW = Threshold(
    name="GC-LEGACY-1 dose lower bound",
    value=7.5,
    unit="mg/day prednisone-eq.",
    citation="rules.md §8 GC-LEGACY-1; S0 «Dosering > 7.5 mg per dag en < 15 mg»",
    conflict="C-10",
    setting="gc_legacy_enabled",
)
GC_LEGACY_DOSE_HIGH = Threshold(
    name="GC-LEGACY-1 dose upper bound",
    value=15,
    unit="mg/day prednisone-eq.",
    citation="rules.md §8 GC-LEGACY-1; S0 «Dosering > 15 mg per dag: advies behandelen»",
    conflict="C-10",
    setting="gc_legacy_enabled",
)
GC_LEGACY_AGE = Threshold(
    name="GC-LEGACY-1 age",
    value=70,
    unit="years",
    citation="rules.md §8 GC-LEGACY-1; S0 «Leeftijd < 70 jaar: advies DEXA scan • Leeftijd > 70 jaar: advies "
    "behandelen»",
    conflict="C-10",
    setting="gc_legacy_enabled",
)
GC_LEGACY_MIN_DURATION = Threshold(
    name="GC-LEGACY-1 duration",
    value=3,
    unit="months",
    citation="rules.md §8 GC-LEGACY-1; S0 «Glucocorticoïd gebruik langer dan 3 maanden»",
    conflict="C-10",
    setting="gc_legacy_enabled",
)

# --- Thresholds of the switching rules (rules.md §9) --------------------------------------------------------------
FAILURE_MIN_THERAPY = Threshold(
    name="D-FAIL minimum therapy",
    value=12,
    unit="months (≥, calendar)",
    citation=(
        "rules.md §9 SWITCH-FAIL-1, §8 GC-SWITCH-1 (≥ 12 months);"
        " S4 Bijlage 2 «een nieuwe fractuur na tenminste 1 jaar therapie»; S2 «minstens 1 jaar»"
    ),
    conflict="C-21",
    setting="failure_definition",
)
FAILURE_BBC_MIN_FRACTURES = Threshold(
    name="BBC failure: new fractures",
    value=2,
    unit="new fractures (≥)",
    citation="rules.md §9 SWITCH-FAIL-1; S2 «het ontstaan van 2 of meer nieuwe osteoporotische fracturen»",
)
BMD_LOSS_PCT = Threshold(
    name="BMD_LOSS_PCT",
    value=5,
    unit="% loss vs baseline (strict >)",
    citation="rules.md §2 BMD_LOSS_PCT (strict >), BP-HOLIDAY-1; §9 SWITCH-FAIL-1 (further BMD decrease > 5 % "
    "[INF]); S4 Bijlage 8 «geen botverlies >5% tov baseline»",
    conflict="C-21, C-47",
    setting="bmd_baseline_ref",
)
DMAB_LONG_TERM_YEARS = Threshold(
    name="SWITCH-DMAB-ROMO-1 long-term denosumab",
    value=2.5,
    unit="years (>)",
    citation="rules.md §9 SWITCH-DMAB-ROMO-1; S2 «langdurige therapie met denosumab (> 2.5-3 jaar)»",
    conflict="C-27",
)

# --- SWITCH-ADH-1: bone-turnover markers at the start of an oral bisphosphonate and ~3 months later -------------

BTM_CTX_DROP_PCT = Threshold(
    name="BTM_CTX_DROP_PCT",
    value=31,
    unit="% decrease of s-CTX vs baseline (≥)",
    citation=(
        "rules.md §2 BTM_CTX_DROP_PCT; §9 SWITCH-ADH-1; C-31;"
        " S2 «Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst op goede compliantie»"
    ),
    conflict="C-31",
)
BTM_P1NP_DROP_PCT = Threshold(
    name="BTM_P1NP_DROP_PCT",
    value=20,
    unit="% decrease of P1NP vs baseline (≥)",
    citation=(
        "rules.md §2 BTM_P1NP_DROP_PCT; §9 SWITCH-ADH-1; C-31;"
        " S2 «Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst op goede compliantie»"
    ),
    conflict="C-31",
)
BTM_FOLLOWUP_TARGET_MONTHS = Threshold(
    name="BTM follow-up target",
    value=3,
    unit="months after the oral-bisphosphonate start (calendar)",
    citation=(
        "rules.md §9 SWITCH-ADH-1 «3 months vs baseline»; §13 MON-BTM-1;"
        " S2 «bij de start van de behandeling met orale bisfosfonaten en 3 maanden later»"
    ),
)
BTM_FOLLOWUP_FROM_MONTHS = Threshold(
    name="BTM follow-up window, from",
    value=2,
    unit="months after the start (≥, calendar)",
    citation=(
        "[NIS] window around S2's «3 maanden later» (no tolerance in the seeds); the sample nearest 3 months is used"
    ),
)
BTM_FOLLOWUP_TO_MONTHS = Threshold(
    name="BTM follow-up window, to",
    value=6,
    unit="months after the start (≤, calendar)",
    citation=(
        "[NIS] window around S2's «3 maanden later» (no tolerance in the seeds); the sample nearest 3 months is used"
    ),
)

# --- Thresholds of the bisphosphonate evaluation, drug-holiday and restart rules (rules.md §10) -------------------
BP_EVAL_YEARS_ORAL = Threshold(
    name="BP_EVAL_Y_ORAL",
    value=5,
    unit="years",
    citation="rules.md §2 BP_EVAL_Y_ORAL, BP-EVAL-1; S4 Bijlage 8 «Alendroninezuur/Risedroninezuur 5 jaar»; S2",
    conflict="C-25",
)
BP_EVAL_INFUSIONS_ZOLEDRONATE = Threshold(
    name="BP_EVAL_Y_ZOL",
    value=3,
    unit="yearly infusions",
    citation="rules.md §2 BP_EVAL_Y_ZOL, BP-EVAL-1 (ZOL_COUNT = years); S4 Bijlage 8 «Zoledroninezuur 3 jaar»; S2",
    conflict="C-25",
)
BP_MAX_YEARS_ORAL = Threshold(
    name="BP_MAX_Y_ORAL",
    value=10,
    unit="years",
    citation="rules.md §2 BP_MAX_Y_ORAL, BP-MAX-1; S2 «alendronaat te continueren tot 10 jaar»; S4 «maximaal 2 "
    "behandelcycli»",
    conflict="C-25",
)
BP_MAX_INFUSIONS_ZOLEDRONATE = Threshold(
    name="BP_MAX_Y_ZOL",
    value=6,
    unit="yearly infusions",
    citation="rules.md §2 BP_MAX_Y_ZOL, BP-MAX-1; S2 «intraveneus zoledronaat tot 6 jaar»",
    conflict="C-25",
)
BP_HOLIDAY_FU_YEARS_ORAL = Threshold(
    name="BP_HOLIDAY_FU_Y (oral)",
    value=2,
    be=5,
    unit="years after the start of a drug holiday of an oral bisphosphonate",
    citation="rules.md §2 BP_HOLIDAY_FU_Y, BP-FU-1; S4 Bijlage 8 «Follow up: Alendroninezuur/Risedroninezuur:2 jaar, "
    "Zoledroninezuur: 3 jaar»; S2 «gedurende 3 (zoledronaat) tot 5 jaar (alendronaat), waarna een herevaluatie»",
    conflict="C-24",
    setting="bp_holiday_followup_years_oral",
)
BP_FU_LEAD_MONTHS = Threshold(
    name="BP-FU-1 lead time",
    value=3,
    unit="months",
    citation="rules.md BP-FU-1 «within 3 months before due date: info» [NIS lead time]",
)
ZOLEDRONATE_HOLIDAY_START_MONTHS = Threshold(
    name="BP_HOLIDAY_START (zoledronate)",
    value=12,
    unit="months after the last infusion",
    citation="rules.md D-BP BP_HOLIDAY_START «last infusion + 12 months (zoledronate)» [NIS]; vignettes.md V30",
)

# --- Thresholds of the denosumab rules (rules.md §11). Month thresholds use calendar months (rules.md §0.3.2) -----
DMAB_INTERVAL_MONTHS = Threshold(
    name="DMAB_INTERVAL_M",
    value=6,
    unit="months",
    citation="rules.md §2 DMAB_INTERVAL_M, D-DMAB, §6 CI-TPTD-1 (on_dmab = today <= DMAB_LAST + 6 months); S2 «60 mg "
    "subcutaan om de 6 maanden» … «het doseerinterval van 6 maanden strikt te respecteren»",
)
DMAB_DUE_LEAD_WEEKS = Threshold(
    name="DMAB_DUE_LEAD_W",
    value=4,
    unit="weeks",
    citation="rules.md §2 DMAB_DUE_LEAD_W [NIS]; conflicts.md C-29",
    conflict="C-29",
)
DMAB_CRITICAL_MONTHS = Threshold(
    name="DMAB_CRITICAL_M",
    value=7,
    unit="months since the last injection (strict >)",
    citation="rules.md §2 DMAB_CRITICAL_M [NIS]; conflicts.md C-29",
    conflict="C-29",
)
DMAB_LAPSED_MONTHS = Threshold(
    name="DMAB_REBOUND_WINDOW_M (end)",
    value=18,
    unit="months since the last injection (≤)",
    citation="rules.md §2 DMAB_REBOUND_WINDOW_M 6–18, DMAB-INTERVAL-1, §9 SWITCH-DMAB-ROMO-1 «denosumab was given "
    "within the last 18 months»; S2 «6-18 maanden na de laatste toediening»",
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
    conflict="C-28",
    setting="dmab_scheme_at_exactly_3y",
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
    conflict="C-43",
)

# --- Thresholds of the anabolic (bone-forming) therapy rules (rules.md §12) ---------------------------------------
ROMO_PLAN_T_HIP_TWO_VF = Threshold(
    name="ANABOLIC-1 hip T with ≥ 2 grade 2/3 VF",
    value=-2.0,
    unit="T-score (≤)",
    citation=(
        "rules.md §12 ANABOLIC-1; S4 Bijlage 2 «BMD T score ≤ –2,0 in de totale heup, heuphals» (the seed text "
        "breaks off after «heuphals (niet»)"
    ),
    conflict="C-16",
    setting="romo_nl_criteria",
)
TPTD_T_MIN = Threshold(
    name="ANABOLIC-2 lowest T",
    value=-1.5,
    unit="T-score (≤, femoral neck, total hip or lumbar spine)",
    citation=(
        "rules.md §12 ANABOLIC-2, §9 SWITCH-FAIL-2; S4 Bijlage 2 «T-score ≤ -1,5 in de heuphals, totale heup of LWK»"
    ),
)
VF_GRADE_SEVERE = Threshold(
    name="Genant grade 3",
    value=3,
    unit="Genant grade",
    citation="rules.md §1.2 D-VF «n_VF_3»",
)
PREVALENT_VF_FOR_THIRD_FRACTURE = Threshold(
    name="ANABOLIC-3 prevalent vertebral fractures",
    value=2,
    unit="vertebral fractures",
    citation=(
        "rules.md §12 ANABOLIC-3; S4 Bijlage 2 «patiënten met 2 prevalente wervelfracturen en een derde fractuur»"
    ),
)
TPTD_MAX_MONTHS = Threshold(
    name="TPTD_MAX_M",
    value=24,
    be=18,
    unit="months of teriparatide",
    citation="rules.md §2 TPTD_MAX_M, §12 ANABOLIC-5; S4 Bijlage 2 «met 20µg gedurende 2 jaar»; S2 «is bovendien "
    "beperkt tot 18 maanden in België»",
    conflict="C-14",
    setting="teriparatide_max_months",
)
ANABOLIC_END_GRACE = Threshold(
    name="ANABOLIC-5/-6 one month",
    value=1,
    unit="month",
    citation="rules.md §12 ANABOLIC-5 «within 1 month of course end», ANABOLIC-6 «[NIS: 1 month]»",
)
TPTD_BE_CHECK_AT = Threshold(
    name="BE teriparatide 9-month check",
    value=9,
    unit="months",
    citation=(
        "rules.md §12 ANABOLIC-5; S2 Tabel 2 «9 maanden + 9 maanden (bij stijging van T-score na eerste 9 maanden)»"
    ),
    conflict="C-14",
    setting="teriparatide_max_months",
)

# --- Thresholds of the monitoring rules (rules.md §2, §13) --------------------------------------------------------
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
    citation="rules.md §2 HEIGHT_LOSS_CM, §13 MON-SPINE-1; S2 Tabel 1 «Gemeten lengteverlies ≥ 4 cm»",
)


# --- card placeholders ------------------------------------------------------------------------------------------


class CardSettings(Protocol):
    """The snapshot settings a card states: :class:`~app.snapshot.parameters.SnapshotParameters`, and the
    :class:`~app.snapshot.model.ClinicalSnapshot` built with them, both carry them."""

    @property
    def dxa_stale_years(self) -> int: ...
    @property
    def lab_max_age_days(self) -> int: ...
    @property
    def vitamin_d_max_age_days(self) -> int: ...
    @property
    def renal_max_age_days(self) -> int: ...
    @property
    def dxa_decision_max_age_months(self) -> int: ...
    @property
    def assume_postmenopausal_age(self) -> int: ...
    @property
    def mof_forearm_min_age(self) -> int: ...


def card_values(
    profile: str = "nl",
    guideline: GuidelineParameters | None = None,
    snapshot: CardSettings | None = None,
) -> dict[str, str]:
    """The parameter values card templates name as placeholders (``{GC_DOSE_HIGH}``, ``{T_OSTEOPOROSIS}``, …), as
    plain numbers in ``profile`` (the renderer localises the decimal sign), for a deployment's ``guideline`` and
    ``snapshot`` settings (the defaults when not given): every row of this table under its constant name, a negative
    value also as ``<NAME>_ABS`` (for texts that write the minus sign themselves, ``−``), and the settings a card
    states: ``RECENT_FX_YEARS`` (``OSTEO_GUIDELINE__RECENT_FX_YEARS``) and
    ``DXA_STALE_YEARS`` (``OSTEO_SNAPSHOT__DXA_STALE_YEARS``), ``POST_ANABOLIC_AR_MIN_YEARS``
    (``OSTEO_GUIDELINE__POST_ANABOLIC_ANTIRESORPTIVE_MIN_YEARS``) and ``EGFR_CI_ZOL``
    (``OSTEO_GUIDELINE__EGFR_CI_ZOLEDRONATE_ML_MIN``), ``ROMO_MAX_MONTHS``
    (``OSTEO_GUIDELINE__ROMOSOZUMAB_MAX_MONTHS``) and ``TPTD_MAX_MONTHS``, the profile's row unless the deployment
    sets ``OSTEO_GUIDELINE__TERIPARATIDE_MAX_MONTHS``. ``FAILURE_MIN_THERAPY_YEARS`` is ``FAILURE_MIN_THERAPY`` in
    years, as the card text states it ("na ≥ 1 jaar"); ``GC_AGE_BAND_A40_TO`` is the last age of the A40 band
    (``GC_DIRECT_START_MIN_AGE`` − 1, "40-49"). The snapshot settings ``LAB_MAX_AGE_DAYS``
    (``OSTEO_SNAPSHOT__LAB_MAX_AGE_DAYS``), ``VITD_MAX_AGE_DAYS`` (``OSTEO_SNAPSHOT__VITAMIN_D_MAX_AGE_DAYS``),
    ``RENAL_MAX_AGE_DAYS`` (``OSTEO_SNAPSHOT__RENAL_MAX_AGE_DAYS``) and ``DXA_DECISION_MAX_AGE_MONTHS``
    (``OSTEO_SNAPSHOT__DXA_DECISION_MAX_AGE_MONTHS``) and the guideline setting ``CALCIUM_TARGET_MG``
    (``OSTEO_GUIDELINE__CALCIUM_TARGET``: "1000-1200" or "1200" mg/day) are card values too, and so is
    ``ASSUME_PM_AGE`` (``OSTEO_SNAPSHOT__ASSUME_POSTMENOPAUSAL_AGE``, also the age of men in the BBC population)
    and ``MOF_FOREARM_MIN_AGE`` (``OSTEO_SNAPSHOT__MOF_FOREARM_MIN_AGE``).
    A value is written as the table writes it (``-2.0`` stays ``-2.0``), so that the default card text reads as
    before."""
    settings = snapshot or SnapshotParameters()
    resolved = (guideline or GuidelineParameters()).for_profile(profile)
    values: dict[str, str] = {}
    for name, row in globals().items():
        if isinstance(row, Threshold):
            value = row.in_profile(profile)
            values[name] = str(value)
            if value < 0:
                values[f"{name}_ABS"] = str(-value)
    values["RECENT_FX_YEARS"] = str(resolved.recent_fx_years)
    values["DXA_STALE_YEARS"] = str(settings.dxa_stale_years)
    values["POST_ANABOLIC_AR_MIN_YEARS"] = str(resolved.post_anabolic_antiresorptive_min_years)
    values["EGFR_CI_ZOL"] = str(resolved.egfr_ci_zoledronate_ml_min)
    values["ROMO_MAX_MONTHS"] = str(resolved.romosozumab_max_months)
    values["TPTD_MAX_MONTHS"] = str(resolved.teriparatide_max_months)
    values["FAILURE_MIN_THERAPY_YEARS"] = _years(FAILURE_MIN_THERAPY.in_profile(profile) / 12)
    values["GC_AGE_BAND_A40_TO"] = str(int(GC_DIRECT_START_MIN_AGE.in_profile(profile)) - 1)
    values["LAB_MAX_AGE_DAYS"] = str(settings.lab_max_age_days)
    values["VITD_MAX_AGE_DAYS"] = str(settings.vitamin_d_max_age_days)
    values["RENAL_MAX_AGE_DAYS"] = str(settings.renal_max_age_days)
    values["DXA_DECISION_MAX_AGE_MONTHS"] = str(settings.dxa_decision_max_age_months)
    values["CALCIUM_TARGET_MG"] = resolved.calcium_target
    values["ASSUME_PM_AGE"] = str(settings.assume_postmenopausal_age)
    values["MOF_FOREARM_MIN_AGE"] = str(settings.mof_forearm_min_age)
    return values


def _years(value: float) -> str:
    """A number of years as card text writes it: ``1`` for 12 months, ``1.5`` for 18."""
    return str(int(value)) if value == int(value) else str(value)
