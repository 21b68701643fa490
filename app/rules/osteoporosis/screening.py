"""Screening, identification and work-up (rules.md §4).

Several inputs of these rules have no verified code in ``shared/clinical/terminology.md`` (BMI, falls, measured
height loss, parental hip fracture, alcohol, smoking, diabetes, age at menopause, VFA / spine X-ray, ESR, CRP,
TSH, protein electrophoresis, testosterone, appointments). The snapshot therefore cannot carry them; the rules
treat them as *not assessed* — listed on the card, never counted as absent (rules.md SCREEN-BBC-1 missing block).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.rules.model import (
    CannotAssess,
    Citation,
    Evidence,
    Hook,
    NotApplicable,
    Outcome,
    Recommendation,
    Rule,
    RuleContext,
)
from app.rules.osteoporosis.evidence import (
    fracture_evidence,
    month_year,
    number,
    t_score_evidence,
)
from app.rules.osteoporosis.predicates import (
    DxClass,
    RiskClass,
    assess_bbc_risk,
    dx_class,
    in_bbc_population,
    is_recent_fracture,
    recorded_falls_past_year,
)
from app.rules.osteoporosis.thresholds import (
    BBC_MAJOR_AGE,
    BBC_MAJOR_FACTORS_NEEDED,
    BBC_MINOR_FACTORS_NEEDED,
    BBC_SCREEN_MIN_AGE,
    DXA_REPEAT_MIN_YEARS,
    FALL_ASSESSMENT_MIN_AGE,
    FALL_ASSESSMENT_MIN_FALLS,
    IDENT_MIN_AGE,
    NL_RISK_ROUTE_MIN_AGE,
    NL_RISK_ROUTE_NO_FRACTURE_MONTHS,
    SECONDARY_YOUNG_AGE,
    SECONDARY_Z_SCORE,
    TESTOSTERONE_MALE_MAX_AGE,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    ClinicalDate,
    ClinicalSnapshot,
    ConditionKind,
    Drug,
    DxaStatus,
    Fracture,
    FractureSite,
    LabTest,
    Sex,
    add_months,
    add_years,
)

__all__ = [
    "EXCLUDED",
    "FALL_1",
    "LAB_1",
    "RULES",
    "SCREEN_BBC_1",
    "SCREEN_NL_1",
    "SCREEN_NL_2",
    "SECONDARY_1",
    "VFA_1",
    "VF_CONSULT_1",
    "bbc_risk_factors",
    "identification_fracture",
]

_S2 = "002_d2419872b4f3ee7d.txt"
_S1 = "001_2eaa9cda53165842.txt"
_S4 = "004_9931701446fad2f5.txt"


def _dxa_within(snapshot: ClinicalSnapshot, years: int) -> ClinicalDate | None:
    """The date of the latest DXA when it is at most ``years`` calendar years old."""
    study = snapshot.latest_dxa
    if study is None or snapshot.as_of > add_years(study.observed.earliest, years):
        return None
    return study.observed


# ----------------------------------------------------------------------------------------------------------------
# SCREEN-BBC-1
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskFactors:
    """S2 Tabel 1 items: ``present`` / ``not_assessed`` keys (``cards/labels/screening.toml`` [missing])."""

    major_present: tuple[str, ...]
    minor_present: tuple[str, ...]
    not_assessed: tuple[str, ...]

    @property
    def positive(self) -> bool:
        return (
            len(self.major_present) >= BBC_MAJOR_FACTORS_NEEDED.value
            or len(self.minor_present) >= BBC_MINOR_FACTORS_NEEDED.value
        )


_UNRECORDABLE_MAJOR = (
    "bmi",
    "parental-hip-fracture",
    "height-loss",
    "early-menopause",
    "diabetes",
    "alcohol",
    "smoking",
)
_UNRECORDABLE_MINOR = ("risk-drugs", "diet-and-nutrition", "eating-or-psychiatric-disorder")


def bbc_risk_factors(snapshot: ClinicalSnapshot) -> RiskFactors:
    """S2 Tabel 1: major and minor risk factors found in the record, and the items that could not be assessed."""
    major: list[str] = []
    not_assessed: list[str] = []
    age = snapshot.age
    if age is None:
        not_assessed.append("age")
    elif age >= BBC_MAJOR_AGE.value:
        major.append("age-65")
    if snapshot.fractures:
        major.append("prior-fracture")
    falls = recorded_falls_past_year(snapshot)
    if falls is None:
        not_assessed.append("falls-past-year")
    elif falls >= 1:
        major.append("falls-past-year")
    if any(g.drug.is_glucocorticoid for g in snapshot.glucocorticoids) or snapshot.has_condition(
        ConditionKind.LONG_TERM_GLUCOCORTICOID_USE
    ):
        major.append("glucocorticoids")
    if snapshot.has_condition(ConditionKind.RHEUMATOID_ARTHRITIS):
        major.append("inflammatory-rheumatic-disease")
    if snapshot.has_condition(ConditionKind.CHRONIC_KIDNEY_DISEASE) or snapshot.has_condition(
        ConditionKind.CHRONIC_KIDNEY_DISEASE_STAGE_4_5
    ):
        major.append("secondary-osteoporosis")
    not_assessed.extend(_UNRECORDABLE_MAJOR)
    minor: list[str] = []
    if snapshot.has_condition(ConditionKind.HYPERPARATHYROIDISM):
        minor.append("thyroid-or-parathyroid-disease")
    else:
        not_assessed.append("thyroid-or-parathyroid-disease")
    not_assessed.extend(_UNRECORDABLE_MINOR)
    return RiskFactors(tuple(major), tuple(minor), tuple(not_assessed))


def _screen_bbc_1(ctx: RuleContext) -> Outcome:
    """«Bij aanwezigheid van ≥ 1 belangrijke risicofactor of ≥ 2 bijkomende risicofactoren adviseert de BBC om een
    DXA (Dual-energy X-ray absorptiometry) uit te voeren, vroegere osteoporotische fracturen op te sporen en het
    fractuurrisico te berekenen.» (S2)

    When: a woman ≥ 50 without osteoporosis drug (BE; in NL only with ``screen_bbc_in_nl``). Then: ≥ 1 major or
    ≥ 2 minor risk factors and no DXA within 2 years → DXA, spine imaging and FRAX (info). Fewer factors with items
    not assessed → "screening incomplete" (info, lists them; rescreen date).
    """
    rule_id = "SCREEN-BBC-1"
    snapshot = ctx.snapshot
    if ctx.profile != "be" and not ctx.parameters.screen_bbc_in_nl:
        return NotApplicable(rule_id, "BBC screening is off in this profile (screen_bbc_in_nl)")
    if snapshot.patient.sex is not Sex.FEMALE:
        return NotApplicable(rule_id, "BBC screening is for women")
    age = snapshot.age
    if age is None:
        return CannotAssess(rule_id, ("age",), variant="incomplete", facts={"next_screen": "?"})
    if age < BBC_SCREEN_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {age} below {BBC_SCREEN_MIN_AGE} (age at menopause not recorded)")
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "on osteoporosis treatment")
    factors = bbc_risk_factors(snapshot)
    evidence = [Evidence("age", str(age))]
    evidence += [Evidence(f"rf-{key}", "✓") for key in factors.major_present + factors.minor_present]
    recent_dxa = _dxa_within(snapshot, int(DXA_REPEAT_MIN_YEARS.value))
    if factors.positive:
        new_fracture = recent_dxa is not None and snapshot.has_fracture_since(recent_dxa.latest) is True
        if recent_dxa is not None and not new_fracture:
            return NotApplicable(rule_id, f"screening positive, DXA of {recent_dxa} within 2 years")
        return Recommendation(rule_id, "positive", {}, tuple(evidence), suggestions=("dxa-vfa",))
    next_screen = add_years(ctx.as_of, int(DXA_REPEAT_MIN_YEARS.value)).isoformat()
    return CannotAssess(
        rule_id,
        factors.not_assessed,
        variant="incomplete",
        facts={"next_screen": next_screen},
        evidence=tuple(evidence),
    )


SCREEN_BBC_1 = Rule(
    id="SCREEN-BBC-1",
    title="BBC screening of women ≥ 50",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [BE; optional in NL]: gated on ctx.profile / screen_bbc_in_nl
    citations=(Citation("S2", _S2, "Screening; Tabel 1 risicofactoren", "rules.md §4 SCREEN-BBC-1"),),
    evaluate=_screen_bbc_1,
)


# ----------------------------------------------------------------------------------------------------------------
# SCREEN-NL-1
# ----------------------------------------------------------------------------------------------------------------


def identification_fracture(
    snapshot: ClinicalSnapshot, parameters: GuidelineParameters
) -> tuple[Fracture | None, bool]:
    """SCREEN-NL-1 trigger: the latest non-pathological fracture at age ≥ 50 (``IDENT_MIN_AGE``) within the recent
    window. Returns ``(fracture, certain)``; ``certain`` is False when its date or age straddles the edges."""
    best: tuple[Fracture | None, bool] = (None, False)
    for fracture in snapshot.fractures:
        age = fracture.age_at_fracture
        old_enough: bool | None
        if age is None:
            old_enough = None
        else:
            inclusive = parameters.ident_min_age_inclusive
            old_enough = age >= IDENT_MIN_AGE.value if inclusive else age > IDENT_MIN_AGE.value
        recent = is_recent_fracture(fracture, snapshot.as_of, parameters)
        if old_enough is False or recent is False:
            continue
        certain = old_enough is True and recent is True
        if certain or best[0] is None:
            best = (fracture, certain)
    return best


def _screen_nl_1(ctx: RuleContext) -> Outcome:
    """«1. Personen ouder dan 50 jaar met een recente fractuur (< 2 jaar geleden)» … «Begeleid fractuurpatiënten in
    een gestructureerd zorgprogramma, aangestuurd door een fractuurpreventie team» (S1).

    When: a fracture ≤ 2 years ago at age ≥ 50 (not pathological), no osteoporosis drug. Then: no DXA since the
    fracture → warning (DXA + VFA, lab, fall risk, FLS); DXA done → info (confirm VFA, lab and fall-risk
    assessment, which the record cannot show). Fracture date or age uncertain → warning asking to verify.
    """
    rule_id = "SCREEN-NL-1"
    snapshot = ctx.snapshot
    fracture, certain = identification_fracture(snapshot, ctx.parameters)
    if fracture is None:
        return NotApplicable(rule_id, "no recent fracture at age ≥ 50")
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "on osteoporosis treatment")
    facts = {"fracture_date": month_year(fracture)}
    evidence = [fracture_evidence(fracture)]
    suggestions = ("dxa-vfa", "lab-calcium", "lab-creatinine", "lab-25oh-vitamin-d", "lab-alkaline-phosphatase")
    if not certain:
        return CannotAssess(
            rule_id,
            ("fracture-date-or-age",),
            variant="verify-date",
            facts=facts,
            evidence=tuple(evidence),
            suggestions=suggestions,
        )
    since = fracture.date.earliest if fracture.date else ctx.as_of
    dxa_after = [s for s in snapshot.dxa_studies if s.t_scores and s.observed.earliest >= since]
    if dxa_after:
        evidence.append(Evidence("dxa-since-fracture", str(dxa_after[-1].observed)))
        return Recommendation(rule_id, "verify-work-up", facts, tuple(evidence), suggestions=suggestions[1:])
    return Recommendation(rule_id, "incomplete", facts, tuple(evidence), suggestions=suggestions)


SCREEN_NL_1 = Rule(
    id="SCREEN-NL-1",
    title="Person ≥ 50 with a recent fracture: fracture-prevention work-up (FLS)",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(Citation("S1", _S1, "Identificatie; Take home", "rules.md §4 SCREEN-NL-1"),),
    evaluate=_screen_nl_1,
)


# ----------------------------------------------------------------------------------------------------------------
# SCREEN-NL-2
# ----------------------------------------------------------------------------------------------------------------


def _screen_nl_2(ctx: RuleContext) -> Outcome:
    """«Verricht aanvullend onderzoek bij mannen en vrouwen vanaf de leeftijd 60 jaar met een fractuurrisicoscore
    ≥ 4 punten conform de risicofactoren scorelijst.» (S1)

    When: age ≥ 60, no fracture in the past 12 months, no systemic glucocorticoid, no current or past osteoporosis
    drug, no known osteoporosis (coded diagnosis or DX_CLASS osteoporosis) and no DXA within 2 years. Then: the NL
    score list is not in the seeds (conflicts.md C-39) and no score is recorded, so with ≥ 1 recorded risk factor
    the card asks for the score (info, "score ≥ 4 → DXA + VFA").
    """
    rule_id = "SCREEN-NL-2"
    snapshot = ctx.snapshot
    age = snapshot.age
    if age is None:
        return NotApplicable(rule_id, "age unknown")
    if age < NL_RISK_ROUTE_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {age} below {NL_RISK_ROUTE_MIN_AGE}")
    window_start = add_months(ctx.as_of, -int(NL_RISK_ROUTE_NO_FRACTURE_MONTHS.value))
    if snapshot.has_fracture_since(window_start) is not False:
        return NotApplicable(rule_id, "fracture in the past year: fracture route (SCREEN-NL-1)")
    if snapshot.current_glucocorticoid() is not None:
        return NotApplicable(rule_id, "systemic glucocorticoid: GC route (§8)")
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "on osteoporosis treatment")
    # rules.md SCREEN-NL-2 [turn-2 correction]: case-finding is for patients not yet identified (S1
    # «Identificatie»): not after an osteoporosis drug, a coded osteoporosis diagnosis or DX_CLASS osteoporosis.
    if any(history.drug.is_osteoporosis_drug for history in snapshot.therapies):
        return NotApplicable(rule_id, "treated for osteoporosis before: already identified")
    if snapshot.has_condition(ConditionKind.OSTEOPOROSIS) or dx_class(snapshot, ctx.parameters) is DxClass.OSTEOPOROSIS:
        return NotApplicable(rule_id, "known osteoporosis: already identified")
    if _dxa_within(snapshot, int(DXA_REPEAT_MIN_YEARS.value)) is not None:
        return NotApplicable(rule_id, "DXA within 2 years")
    factors = bbc_risk_factors(snapshot)
    present = [key for key in factors.major_present + factors.minor_present if key != "age-65"]
    if not present:
        return NotApplicable(rule_id, "no recorded risk factor")
    evidence = (Evidence("age", str(age)), *(Evidence(f"rf-{key}", "✓") for key in present))
    return CannotAssess(rule_id, ("nl-risk-score",), variant="missing", evidence=evidence, suggestions=("dxa-vfa",))


SCREEN_NL_2 = Rule(
    id="SCREEN-NL-2",
    title="Risk-factor route: ≥ 60 years with fracture-risk score ≥ 4",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(Citation("S1", _S1, "Identificatie (risicofactoren)", "rules.md §4 SCREEN-NL-2"),),
    evaluate=_screen_nl_2,
)


# ----------------------------------------------------------------------------------------------------------------
# VFA-1
# ----------------------------------------------------------------------------------------------------------------


def _vfa_1(ctx: RuleContext) -> Outcome:
    """«DXA-VFA: indezelfde zitting bepaling vd wervelhoogte (th4-L5)» (S1); «VFA in aansluiting op DXA» … «X-TWK
    en LWK als DXA/VFA niet mogelijk of niet goed beoordeelbaar is» (S4 Bijlage 2).

    When: a DXA is being ordered (order-select / order-sign). Then: add VFA in the same session (info); in the BE
    profile the detail notes VFA is not reimbursed and offers a lateral spine X-ray. (VFA orders have no verified
    code, so the card cannot see whether VFA is already in the order set.)
    """
    rule_id = "VFA-1"
    snapshot = ctx.snapshot
    if ctx.hook is Hook.PATIENT_VIEW:
        return NotApplicable(rule_id, "VFA and spine imaging are not recordable: patient-view variant not evaluable")
    dxa_orders = [o for o in snapshot.new_orders if o.is_dxa]
    if not dxa_orders:
        return NotApplicable(rule_id, "no DXA being ordered")
    evidence = tuple(Evidence("dxa-order", o.draft_ref) for o in dxa_orders)
    return Recommendation(rule_id, "be" if ctx.profile == "be" else "add-vfa", {}, evidence)


VFA_1 = Rule(
    id="VFA-1",
    title="Add vertebral fracture assessment to every DXA",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(
        Citation("S1", _S1, "DXA en VFA", "rules.md §4 VFA-1"),
        Citation("S4", _S4, "Bijlage 2 (VFA)", "rules.md §4 VFA-1"),
    ),
    evaluate=_vfa_1,
)


# ----------------------------------------------------------------------------------------------------------------
# VF-CONSULT-1
# ----------------------------------------------------------------------------------------------------------------


def _vf_consult_1(ctx: RuleContext) -> Outcome:
    """«Denk aan beeldvorming van de wervelkolom- ip bij ieder patient met een wervelfractuur overleg met de Iide
    lijn: indicatie voor botvormende medicatie?» (S1 Take home)

    When: a vertebral fracture on record and no anabolic therapy now or before. Then: discuss bone-forming therapy
    with secondary care (info). Grade not recorded → the card says it is needed for the anabolic criteria.
    (A documented specialist consultation has no code in terminology.md: clinicians override the card.)
    """
    rule_id = "VF-CONSULT-1"
    snapshot = ctx.snapshot
    vertebral = [f for f in snapshot.fractures if f.site is FractureSite.VERTEBRAL]
    if not vertebral:
        return NotApplicable(rule_id, "no vertebral fracture on record")
    if any(snapshot.has_ever_taken(d) for d in (Drug.TERIPARATIDE, Drug.ROMOSOZUMAB, Drug.ABALOPARATIDE)):
        return NotApplicable(rule_id, "on or after anabolic therapy")
    evidence = tuple(fracture_evidence(f) for f in vertebral)
    graded = [f for f in vertebral if f.vertebral_grade is not None]
    facts = {"count": str(len(vertebral))}
    if not graded:
        return CannotAssess(
            rule_id, ("vertebral-fracture-grade",), variant="grade-unknown", facts=facts, evidence=evidence
        )
    grades = tuple(Evidence("vertebral-fracture-grade", str(f.vertebral_grade), None, str(f.source)) for f in graded)
    return Recommendation(rule_id, "consult", facts, evidence + grades)


VF_CONSULT_1 = Rule(
    id="VF-CONSULT-1",
    title="Vertebral fracture: consider bone-forming therapy with secondary care",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(Citation("S1", _S1, "Take home", "rules.md §4 VF-CONSULT-1"),),
    evaluate=_vf_consult_1,
)


# ----------------------------------------------------------------------------------------------------------------
# LAB-1
# ----------------------------------------------------------------------------------------------------------------

_LAB_ORDER = {
    "calcium": "lab-calcium",
    "albumin": "lab-albumin",
    "creatinine": "lab-creatinine",
    "vitamin-d": "lab-25oh-vitamin-d",
    "alkaline-phosphatase": "lab-alkaline-phosphatase",
    "phosphate": "lab-phosphate",
    "pth": "lab-pth",
}
_NL_UNRECORDABLE = ("esr", "tsh")
_BE_UNRECORDABLE = ("crp", "protein-electrophoresis", "tsh")
_BLOCKING_AT_SIGN = frozenset({"calcium", "creatinine", "vitamin-d"})
_STRONG_AGENTS = frozenset({Drug.ZOLEDRONATE, Drug.DENOSUMAB, Drug.ROMOSOZUMAB})


def _fresh(observed: ClinicalDate, snapshot: ClinicalSnapshot) -> bool:
    """No older than ``LAB_MAX_AGE_D`` (the snapshot's ``lab_max_age_days``)."""
    return observed.days_elapsed(snapshot.as_of) <= snapshot.lab_max_age_days


def _lab_status(snapshot: ClinicalSnapshot, profile: str) -> tuple[list[str], list[Evidence]]:
    """Panel items without a result within ``LAB_MAX_AGE_D`` (25-OH-D: ``VITD_MAX_AGE_D``), and the data used."""
    missing: list[str] = []
    evidence: list[Evidence] = []
    calcium = snapshot.calcium
    if calcium is None or not _fresh(calcium.observed, snapshot):
        missing.append("calcium")
    else:
        evidence.append(Evidence("calcium-mmol-l", f"{calcium.mmol_per_l:.2f}", calcium.observed.earliest))
    if profile != "be" and not (
        calcium is not None and calcium.computed_from_albumin and _fresh(calcium.observed, snapshot)
    ):
        # NL lists albumin separately; BE asks for albumin-corrected calcium (covered by "calcium").
        missing.append("albumin")
    creat = snapshot.serum_creatinine
    renal = snapshot.renal_function
    if creat is not None and _fresh(creat.observed, snapshot):
        evidence.append(Evidence("creatinine-umol-l", number(creat.umol_per_l), creat.observed.earliest))
    elif renal is not None and _fresh(renal.observed, snapshot):
        evidence.append(Evidence("renal-function", number(renal.ml_per_min), renal.observed.earliest))
    else:
        missing.append("creatinine")
    vit_d = snapshot.vitamin_d
    if vit_d is None or vit_d.is_stale:
        missing.append("vitamin-d")
    else:
        evidence.append(Evidence("vitamin-d-ng-ml", number(vit_d.ng_per_ml), vit_d.observed.earliest))
    tests = [("alkaline-phosphatase", LabTest.ALKALINE_PHOSPHATASE)]
    if profile == "be":
        tests += [("phosphate", LabTest.PHOSPHATE), ("pth", LabTest.PARATHYROID_HORMONE)]
    elif calcium is not None and calcium.is_high:
        tests.append(("pth", LabTest.PARATHYROID_HORMONE))  # NL «PTH (bij hypercalciëmie)»
    for key, test in tests:
        result = snapshot.latest_lab(test)
        if result is None or not _fresh(result.observed, snapshot):
            missing.append(key)
        else:
            evidence.append(Evidence(key, number(result.value), result.observed.earliest))
    if profile == "be":
        missing.extend(_BE_UNRECORDABLE)
    else:
        missing.extend(_NL_UNRECORDABLE)
        age = snapshot.age
        if snapshot.patient.sex is Sex.MALE and age is not None and age < TESTOSTERONE_MALE_MAX_AGE.value:
            missing.append("testosterone")
    return missing, evidence


def _lab_1(ctx: RuleContext) -> Outcome:
    """«bij patiënten met een fractuur en behandelindicatie: BSE, calcium, albumine, creatinine, TSH en 25(OH)D,
    alkalisch fosfatase bij mannen jonger dan 70 jaar: serum testosteron» (S1); BE: «CRP, albumine-gecorrigeerd
    calcium, fosfaat, alkalische fosfatasen, creatinine, 25-OH- vitamine D, serum eiwitelektroforese, TSH en
    parathyroïdhormoon» (S2).

    When: patient-view in a patient without osteoporosis drug who has a treatment indication (BBC HIGH / VERY
    HIGH), a recent fracture at ≥ 50 (SCREEN-NL-1) or a systemic glucocorticoid; or order-select / order-sign of
    a first osteoporosis drug. Then: the profile's panel items without a recent result (info; warning at
    order-sign of zoledronate / denosumab / romosozumab when calcium, creatinine or 25-OH-D is missing). Tests
    without a verified code (ESR, CRP, TSH, SPEP, testosterone) are always listed as "not available".
    """
    rule_id = "LAB-1"
    snapshot = ctx.snapshot
    on_treatment = any(h.drug.is_osteoporosis_drug and h.is_current for h in snapshot.therapies)
    if on_treatment:
        return NotApplicable(rule_id, "already on an osteoporosis drug (not a first start)")
    ordered = {o.drug for o in snapshot.new_orders if o.drug is not None and o.drug.is_osteoporosis_drug}
    if ctx.hook is Hook.PATIENT_VIEW:
        indicated = (
            assess_bbc_risk(snapshot, ctx.parameters).risk_class in (RiskClass.HIGH, RiskClass.VERY_HIGH)
            and in_bbc_population(snapshot, ctx.parameters) is not False
        )
        fracture, _ = identification_fracture(snapshot, ctx.parameters)
        if not (indicated or fracture is not None or snapshot.current_glucocorticoid() is not None):
            return NotApplicable(rule_id, "no treatment indication, recent fracture or glucocorticoid")
    elif not ordered:
        return NotApplicable(rule_id, "no osteoporosis drug being ordered")
    missing, evidence = _lab_status(snapshot, ctx.profile)
    suggestions = tuple(_LAB_ORDER[key] for key in missing if key in _LAB_ORDER)
    blocking = ctx.hook is Hook.ORDER_SIGN and bool(ordered & _STRONG_AGENTS) and bool(_BLOCKING_AT_SIGN & set(missing))
    variant = "missing-before-parenteral" if blocking else "missing"
    return CannotAssess(rule_id, tuple(missing), variant=variant, evidence=tuple(evidence), suggestions=suggestions)


LAB_1 = Rule(
    id="LAB-1",
    title="Laboratory work-up before treatment",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=frozenset({"nl", "be"}),  # [NL / BE panel]
    citations=(
        Citation("S1", _S1, "Aanvullend onderzoek – lab", "rules.md §4 LAB-1"),
        Citation("S2", _S2, "Basisevaluatie (labo)", "rules.md §4 LAB-1"),
    ),
    evaluate=_lab_1,
)


# ----------------------------------------------------------------------------------------------------------------
# SECONDARY-1
# ----------------------------------------------------------------------------------------------------------------


def _secondary_1(ctx: RuleContext) -> Outcome:
    """«Specifieke redenen om een secundaire vorm van osteoporose verder te exploreren zijn o.a. een jonge leeftijd
    (< 50 jaar), een zeer lage botmassa (z-score ≤ -2) en onvoldoende respons op therapie» (S2).

    When: osteoporosis (T ≤ −2.5) or a fragility fracture, and age < 50, or a Z-score ≤ −2.0, or a fracture after
    ≥ 12 months on an osteoporosis drug (insufficient response, NL failure trigger). Then: look for secondary
    causes (info). Z-score not reported and no other reason → the card says the Z-score is needed.
    """
    rule_id = "SECONDARY-1"
    snapshot = ctx.snapshot
    lowest = snapshot.lowest_t_score
    risk = assess_bbc_risk(snapshot, ctx.parameters)
    if not (risk.osteoporotic_t or snapshot.fractures):
        return NotApplicable(rule_id, "no osteoporosis and no fragility fracture")
    evidence: list[Evidence] = []
    if lowest is not None and snapshot.dxa_status is not DxaStatus.NONE:
        evidence.append(t_score_evidence(lowest))
    if snapshot.fractures:
        evidence.append(fracture_evidence(snapshot.fractures[-1]))
    age = snapshot.age
    if age is not None and age < SECONDARY_YOUNG_AGE.value:
        return Recommendation(rule_id, "young", {"age": str(age)}, (Evidence("age", str(age)), *evidence))
    z_scores = snapshot.latest_z_scores
    low_z = [z for z in z_scores if z.value <= SECONDARY_Z_SCORE.value]
    if low_z:
        z = low_z[0]
        z_evidence = Evidence(f"z-score-{z.site.value}", number(z.value), z.observed.earliest, str(z.source))
        return Recommendation(rule_id, "low-z-score", {"z_score": number(z.value)}, (z_evidence, *evidence))
    failure = _fracture_on_treatment(snapshot)
    if failure is not None:
        return Recommendation(rule_id, "insufficient-response", {}, (fracture_evidence(failure), *evidence))
    if not z_scores and age is not None:
        return CannotAssess(rule_id, ("z-score",), variant="missing", evidence=tuple(evidence))
    return NotApplicable(rule_id, "age ≥ 50, Z-scores above −2 and no fracture on treatment")


def _fracture_on_treatment(snapshot: ClinicalSnapshot) -> Fracture | None:
    """A fracture dated ≥ 12 months after the start of an osteoporosis-drug episode that covers it [INF: the NL
    failure trigger of SWITCH-FAIL-1, "een nieuwe fractuur na tenminste 1 jaar therapie"]."""
    for history in snapshot.therapies:
        if not history.drug.is_osteoporosis_drug:
            continue
        for episode in history.episodes:
            threshold = add_years(episode.start, 1)
            for fracture in snapshot.fractures:
                if fracture.date is not None and threshold <= fracture.date.earliest <= add_months(episode.end, 1):
                    return fracture
    return None


SECONDARY_1 = Rule(
    id="SECONDARY-1",
    title="Explore secondary osteoporosis",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(Citation("S2", _S2, "Secundaire osteoporose", "rules.md §4 SECONDARY-1"),),
    evaluate=_secondary_1,
)


# ----------------------------------------------------------------------------------------------------------------
# FALL-1
# ----------------------------------------------------------------------------------------------------------------


def _fall_1(ctx: RuleContext) -> Outcome:
    """«Bepaal de aanwezigheid van de binvloedbare [sic] valrisicofactoren > minimaal 2 X gevallen zijn - Alcohol -
    Medicatie (psychofarmaca, cardiale medicatie) - Klachten passend bij orthostase? + evt meten - Visus / bril
    gebuik [sic] - Vraag en beoordeel looppatroon» (S1).

    When: age ≥ 50 in the fracture-liaison pathway (recent fracture), with increased fracture risk (BBC HIGH /
    VERY HIGH) or on a systemic glucocorticoid. Then: ≥ 2 falls in the past year → assess modifiable fall risk
    (info); falls not recorded → "ask about falls" (info).
    """
    rule_id = "FALL-1"
    snapshot = ctx.snapshot
    age = snapshot.age
    if age is None or age < FALL_ASSESSMENT_MIN_AGE.value:
        return NotApplicable(rule_id, "age below 50 or unknown")
    fracture, _ = identification_fracture(snapshot, ctx.parameters)
    increased = assess_bbc_risk(snapshot, ctx.parameters).risk_class in (RiskClass.HIGH, RiskClass.VERY_HIGH)
    if fracture is None and not increased and snapshot.current_glucocorticoid() is None:
        return NotApplicable(rule_id, "not in the FLS pathway, no increased fracture risk, no glucocorticoid")
    falls = recorded_falls_past_year(snapshot)
    if falls is None:
        return CannotAssess(rule_id, ("falls-past-year",), variant="missing", evidence=(Evidence("age", str(age)),))
    if falls < FALL_ASSESSMENT_MIN_FALLS.value:
        return NotApplicable(rule_id, f"{falls} fall(s) in the past year")
    return Recommendation(rule_id, "assess", {"falls": str(falls)}, (Evidence("falls-past-year", str(falls)),))


FALL_1 = Rule(
    id="FALL-1",
    title="Fall-risk assessment",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(Citation("S1", _S1, "Valrisicoinschatting", "rules.md §4 FALL-1"),),
    evaluate=_fall_1,
)


RULES: tuple[Rule, ...] = (
    SCREEN_NL_1,
    SCREEN_NL_2,
    SCREEN_BBC_1,
    VFA_1,
    VF_CONSULT_1,
    LAB_1,
    SECONDARY_1,
    FALL_1,
)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
