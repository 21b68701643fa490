"""Glucocorticoid-induced osteoporosis: prevention (rules.md §8).

The rules share the decision procedure of rules.md §8.0 (S4 Bijlage 8, «Behandelschema patiënten met
Glucocorticoïden ≥ 3 maanden», and the S4 Bijlage 2 recommendation texts):

- precondition: a current or ordered systemic glucocorticoid with an expected total use ≥ 3 months;
- dose band: HIGH (prednisone-eq. ≥ 7.5), LOW (≥ 2.5 and below HIGH), MINIMAL (below LOW). With
  ``gc_dose_high_inclusive = False`` exactly 7.5 mg falls into LOW, so that no dose is left uncovered (C-04);
- age band: A50 (≥ 50), A40 (40–49), A0 (< 40).

Which rule owns which patient (so that every GC user gets exactly the card of the scheme, and missing data
yields one card naming it, never silence):

============================  =================================================================================
GC-GEN-1                      every GC user ≥ 3 months (conditional card when the duration is unknown; names an
                              unknown daily dose, which no band rule can then decide)
GC-START-1 / GC-PARENT-1      HIGH & A50 (GC-START-1 also asks for an unknown age or dose when ≥ 50 is possible)
GC-START-2 / GC-START-3       HIGH & A40: fracture → start; else the DXA/VFA decision
GC-START-4                    LOW & age ≥ 40 (asks for an unknown age)
GC-START-5                    MINIMAL (any age) or A0 (any dose)
GC-SWITCH-1                   GC user on (or ordered) an oral bisphosphonate who cannot take it / had a fracture
GC-STOP-1                     GC stopped while a bone drug started during GC use is still active
============================  =================================================================================

In the order hooks the GC rules answer an order of a systemic glucocorticoid (rules.md §8 hooks); current users
are served in patient-view. A drug in ``draftOrders`` counts as about to start: a patient for whom an
osteoporosis drug is being ordered is no longer "without bone protection".

Inputs the record cannot give are stated, not guessed:

- VFA: no verified code for a vertebral fracture assessment exists (terminology.md), so a decision-grade DXA
  (``DXA_DECISION_MAX_AGE_M``) stands for the DXA + VFA examination, and vertebral fractures come from coded
  vertebral fracture Conditions. A vertebral fracture whose Genant grade is not stated counts as grade ≥ 2
  (the protective reading, conflicts.md general policy); an explicit grade 1 does not.
- Oral-bisphosphonate intolerance is a coded AllergyIntolerance in the snapshot (free text is not detectable);
  adherence has no verified code and no dispensing rule here: GC-SWITCH-1 evaluates the renal contraindication,
  a recorded intolerance and the new-fracture trigger ("adherence unknown"; SWITCH-ADH-1 judges adherence).
- Severe disease activity is not coded data (C-09): GC-PARENT-1 lists it as "not assessed".
- Drug-choice suggestions go through the shared contraindication filter of rules.md §14.4
  (``safety.contraindicated_drugs``): an oral bisphosphonate contraindicated → the GC second choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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
    context_fact,
)
from app.rules.osteoporosis.evidence import (
    intolerance_evidence,
)
from app.rules.osteoporosis.predicates import (
    StoppedGlucocorticoidCourse,
    contraindicated_drugs,
    gc_duration_met,
    gc_stop_criteria,
    is_recent_fracture,
    low_t_spine_or_hip,
    oral_bisphosphonate_intolerance,
    qualifying_vertebral_fractures,
    stopped_glucocorticoid_course,
)
from app.rules.osteoporosis.thresholds import (
    FAILURE_MIN_THERAPY,
    GC_AGE_BAND_A40,
    GC_DIRECT_START_MIN_AGE,
    GC_DOSE_HIGH,
    GC_DOSE_LOW,
    GC_DOSE_VERY_HIGH,
    GC_LEGACY_AGE,
    GC_LEGACY_DOSE_HIGH,
    GC_LEGACY_DOSE_LOW,
    GC_LEGACY_MIN_DURATION,
    GC_MIN_DURATION,
    GC_PARENTERAL_AGE,
    GC_T_THRESHOLD,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    ClinicalSnapshot,
    CodedStrength,
    Drug,
    DxaStatus,
    DxaStudy,
    Fracture,
    FractureSite,
    GlucocorticoidExposure,
    add_months,
)

__all__ = [
    "EXCLUDED",
    "GC_GEN_1",
    "GC_LEGACY_1",
    "GC_PARENT_1",
    "GC_START_1",
    "GC_START_2",
    "GC_START_3",
    "GC_START_4",
    "GC_START_5",
    "GC_STOP_1",
    "GC_SWITCH_1",
    "RULES",
]

_ALL_HOOKS = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_NL = frozenset({"nl"})
_PARENTERAL = frozenset({Drug.ZOLEDRONATE, Drug.DENOSUMAB, Drug.TERIPARATIDE, Drug.ROMOSOZUMAB, Drug.ABALOPARATIDE})
_GLUCOCORTICOIDS = tuple(drug for drug in Drug if drug.is_glucocorticoid)


def _s4(catalog: str) -> Citation:
    return Citation(
        source="S4",
        seed="004_9931701446fad2f5.txt",
        section=(
            "Bijlage 2 (Glucocorticoïden); Bijlage 8 flowchart «Behandelschema patiënten met Glucocorticoïden "
            "≥ 3 maanden»"
        ),
        catalog=f"rules.md §8 {catalog}",
    )


_S1_IDENTIFICATION = Citation(
    source="S1",
    seed="001_2eaa9cda53165842.txt",
    section="Identificatie: «3. Personen die behandeld worden met glucocorticoïden.»",
    catalog="rules.md §8 GC-GEN-1",
)
_S0_GC = Citation(
    source="S0",
    seed="000_95eb2cca0b0588fb.txt",
    section="Wanneer osteoporose profylaxe?",
    catalog="rules.md §8 GC-LEGACY-1",
)

# ----------------------------------------------------------------------------------------------------------------
# The shared decision procedure (rules.md §8.0)
# ----------------------------------------------------------------------------------------------------------------


class _Band(StrEnum):
    HIGH = "high"
    LOW = "low"
    MINIMAL = "minimal"


@dataclass(frozen=True, slots=True)
class _Course:
    """The current or ordered glucocorticoid course and the §8.0 inputs derived from it."""

    exposure: GlucocorticoidExposure
    dose: float | None
    """Prednisone-equivalent mg/day (``None`` = unknown)."""
    months: float | None
    """``GC_EXPECTED_TOTAL_M``; use already ≥ 3 months meets it whatever remains."""
    duration_met: bool | None
    band: _Band | None
    age: int | None
    evidence: tuple[Evidence, ...]


def _at_least(value: float, threshold: float, *, inclusive: bool) -> bool:
    return value >= threshold if inclusive else value > threshold


def _num(value: float) -> str:
    """A number for a card: one decimal, without a trailing ``.0`` (render localises the decimal mark)."""
    return f"{value:.1f}".removesuffix(".0")


def _strength(mg_per_unit: float | None, mg_per_ml: float | None) -> str:
    return f"{_num(mg_per_unit)} mg" if mg_per_unit is not None else f"{_num(mg_per_ml or 0.0)} mg/mL"


def _coded_strength(coded: CodedStrength) -> str:
    """``5 mg (RxNorm 312617) ≠ 10 mg``: the code's strength, which was used, against the name's."""
    return (
        f"{_strength(coded.mg_per_unit, coded.mg_per_ml)} (RxNorm {coded.code}) ≠ "
        f"{_strength(coded.name_mg_per_unit, coded.name_mg_per_ml)}"
    )


def _band(dose: float | None, parameters: GuidelineParameters) -> _Band | None:
    if dose is None:
        return None
    if _at_least(dose, GC_DOSE_HIGH.value, inclusive=parameters.gc_dose_high_inclusive):
        return _Band.HIGH
    if _at_least(dose, GC_DOSE_LOW.value, inclusive=parameters.gc_dose_low_inclusive):
        return _Band.LOW
    return _Band.MINIMAL


@context_fact
def _course(ctx: RuleContext) -> _Course | None:
    """The §8.0 inputs of the current or ordered systemic glucocorticoid; ``None`` without one."""
    gc = ctx.snapshot.current_glucocorticoid()
    if gc is None:
        return None
    parameters = ctx.parameters
    evidence = [
        Evidence("glucocorticoid", gc.drug.value, gc.start.earliest if gc.start else None, gc.source.reference())
    ]
    dose = gc.prednisone_eq_mg_per_day
    if dose is not None:
        evidence.append(Evidence("prednisone-equivalent", _num(dose), None, gc.source.reference()))
    coded = gc.dose.strength_from_code if gc.dose is not None else None
    if coded is not None:
        evidence.append(Evidence("strength-from-code", _coded_strength(coded), None, gc.source.reference()))
    months = gc.expected_total_months
    days_per_month = ctx.snapshot.days_per_month
    if (
        months is None
        and gc.elapsed_months is not None
        and gc_duration_met(gc.elapsed_months, parameters, days_per_month)
    ):
        months = gc.elapsed_months
    duration_met = None if months is None else gc_duration_met(months, parameters, days_per_month)
    if months is not None:
        evidence.append(Evidence("glucocorticoid-duration", _num(months)))
    age = ctx.snapshot.patient.age
    if age is not None:
        evidence.append(Evidence("age", str(age)))
    return _Course(gc, dose, months, duration_met, _band(dose, parameters), age, tuple(evidence))


def _gc_ordered(snapshot: ClinicalSnapshot) -> bool:
    return any(order.drug is not None and order.drug.is_glucocorticoid for order in snapshot.new_orders)


def _in_scope(ctx: RuleContext) -> bool:
    """Patient-view always; the order hooks only when a systemic glucocorticoid is being ordered."""
    return ctx.hook is Hook.PATIENT_VIEW or _gc_ordered(ctx.snapshot)


def _protected(snapshot: ClinicalSnapshot) -> bool:
    """On an osteoporosis drug, or one is being ordered (rules.md D-OPDRUG; a draft counts as about to start)."""
    ordered = any(o.drug is not None and o.drug.is_osteoporosis_drug for o in snapshot.new_orders)
    return ordered or snapshot.is_on_bone_protection()


def _ordered_or_current(snapshot: ClinicalSnapshot, drugs: frozenset[Drug]) -> set[Drug]:
    ordered = {o.drug for o in snapshot.new_orders if o.drug in drugs}
    return {d for d in drugs if snapshot.is_on(d)} | {d for d in ordered if d is not None}


def _is_recent(fracture: Fracture, ctx: RuleContext) -> bool | None:
    """rules.md ``RECENT_FX_YEARS`` (the shared clause :func:`is_recent_fracture`)."""
    return is_recent_fracture(fracture, ctx.as_of, ctx.parameters)


def _recent_non_vertebral(ctx: RuleContext) -> tuple[Fracture, ...]:
    return tuple(
        f for f in ctx.snapshot.fractures if f.site is not FractureSite.VERTEBRAL and _is_recent(f, ctx) is True
    )


def _fracture_evidence(key: str, fractures: Sequence[Fracture]) -> list[Evidence]:
    items = []
    for fracture in fractures:
        value = fracture.site.value
        if fracture.site is FractureSite.VERTEBRAL:
            value = f"{value}, grade {fracture.vertebral_grade}" if fracture.vertebral_grade else value
        items.append(
            Evidence(key, value, fracture.date.earliest if fracture.date else None, fracture.source.reference())
        )
    return items


_T_LABELS = {
    "lumbar-spine": "t-score-lumbar-spine",
    "femoral-neck": "t-score-femoral-neck",
    "total-hip": "t-score-total-hip",
}


def _t_evidence(study: DxaStudy) -> list[Evidence]:
    scores = [t for t in (study.t_lumbar_spine, study.t_femoral_neck, study.t_total_hip) if t is not None]
    return [Evidence(_T_LABELS[t.site.value], _num(t.value), t.observed.earliest, t.source.reference()) for t in scores]


def _decision_dxa(snapshot: ClinicalSnapshot) -> DxaStudy | None:
    """The latest DXA when it is recent enough to decide on (D-DXA-STATUS DECISION_OK), else ``None``."""
    return snapshot.latest_dxa if snapshot.dxa_status is DxaStatus.DECISION_OK else None


# ----------------------------------------------------------------------------------------------------------------
# Drug choice: what a suggestion may not offer
# ----------------------------------------------------------------------------------------------------------------


def _unsuitable(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> frozenset[str]:
    """Suggestion keys the GC cards must not offer: the shared contraindication filter of rules.md §14.4
    (:func:`app.rules.osteoporosis.safety.contraindicated_drugs`: renal function per drug, teriparatide after
    denosumab, ...) mapped onto this family's agents; ``oral-bisphosphonate`` when alendronate or risedronate is
    contraindicated."""
    forbidden = contraindicated_drugs(snapshot, parameters)
    keys = {key for key, drug in _AGENTS.items() if drug in forbidden}
    if Drug.ALENDRONATE in forbidden or Drug.RISEDRONATE in forbidden:
        keys.add("oral-bisphosphonate")
    return frozenset(keys)


_AGENTS = {"zoledronate": Drug.ZOLEDRONATE, "denosumab": Drug.DENOSUMAB, "teriparatide": Drug.TERIPARATIDE}
_SECOND_CHOICE = ("zoledronate", "denosumab", "teriparatide")


def _second_choice(unsuitable: frozenset[str]) -> tuple[str, ...]:
    return tuple(key for key in _SECOND_CHOICE if key not in unsuitable)


def _renal_evidence(snapshot: ClinicalSnapshot) -> list[Evidence]:
    renal = snapshot.renal_function
    if renal is None:
        return []
    return [Evidence("renal-function", _num(renal.ml_per_min), renal.observed.earliest, renal.source.reference())]


def _start(
    rule_id: str, ctx: RuleContext, course: _Course, evidence: Sequence[Evidence], *, needs_baseline_dxa: bool
) -> Recommendation:
    """The "start bone protection" outcome: first choice alendronate/risedronate, or the GC second choice
    (GC-SWITCH-1 list) when an oral bisphosphonate is contraindicated or a current intolerance to one is recorded
    (rules.md GC-START-1 "unless oral BP contraindicated/intolerant -> GC-SWITCH-1 options")."""
    unsuitable = _unsuitable(ctx.snapshot, ctx.parameters)
    baseline = ("dxa-vfa",) if needs_baseline_dxa and ctx.snapshot.dxa_status is not DxaStatus.DECISION_OK else ()
    facts = {"dose": _num(course.dose) if course.dose is not None else ""}
    if "oral-bisphosphonate" in unsuitable:
        return Recommendation(
            rule_id,
            variant="start-second-choice",
            facts=facts,
            evidence=(*evidence, *_renal_evidence(ctx.snapshot)),
            suggestions=_with_supplements(ctx.snapshot, _second_choice(unsuitable)) + baseline,
        )
    intolerances = ctx.snapshot.oral_bisphosphonate_intolerances
    if intolerances:
        return Recommendation(
            rule_id,
            variant="start-intolerant",
            facts=facts,
            evidence=(*evidence, *intolerance_evidence(intolerances)),
            suggestions=_with_supplements(ctx.snapshot, _second_choice(unsuitable)) + baseline,
        )
    return Recommendation(
        rule_id,
        variant="start",
        facts=facts,
        evidence=tuple(evidence),
        suggestions=_with_supplements(ctx.snapshot, ("alendronate", "risedronate")) + baseline,
    )


def _with_supplements(snapshot: ClinicalSnapshot, agents: Sequence[str]) -> tuple[str, ...]:
    """The start suggestions with their calcium and vitamin D: each agent comes with colecalciferol (rules.md
    GC-START-1 suggestions "+ colecalciferol 800 IU daily"), or alone (``<agent>-alone``) when vitamin D is already
    current or ordered; calcium is a separate suggestion, for when the diet falls short (CALC-1, conflicts.md C-33:
    diet first), offered only when no calcium supplement is current or ordered."""
    supplements = _ordered_or_current(snapshot, frozenset({Drug.VITAMIN_D_SUPPLEMENT, Drug.CALCIUM_SUPPLEMENT}))
    suffix = "-alone" if Drug.VITAMIN_D_SUPPLEMENT in supplements else ""
    calcium = () if Drug.CALCIUM_SUPPLEMENT in supplements else ("calcium",)
    return (*(f"{agent}{suffix}" for agent in agents), *calcium)


# ----------------------------------------------------------------------------------------------------------------
# GC-GEN-1
# ----------------------------------------------------------------------------------------------------------------


def _gc_gen_1(ctx: RuleContext) -> Outcome:
    """«Streef bij de behandeling van alle GC naar zo kort mogelijk en zo laag mogelijke dosis GC, voldoende
    calcium (minimaal 1000-1200 mg per dag) en vitamine D, gezonde voeding, bewegen, onderdrukking onderliggende
    aandoening, zo nodig ook door gebruik van andere immunosuppressiva, stoppen met roken en geen of matig alcohol
    gebruik.» (S4 Bijlage 2, GC); «Geef leefstijl en valpreventie adviezen, start zo nodig Ca/D3» (S4 Bijlage 8).

    When: a current or ordered systemic glucocorticoid expected for ≥ 3 months. Then: general measures (info),
    listing the vitamin D / calcium already in place. Expected duration unknown → the same card phrased "if use
    is expected ≥ 3 months"; daily dose unknown → the card says the GC scheme could not be applied.
    """
    rule_id = "GC-GEN-1"
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    if course.duration_met is False:
        return NotApplicable(rule_id, f"expected GC use below {GC_MIN_DURATION}")
    snapshot = ctx.snapshot
    evidence = list(course.evidence)
    suggestions: list[str] = []
    for drug, key in ((Drug.VITAMIN_D_SUPPLEMENT, "vitamin-d-in-place"), (Drug.CALCIUM_SUPPLEMENT, "calcium-in-place")):
        history = snapshot.therapy(drug)
        if drug in _ordered_or_current(snapshot, frozenset({drug})):
            start = history.current_episode.start if history and history.current_episode else None
            evidence.append(Evidence(key, "✓", start))
        else:
            suggestions.append("colecalciferol" if drug is Drug.VITAMIN_D_SUPPLEMENT else "calcium")
    if snapshot.dxa_status is not DxaStatus.DECISION_OK:
        suggestions.append("dxa-vfa")
    if course.duration_met is None:
        return CannotAssess(
            rule_id,
            ("glucocorticoid-duration",),
            variant="conditional",
            evidence=tuple(evidence),
            suggestions=tuple(suggestions),
        )
    if course.dose is None:
        return CannotAssess(
            rule_id,
            ("glucocorticoid-dose",),
            variant="dose-unknown",
            evidence=tuple(evidence),
            suggestions=tuple(suggestions),
        )
    return Recommendation(rule_id, variant="measures", evidence=tuple(evidence), suggestions=tuple(suggestions))


GC_GEN_1 = Rule(
    id="GC-GEN-1",
    title="General measures for every patient on systemic glucocorticoids ≥ 3 months",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-GEN-1"), _S1_IDENTIFICATION),
    evaluate=_gc_gen_1,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-START-1
# ----------------------------------------------------------------------------------------------------------------


def _gc_start_1(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten ≥ 50 jaar, die naar verwachting langer dan 3 maanden prednison > 7,5 mg per dag zullen
    gebruiken, direct met medicatie ter preventie van fracturen, onafhankelijk van de uitslag van de BMD/VFA»
    (S4 Bijlage 2, GC).

    When: a current or ordered systemic glucocorticoid, age ≥ 50, prednisone-eq. ≥ 7.5 mg/day expected for
    ≥ 3 months, and no bone-protective drug (current or ordered). Then: start alendronate or risedronate now
    (warning); DXA + VFA only as a baseline. An oral bisphosphonate contraindicated (renal function < 30) → the
    GC second choice (zoledronate, denosumab, teriparatide as far as not contraindicated). Age, dose or expected
    duration unknown → the conditional card (info).
    """
    rule_id = "GC-START-1"
    snapshot = ctx.snapshot
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    if _protected(snapshot):
        return NotApplicable(rule_id, "already on (or being ordered) a bone-protective drug")

    missing: list[str] = []
    if course.age is None:
        missing.append("age")
    elif course.age < GC_DIRECT_START_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {course.age} below {GC_DIRECT_START_MIN_AGE}")
    if course.band is None:
        missing.append("glucocorticoid-dose")
    elif course.band is not _Band.HIGH:
        return NotApplicable(rule_id, f"prednisone-eq. {_num(course.dose or 0.0)} mg/day below {GC_DOSE_HIGH}")
    if course.duration_met is None:
        missing.append("glucocorticoid-duration")
    elif not course.duration_met:
        return NotApplicable(rule_id, f"expected GC use below {GC_MIN_DURATION}")

    if missing:
        unsuitable = _unsuitable(snapshot, ctx.parameters)
        second = "oral-bisphosphonate" in unsuitable or bool(snapshot.oral_bisphosphonate_intolerances)
        drugs = _second_choice(unsuitable) if second else ("alendronate", "risedronate")
        return CannotAssess(
            rule_id,
            tuple(missing),
            variant="conditional",
            evidence=course.evidence,
            suggestions=(*_with_supplements(snapshot, drugs), "dxa-vfa"),
        )
    return _start(rule_id, ctx, course, course.evidence, needs_baseline_dxa=True)


GC_START_1 = Rule(
    id="GC-START-1",
    title="Age ≥ 50, prednisone-eq. ≥ 7.5 mg/day for ≥ 3 months: start bone protection now",
    hooks=_ALL_HOOKS,
    profiles=_NL,  # [NL] in the catalog
    citations=(_s4("GC-START-1"),),
    evaluate=_gc_start_1,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-START-2 / GC-START-3 (HIGH & A40)
# ----------------------------------------------------------------------------------------------------------------


def _high_a40(rule_id: str, ctx: RuleContext) -> _Course | NotApplicable:
    """The population of GC-START-2/3: 40 ≤ age < 50, HIGH band, ≥ 3 months, no bone protection.

    Unknown age / dose / duration are asked for by GC-START-1 (age), GC-GEN-1 (dose, duration).
    """
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    if course.age is None or course.band is None or course.duration_met is None:
        return NotApplicable(rule_id, "age, dose or duration unknown: GC-START-1 / GC-GEN-1 name the missing input")
    if not GC_AGE_BAND_A40.value <= course.age < GC_DIRECT_START_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {course.age} outside band A40 (40-49)")
    if course.band is not _Band.HIGH:
        return NotApplicable(rule_id, f"prednisone-eq. {_num(course.dose or 0.0)} mg/day below {GC_DOSE_HIGH}")
    if not course.duration_met:
        return NotApplicable(rule_id, f"expected GC use below {GC_MIN_DURATION}")
    if _protected(ctx.snapshot):
        return NotApplicable(rule_id, "already on (or being ordered) a bone-protective drug")
    return course


def _gc_start_2(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten 40-50 jaar, die naar verwachting langer dan 3 maanden prednison > 7,5 mg per dag zullen
    gebruiken direct met medicatie ter preventie van fracturen in aanwezigheid van: - een recente (< 2 jaar) niet-
    wervelfractuur; - en/of klinische wervelfractuur, bevestigd met beeldvorming op DXA (VFA) of röntgenfoto
    (minimaal graad 2, ≥ 25% hoogteverlies).» (S4 Bijlage 2, GC).

    When: 40 ≤ age < 50, prednisone-eq. ≥ 7.5 mg/day ≥ 3 months, no bone protection, and a non-vertebral fracture
    within 2 years (inclusive by default, C-07) or a vertebral fracture (grade ≥ 2 or unstated). Then: start now
    (warning), first choice oral bisphosphonate. No such fracture recorded → GC-START-3 decides on DXA/VFA.
    """
    rule_id = "GC-START-2"
    found = _high_a40(rule_id, ctx)
    if isinstance(found, NotApplicable):
        return found
    recent = _recent_non_vertebral(ctx)
    vertebral = qualifying_vertebral_fractures(ctx.snapshot)
    if not recent and not vertebral:
        return NotApplicable(rule_id, "no recent non-vertebral or vertebral fracture recorded (GC-START-3 decides)")
    evidence = [
        *found.evidence,
        *_fracture_evidence("recent-fracture", recent),
        *_fracture_evidence("vertebral-fracture", vertebral),
    ]
    return _start(rule_id, ctx, found, evidence, needs_baseline_dxa=True)


GC_START_2 = Rule(
    id="GC-START-2",
    title="Age 40–49, ≥ 7.5 mg/day ≥ 3 months, with recent fracture or vertebral fracture: start now",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-START-2"),),
    evaluate=_gc_start_2,
)


def _dxa_decision(rule_id: str, ctx: RuleContext, course: _Course, evidence: Sequence[Evidence]) -> Outcome:
    """rules.md GC-START-3/4: T ≤ −2.0 (lumbar spine and/or hip) or a vertebral fracture grade ≥ 2 → start;
    otherwise no drug; no decision-grade DXA (≤ ``DXA_DECISION_MAX_AGE_M``) → the missing-data card."""
    snapshot = ctx.snapshot
    vertebral = qualifying_vertebral_fractures(snapshot)
    if vertebral:
        return _start(
            rule_id,
            ctx,
            course,
            [*evidence, *_fracture_evidence("vertebral-fracture", vertebral)],
            needs_baseline_dxa=True,
        )
    study = _decision_dxa(snapshot)
    low = None if study is None else low_t_spine_or_hip(study, GC_T_THRESHOLD.value)
    if study is None or low is None:
        stale = [] if snapshot.latest_dxa is None else _t_evidence(snapshot.latest_dxa)
        return CannotAssess(
            rule_id,
            ("recent-dxa-vfa",),
            variant="missing",
            facts={"dose": _num(course.dose) if course.dose is not None else ""},
            evidence=(*evidence, *stale),
            suggestions=("dxa-vfa",),
        )
    with_t = [*evidence, *_t_evidence(study)]
    if low:
        return _start(rule_id, ctx, course, with_t, needs_baseline_dxa=False)
    return Recommendation(
        rule_id,
        variant="no-drug",
        facts={"dose": _num(course.dose) if course.dose is not None else ""},
        evidence=tuple(with_t),
    )


def _gc_start_3(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten 40-50 jaar, zonder recente niet- wervelfractuur of klinische wervelfractuur, die naar
    verwachting langer dan 3 maanden prednison > 7,5 mg per dag zullen gebruiken met medicatie ter preventie van
    fracturen in aanwezigheid van afwijkingen op DXA/VFA: - T-score» … «-2,0 in lumbale wervelkolom en/of heup
    en/of; - wervelfractuur op DXA (VFA) of röntgenfoto X-TWK en LWK (minimaal graad 2, ≥ 25% hoogteverlies).»
    (S4 Bijlage 2, GC; "≤" confirmed by Bijlage 8 «Wervelfractuur ≥ gr 2 en/of BMD* ≤ -2»).

    When: 40 ≤ age < 50, prednisone-eq. ≥ 7.5 mg/day ≥ 3 months, no bone protection, no GC-START-2 fracture.
    Then: T ≤ −2.0 at lumbar spine or hip (FN/TH) on a decision-grade DXA → start (warning); otherwise no drug
    (info: lifestyle, calcium/vitamin D). No DXA within ``DXA_DECISION_MAX_AGE_M`` → "DXA + VFA needed" (warning).
    """
    rule_id = "GC-START-3"
    found = _high_a40(rule_id, ctx)
    if isinstance(found, NotApplicable):
        return found
    if _recent_non_vertebral(ctx) or qualifying_vertebral_fractures(ctx.snapshot):
        return NotApplicable(rule_id, "a recent or vertebral fracture: GC-START-2 applies")
    return _dxa_decision(rule_id, ctx, found, found.evidence)


GC_START_3 = Rule(
    id="GC-START-3",
    title="Age 40–49, ≥ 7.5 mg/day ≥ 3 months, no fracture: decide on DXA/VFA",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-START-3"),),
    evaluate=_gc_start_3,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-START-4 (LOW & age ≥ 40)
# ----------------------------------------------------------------------------------------------------------------


def _gc_start_4(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten ≥ 40 jaar die naar verwachting langer» … «dan 3 maanden prednison > 2,5 mg en < 7,5 mg
    prednison per dag zullen gebruiken, met medicatie ter preventie van fracturen in aanwezigheid van afwijkingen
    op DXA/VFA» (S4 Bijlage 2, GC); Bijlage 8 «≥ 40jr» … «Prednison: ≥ 2,5 mg en < 7,5 mg».

    When: age ≥ 40 (also ≥ 50: no direct start at this dose), 2.5 ≤ prednisone-eq. < 7.5 mg/day (``GC_DOSE_LOW``
    inclusive by default, C-05) ≥ 3 months, no bone protection. Then: the GC-START-3 DXA/VFA decision (start,
    no drug, or "DXA + VFA needed"). Age unknown → a conditional card naming it.
    """
    rule_id = "GC-START-4"
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    if course.band is None or course.duration_met is None:
        return NotApplicable(rule_id, "dose or duration unknown: GC-GEN-1 / GC-START-1 name the missing input")
    if course.band is not _Band.LOW:
        return NotApplicable(rule_id, f"prednisone-eq. {_num(course.dose or 0.0)} mg/day outside the low band")
    if not course.duration_met:
        return NotApplicable(rule_id, f"expected GC use below {GC_MIN_DURATION}")
    if course.age is not None and course.age < GC_AGE_BAND_A40.value:
        return NotApplicable(rule_id, f"age {course.age} below {GC_AGE_BAND_A40} (GC-START-5)")
    if _protected(ctx.snapshot):
        return NotApplicable(rule_id, "already on (or being ordered) a bone-protective drug")
    if course.age is None:
        return CannotAssess(
            rule_id,
            ("age",),
            variant="conditional",
            facts={"dose": _num(course.dose or 0.0)},
            evidence=course.evidence,
            suggestions=("dxa-vfa",),
        )
    return _dxa_decision(rule_id, ctx, course, course.evidence)


GC_START_4 = Rule(
    id="GC-START-4",
    title="Age ≥ 40, 2.5–< 7.5 mg/day ≥ 3 months: decide on DXA/VFA",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-START-4"),),
    evaluate=_gc_start_4,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-START-5 (MINIMAL any age, or age < 40)
# ----------------------------------------------------------------------------------------------------------------


def _gc_start_5(ctx: RuleContext) -> Outcome:
    """S4 Bijlage 8: «Prednison < -2,5 mg (elke leeftijd)» [sic: read "< 2,5 mg"] and «< 40jr», placed next to
    «Geef leefstijl en valpreventie adviezen, start zo nodig Ca/D3» (reconstruction [INF], C-11, C-12).

    When: a glucocorticoid course ≥ 3 months (the §8.0 precondition) and either prednisone-eq. below the low band
    (any age) or age < 40 (any dose). Then: lifestyle and fall advice, calcium/vitamin D if needed; no
    scheme-driven drug (info). Age < 40 on ≥ 7.5 mg with a fracture → the scheme does not cover this: specialist
    judgement (info).
    """
    rule_id = "GC-START-5"
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    if course.duration_met is not True:
        return NotApplicable(rule_id, "expected GC use below 3 months or unknown (GC-GEN-1 asks)")
    if _protected(ctx.snapshot):
        return NotApplicable(rule_id, "already on (or being ordered) a bone-protective drug")
    facts = {"dose": _num(course.dose) if course.dose is not None else ""}
    if course.age is not None and course.age < GC_AGE_BAND_A40.value:
        fractures = ctx.snapshot.fractures
        if course.band is _Band.HIGH and fractures:
            return Recommendation(
                rule_id,
                variant="under-40-fracture",
                facts=facts,
                evidence=(*course.evidence, *_fracture_evidence("fracture", fractures)),
            )
        return Recommendation(rule_id, variant="under-40", facts=facts, evidence=course.evidence)
    if course.band is _Band.MINIMAL:
        return Recommendation(rule_id, variant="low-dose", facts=facts, evidence=course.evidence)
    return NotApplicable(rule_id, "age ≥ 40 (or unknown) with prednisone-eq. in the low or high band")


GC_START_5 = Rule(
    id="GC-START-5",
    title="Age < 40 (any dose) or < 2.5 mg/day (any age): no scheme-driven drug",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-START-5"),),
    evaluate=_gc_start_5,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-PARENT-1
# ----------------------------------------------------------------------------------------------------------------


def _gc_parent_1(ctx: RuleContext) -> Outcome:
    """«Overweeg direct te starten met parenterale medicatie (denosumab, teriparatide of zoledroninezuur bij
    patiënten ≥ 50 jaar die behandeld worden met tenminste of meer dan 7,5 mg prednison per dag gedurende 3
    maanden in combinatie met een zeer hoog risico» (S4 Bijlage 2, GC); Bijlage 8 «Indien : Leeftijd ≥ 75 jaar of
    Recente fractuur of≥ gr 2 of T-score ≤-2 of ≥ ≥15 mg prednison per dag of Hoge ziekteactiviteit».

    When: age ≥ 50, prednisone-eq. ≥ 7.5 mg/day ≥ 3 months, not on (or ordered) a parenteral agent, and any very-
    high-risk criterion: non-vertebral fracture within 2 years; vertebral fracture (grade ≥ 2); T ≤ −2.0 lumbar
    spine and/or hip; prednisone-eq. ≥ 15 mg/day; age ≥ 75 (``GC_PARENTERAL_AGE75``). Then: consider zoledronate,
    denosumab or teriparatide (info). Disease activity is not coded: "not assessed". No criterion met and no
    usable DXA → "DXA + VFA needed to assess the very-high-risk criteria" (info).
    """
    rule_id = "GC-PARENT-1"
    snapshot = ctx.snapshot
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    oral_bp_ordered = any(o.drug is not None and o.drug.is_oral_bisphosphonate for o in snapshot.new_orders)
    if ctx.hook is not Hook.PATIENT_VIEW and not (_gc_ordered(snapshot) or oral_bp_ordered):
        return NotApplicable(rule_id, "neither a glucocorticoid nor an oral bisphosphonate is being ordered")
    if course.age is None or course.band is None or course.duration_met is None:
        return NotApplicable(rule_id, "age, dose or duration unknown: GC-START-1 names the missing input")
    if course.age < GC_DIRECT_START_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {course.age} below {GC_DIRECT_START_MIN_AGE}")
    if course.band is not _Band.HIGH or not course.duration_met:
        return NotApplicable(rule_id, f"not on prednisone-eq. {GC_DOSE_HIGH} for {GC_MIN_DURATION}")
    if _ordered_or_current(snapshot, _PARENTERAL):
        return NotApplicable(rule_id, "already on (or being ordered) a parenteral osteoporosis agent")

    criteria: list[Evidence] = []
    criteria += _fracture_evidence("criterion-recent-fracture", _recent_non_vertebral(ctx))
    criteria += _fracture_evidence("criterion-vertebral-fracture", qualifying_vertebral_fractures(snapshot))
    study = snapshot.latest_dxa if snapshot.dxa_status is not DxaStatus.STALE else None
    low = None if study is None else low_t_spine_or_hip(study, GC_T_THRESHOLD.value)
    if study is not None and low:
        criteria += [
            Evidence("criterion-low-t-score", item.value, item.on, item.source)
            for item in _t_evidence(study)
            if float(item.value) <= GC_T_THRESHOLD.value
        ]
    if course.dose is not None and course.dose >= GC_DOSE_VERY_HIGH.value:
        criteria.append(Evidence("criterion-high-dose", _num(course.dose), None, course.exposure.source.reference()))
    if ctx.parameters.gc_parenteral_age75 and course.age >= GC_PARENTERAL_AGE.value:
        criteria.append(Evidence("criterion-age-75", str(course.age)))

    if criteria:
        unsuitable = _unsuitable(snapshot, ctx.parameters)
        return Recommendation(
            rule_id,
            variant="consider",
            evidence=(*course.evidence, *criteria, *_renal_evidence(snapshot)),
            suggestions=_second_choice(unsuitable),
        )
    if low is None:
        return CannotAssess(
            rule_id, ("recent-dxa-vfa",), variant="missing", evidence=course.evidence, suggestions=("dxa-vfa",)
        )
    return NotApplicable(rule_id, "no very-high-risk criterion (disease activity not assessed)")


GC_PARENT_1 = Rule(
    id="GC-PARENT-1",
    title="Age ≥ 50 on ≥ 7.5 mg with very high fracture risk: consider a parenteral agent directly",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_s4("GC-PARENT-1"),),
    evaluate=_gc_parent_1,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-SWITCH-1
# ----------------------------------------------------------------------------------------------------------------


def _oral_bp_start(snapshot: ClinicalSnapshot) -> date | None:
    episodes = snapshot.episodes_of(Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE)
    ongoing = [e for e in episodes if e.is_ongoing]
    return ongoing[-1].start if ongoing else None


def _gc_switch_1(ctx: RuleContext) -> Outcome:
    """«Schrijf als tweede keuze teriparatide, zoledroninezuur of denosumab voor bij GC- patiënten die: a) orale
    bisfosfonaten niet verdragen; b) een contra-indicatie hebben voor orale bisfosfonaten.» … «Overweeg tweede
    keuze teriparatide, zoledroninezuur of» … «denosumab voor bij GC- patiënten die: a) een slechte therapietrouw
    hebben; b) een nieuwe fractuur na tenminste 1 jaar therapie hebben.» (S4 Bijlage 2, GC).

    When: a GC user on an oral bisphosphonate (patient-view) or for whom one is being ordered (order-select).
    Then: oral-bisphosphonate contraindication (renal function < 30 mL/min) or a current coded intolerance to an
    oral bisphosphonate (AllergyIntolerance, any date) → prescribe the second choice (warning); a fracture ≥ 12
    months after the start of the oral bisphosphonate → consider the second choice (info; adherence is not recorded
    here: "adherence unknown"). Takes precedence over SWITCH-GI-1 in a GC user (vignette V16, conflicts.md C-55).
    """
    rule_id = "GC-SWITCH-1"
    snapshot = ctx.snapshot
    if snapshot.current_glucocorticoid() is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    ordered = any(o.drug is not None and o.drug.is_oral_bisphosphonate for o in snapshot.new_orders)
    on_oral = any(snapshot.is_on(d) for d in (Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE))
    if ctx.hook is Hook.PATIENT_VIEW and not on_oral:
        return NotApplicable(rule_id, "not on an oral bisphosphonate")
    if ctx.hook is Hook.ORDER_SELECT and not ordered:
        return NotApplicable(rule_id, "no oral bisphosphonate is being ordered")
    unsuitable = _unsuitable(snapshot, ctx.parameters)
    gc = snapshot.current_glucocorticoid()
    evidence = (
        [] if gc is None else [Evidence("glucocorticoid", gc.drug.value, gc.start.earliest if gc.start else None)]
    )
    if "oral-bisphosphonate" in unsuitable:
        return Recommendation(
            rule_id,
            variant="contraindication",
            evidence=(*evidence, *_renal_evidence(snapshot)),
            suggestions=_second_choice(unsuitable),
        )
    intolerances = oral_bisphosphonate_intolerance(snapshot, None).recorded
    if intolerances:
        return Recommendation(
            rule_id,
            variant="intolerance",
            evidence=(*evidence, *intolerance_evidence(intolerances), *_renal_evidence(snapshot)),
            suggestions=_second_choice(unsuitable),
        )
    start = _oral_bp_start(snapshot) if on_oral else None
    if start is not None:
        since = add_months(start, int(FAILURE_MIN_THERAPY.value))
        fractures = [f for f in snapshot.fractures if f.date is not None and f.date.earliest >= since]
        if fractures:
            return Recommendation(
                rule_id,
                variant="fracture",
                evidence=(
                    *evidence,
                    Evidence("oral-bisphosphonate-start", start.isoformat()),
                    *_fracture_evidence("fracture", fractures),
                ),
                suggestions=_second_choice(unsuitable),
            )
    if snapshot.renal_function is None:
        return CannotAssess(rule_id, ("renal-function",), variant="missing", evidence=tuple(evidence))
    return NotApplicable(rule_id, "no oral-bisphosphonate contraindication and no fracture after ≥ 12 months")


GC_SWITCH_1 = Rule(
    id="GC-SWITCH-1",
    title="GC patient who cannot take an oral bisphosphonate: second-choice agents",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_NL,
    citations=(_s4("GC-SWITCH-1"),),
    evaluate=_gc_switch_1,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-STOP-1
# ----------------------------------------------------------------------------------------------------------------


def _stopped_course(ctx: RuleContext) -> StoppedGlucocorticoidCourse | None:
    """The GC course that ended (patient-view, :func:`stopped_glucocorticoid_course`) or is being stopped now
    (order-sign), with its start."""
    snapshot = ctx.snapshot
    if ctx.hook is not Hook.ORDER_SIGN:
        return stopped_glucocorticoid_course(snapshot)
    episodes = snapshot.episodes_of(*_GLUCOCORTICOIDS)
    if not episodes:
        return None
    current = {g.drug for g in snapshot.glucocorticoids if g.is_current}
    stopping = {o.drug for o in snapshot.stop_orders if o.drug is not None and o.drug.is_glucocorticoid}
    if not stopping or _gc_ordered(snapshot) or not current <= stopping:
        return None
    return StoppedGlucocorticoidCourse(episodes[-1].start, ctx.as_of)


def _gc_stop_1(ctx: RuleContext) -> Outcome:
    """«Continueer de medicatie ter preventie van fracturen na stoppen met GC bij een T- score ≤-2.5 in lumbale
    wervelkolom en/of heup, of een incidente of prevalente wervelfractuur (graad 2 of hoger, ≥ 25% hoogteverlies),
    of een recente niet- wervelfractuur (< 2 jaar geleden)» … «Stop ook de medicatie ter preventie van fracturen
    na stoppen met GC-gebruiker die geen T-score ≤ -2.5 hebben, geen wervelfractuur en geen recente
    niet-wervelfractuur.» (S4 Bijlage 2, GC).

    When: a glucocorticoid course of ≥ 3 months ended (patient-view) or is being stopped (order-sign), and an
    osteoporosis drug started during that course is still active. Then: continue (info) if T ≤ −2.5 at lumbar
    spine or hip on a DXA after the stop, a vertebral fracture, or a fracture within 2 years (inclusive); else the
    drug can be stopped (info) — but never a plain stop of denosumab (rules.md §14.3: the DMAB-STOP transition).
    No DXA on or after the stop and no fracture criterion → "DXA + VFA needed" (info). The criteria are the shared
    clause :func:`gc_stop_criteria`, which DMAB-STOP-1 reads too.
    """
    rule_id = "GC-STOP-1"
    snapshot = ctx.snapshot
    course = _stopped_course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no glucocorticoid course stopped")
    if not course.lasted_long_enough(ctx.parameters):
        return NotApplicable(rule_id, f"the stopped course lasted less than {GC_MIN_DURATION}")
    bone = [
        h for h in snapshot.therapies if h.drug.is_osteoporosis_drug and h.is_current and h.current_episode is not None
    ]
    started_for_gc = [
        h for h in bone if h.current_episode and course.start <= h.current_episode.start <= course.stopped
    ]
    if not started_for_gc:
        return NotApplicable(rule_id, "no active osteoporosis drug started during the glucocorticoid course")
    evidence: list[Evidence] = [Evidence("glucocorticoid-stopped", course.stopped.isoformat())]
    for history in started_for_gc:
        episode = history.current_episode
        evidence.append(Evidence("osteoporosis-drug", history.drug.value, episode.start if episode else None))
    denosumab = any(h.drug is Drug.DENOSUMAB for h in started_for_gc)

    criteria = gc_stop_criteria(snapshot, course.stopped, ctx.parameters)
    if criteria.study is not None:
        evidence += _t_evidence(criteria.study)
    decision = criteria.continue_treatment
    if decision:
        vertebral = criteria.vertebral_fractures
        evidence += _fracture_evidence("recent-fracture", [f for f in criteria.recent_fractures if f not in vertebral])
        evidence += _fracture_evidence("vertebral-fracture", vertebral)
        return Recommendation(rule_id, variant="continue", evidence=tuple(evidence))
    if decision is None:
        return CannotAssess(
            rule_id, ("dxa-vfa-after-stop",), variant="missing", evidence=tuple(evidence), suggestions=("dxa-vfa",)
        )
    return Recommendation(rule_id, variant="denosumab" if denosumab else "stop", evidence=tuple(evidence))


GC_STOP_1 = Rule(
    id="GC-STOP-1",
    title="After stopping glucocorticoids: continue or stop bone medication",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SIGN}),
    profiles=_NL,
    citations=(_s4("GC-STOP-1"),),
    evaluate=_gc_stop_1,
)

# ----------------------------------------------------------------------------------------------------------------
# GC-LEGACY-1 (S0, disabled by default)
# ----------------------------------------------------------------------------------------------------------------


def _gc_legacy_1(ctx: RuleContext) -> Outcome:
    """«Glucocorticoïd gebruik langer dan 3 maanden: • Dosering > 7.5 mg per dag en < 15 mg • Leeftijd < 70 jaar:
    advies DEXA scan • Leeftijd > 70 jaar: advies behandelen • Dosering > 15 mg per dag: advies behandelen» (S0,
    superseded by S4; conflicts.md C-10).

    When: ``GC_LEGACY_ENABLED`` (off by default; audit only) and a glucocorticoid course of more than 3 months.
    Then: 7.5 < dose < 15 → age < 70: DXA; age > 70: treat; dose > 15: treat; the S0 gaps (exactly 7.5 mg, 15 mg
    or 70 years) → "not defined by S0" (info). Dose, duration or age unknown → a missing-data card.
    """
    rule_id = "GC-LEGACY-1"
    if not ctx.parameters.gc_legacy_enabled:
        return NotApplicable(rule_id, "GC_LEGACY_ENABLED is false (S0 superseded by S4)")
    course = _course(ctx)
    if course is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if not _in_scope(ctx):
        return NotApplicable(rule_id, "no glucocorticoid in the draft orders (patient-view covers current users)")
    missing = [
        key
        for key, value in (
            ("glucocorticoid-dose", course.dose),
            ("glucocorticoid-duration", course.months),
            ("age", course.age),
        )
        if value is None
    ]
    if missing:
        return CannotAssess(rule_id, tuple(missing), variant="missing", evidence=course.evidence)
    dose, months, age = course.dose or 0.0, course.months or 0.0, course.age or 0
    if months <= GC_LEGACY_MIN_DURATION.value or dose < GC_LEGACY_DOSE_LOW.value:
        return NotApplicable(rule_id, "S0: not more than 3 months or dose below 7.5 mg")
    facts = {"dose": _num(dose)}
    if dose in (GC_LEGACY_DOSE_LOW.value, GC_LEGACY_DOSE_HIGH.value):
        return Recommendation(rule_id, variant="undefined", facts=facts, evidence=course.evidence)
    if dose > GC_LEGACY_DOSE_HIGH.value:
        return Recommendation(rule_id, variant="treat", facts=facts, evidence=course.evidence)
    if age == GC_LEGACY_AGE.value:
        return Recommendation(rule_id, variant="undefined", facts=facts, evidence=course.evidence)
    variant = "treat" if age > GC_LEGACY_AGE.value else "dxa"
    return Recommendation(rule_id, variant=variant, facts=facts, evidence=course.evidence)


GC_LEGACY_1 = Rule(
    id="GC-LEGACY-1",
    title="Older GC prophylaxis rule (S0; disabled by default, audit only)",
    hooks=_ALL_HOOKS,
    profiles=_NL,
    citations=(_S0_GC,),
    evaluate=_gc_legacy_1,
)


RULES: tuple[Rule, ...] = (
    GC_START_1,
    GC_START_2,
    GC_START_3,
    GC_START_4,
    GC_START_5,
    GC_PARENT_1,
    GC_SWITCH_1,
    GC_STOP_1,
    GC_GEN_1,
    GC_LEGACY_1,
)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {
    "GC-QI-1": "a population quality indicator (numerator/denominator report), not a card (rules.md §8 GC-QI-1)",
}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
