"""Anabolic (bone-forming) therapy (rules.md §12).

Besides the six ANABOLIC rules this module holds the small criteria helpers the switching rules share
(``app/rules/osteoporosis/switch.py``): vertebral-fracture counts by Genant grade (D-VF), the NL romosozumab and
teriparatide criteria (tri-state: a VF without a recorded grade may decide the outcome), "on or after
denosumab" (CI-TPTD-1) and fractures on antiresorptive therapy (D-FAIL timing).

Inputs the snapshot cannot show are stated where they matter: VFA/spine imaging results appear only as coded
vertebral fractures (with a grade when the source states it), so "no vertebral fracture recorded" is read as no
vertebral fracture known, not as a negative VFA.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

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
from app.rules.osteoporosis.predicates import (
    RiskClass,
    VertebralFractures,
    assess_bbc_risk,
    fractures_on_antiresorptive,
    has_cv_contraindication,
    in_bbc_population,
    is_on_or_after_denosumab,
    romosozumab_bmd_vf_criteria,
    teriparatide_bmd_vf_criteria,
    teriparatide_contraindications,
    usable_dxa,
    vertebral_fractures,
)
from app.rules.osteoporosis.thresholds import (
    ANABOLIC_END_GRACE,
    PREVALENT_VF_FOR_THIRD_FRACTURE,
    ROMO_MIN_AGE_NL,
    TPTD_BE_CHECK_AT,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    ClinicalSnapshot,
    DraftAction,
    Drug,
    Sex,
    TScore,
    add_months,
    shift_days,
)

__all__ = ["ANABOLIC_1", "ANABOLIC_2", "ANABOLIC_3", "ANABOLIC_4", "ANABOLIC_5", "ANABOLIC_6", "EXCLUDED", "RULES"]

_ALL_HOOKS = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_ORDER_HOOKS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})

_CONSOLIDATION = tuple(d for d in Drug if d.is_bisphosphonate or d is Drug.DENOSUMAB or d.is_serm)
_ANABOLICS = tuple(d for d in Drug if d.is_anabolic)

_S4_PLAN = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 2 (Botvormende middelen: romosozumab, teriparatide)",
    catalog="rules.md §12",
)
_S4_FLOW = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 8 flowchart 1 «Romosozumab 1 jaar», «Teriparatide 2 jaar», «Start voor minimaal 2 jr …»",
    catalog="rules.md §12, §9.0",
)
_S2_BBC = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="Zeer hoog fractuurrisico; anabole therapie; Tabel 2",
    catalog="rules.md §12",
)
_S0_TPTD = Citation(
    source="S0", seed="000_95eb2cca0b0588fb.txt", section="Teriparatide (Forsteo) «Max 2 jaar»", catalog="rules.md §12"
)


# ----------------------------------------------------------------------------------------------------------------
# Shared criteria helpers (also used by switch.py)
# ----------------------------------------------------------------------------------------------------------------


def _t(score: TScore | None) -> str:
    return "" if score is None else f"{score.value:g}"


def _t_evidence(what: str, score: TScore | None) -> Evidence | None:
    if score is None:
        return None
    return Evidence(what, f"{score.value:g}", score.observed.earliest, score.source.reference())


def _vf_evidence(vf: VertebralFractures) -> tuple[Evidence, ...]:
    return (
        Evidence("vertebral-fractures-grade-2-or-3", str(vf.at_least_grade2)),
        Evidence("vertebral-fractures-grade-3", str(vf.grade3)),
        *((Evidence("vertebral-fractures-ungraded", str(vf.ungraded)),) if vf.ungraded else ()),
    )


def _ordering(snapshot: ClinicalSnapshot, *drugs: Drug) -> bool:
    """A new (not stop) draft order of one of ``drugs``."""
    return any(d.action is DraftAction.NEW and d.drug in drugs for d in snapshot.draft_orders)


def _keep(*items: Evidence | None) -> tuple[Evidence, ...]:
    return tuple(item for item in items if item is not None)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-1 — romosozumab as first choice (NL)
# ----------------------------------------------------------------------------------------------------------------


def _anabolic_1(ctx: RuleContext) -> Outcome:
    """«Overweeg het botvormende middel romosozumab (maandelijks subcutane injecties 210mg gedurende 1 jaar) als
    eerste keus medicament bij postmenopauzale vrouwen ouder dan 50 jaar: • Met een BMD T score ≤ –2,5 in de
    totale heup, heuphals (niet LWK) én minstens 1 graad 2 of 3 wervelfractuur Óf Met een BMD T score ≤ –2,0 in de
    totale heup, heuphals (niet» … «LWK) én minstens 2 graad 2 of graad 3 wervelfracturen Indien zij geen
    myocardinfarct of CVA gehad hebben» (S4 Bijlage 2).

    When (patient-view): a postmenopausal woman > 50 with a recorded vertebral fracture, not on or after an
    anabolic. Then: eligible → info "consider referral for a 12-month course". When (order hooks): romosozumab is
    being ordered. Then: criteria not met → info listing what is unmet (not blocking). Hip T or VF grade missing
    → the "hip DXA and VFA needed" card.
    """
    rule_id = "ANABOLIC-1"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    ordering = ctx.hook is not Hook.PATIENT_VIEW
    if ordering and not _ordering(snapshot, Drug.ROMOSOZUMAB):
        return NotApplicable(rule_id, "no romosozumab order")
    if not ordering and any(snapshot.has_ever_taken(d) for d in _ANABOLICS):
        return NotApplicable(rule_id, "on or after an anabolic course (ANABOLIC-5/-6 apply)")
    vf = vertebral_fractures(snapshot)
    if not ordering and vf.total == 0:
        return NotApplicable(rule_id, "no vertebral fracture recorded")
    study = usable_dxa(snapshot)
    t_hip = study.t_hip if study else None
    age = snapshot.age
    evidence = _keep(
        _t_evidence("hip-t-score", t_hip), *_vf_evidence(vf), Evidence("age", str(age)) if age is not None else None
    )
    facts = {"t_hip": _t(t_hip), "vf": str(vf.at_least_grade2)}

    if has_cv_contraindication(snapshot, parameters):
        if ordering:
            return Recommendation(rule_id, "unmet-cv", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, "history of MI/stroke (CI-ROMO-1)")
    postmenopausal = snapshot.is_postmenopausal
    if snapshot.patient.sex is Sex.MALE or (age is not None and age <= ROMO_MIN_AGE_NL.value):
        if ordering:
            return Recommendation(rule_id, "unmet-population", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, "not a woman older than 50")
    missing: list[str] = []
    if age is None:
        missing.append("age")
    if postmenopausal is None:
        missing.append("menopausal-status")
    met = romosozumab_bmd_vf_criteria(None if t_hip is None else t_hip.value, vf, parameters.romo_nl_criteria)
    if met is False:
        if ordering:
            return Recommendation(rule_id, "unmet", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, f"hip T {_t(t_hip)} / {vf.at_least_grade2} grade ≥ 2 VF: criteria not met")
    if met is None:
        missing.append("hip-t-score" if t_hip is None else "vertebral-fracture-grade")
    if missing:
        return CannotAssess(rule_id, tuple(missing), evidence=evidence)
    if ordering:
        return NotApplicable(rule_id, "romosozumab ordered and NL first-choice criteria met")
    return Recommendation(rule_id, "eligible", facts=facts, evidence=evidence, suggestions=("romosozumab",))


ANABOLIC_1 = Rule(
    id="ANABOLIC-1",
    title="Romosozumab as first choice (NL criteria)",
    hooks=_ALL_HOOKS,
    profiles=frozenset({"nl"}),
    citations=(_S4_PLAN,),
    evaluate=_anabolic_1,
)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-2 — teriparatide as first choice (NL)
# ----------------------------------------------------------------------------------------------------------------


def _anabolic_2(ctx: RuleContext) -> Outcome:
    """«Overweeg het botvormende middel teriparatide (dagelijkse injecties met 20µg gedurende 2 jaar) als eerste keus
    medicament bij postmenopauzale vrouwen met een T-score ≤ -1,5 in de heuphals, totale heup of LWK en minstens 2
    graad 2 wervelfracturen of 1 graad 3 wervelfractuur.» (S4 Bijlage 2)

    When (patient-view): a postmenopausal woman with a recorded vertebral fracture, not on or after an anabolic.
    Then: eligible → info "consider referral for a 24-month course, then antiresorptive". When (order hooks):
    teriparatide is being ordered → criteria not met: info listing what is unmet; or romosozumab is being ordered
    in a patient with MI/stroke (CI-ROMO-1) → teriparatide shown as the alternative (met or not met). Never
    eligible on or within the look-back after denosumab (CI-TPTD-1) or with a CI-TPTD-2 contraindication.
    """
    rule_id = "ANABOLIC-2"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    ordering = ctx.hook is not Hook.PATIENT_VIEW
    alternative = False
    if ordering and not _ordering(snapshot, Drug.TERIPARATIDE):
        if _ordering(snapshot, Drug.ROMOSOZUMAB) and has_cv_contraindication(snapshot, parameters):
            alternative = True
        else:
            return NotApplicable(rule_id, "no teriparatide order (nor a contraindicated romosozumab order)")
    if not ordering and any(snapshot.has_ever_taken(d) for d in _ANABOLICS):
        return NotApplicable(rule_id, "on or after an anabolic course (ANABOLIC-5/-6 apply)")
    vf = vertebral_fractures(snapshot)
    if not ordering and vf.total == 0:
        return NotApplicable(rule_id, "no vertebral fracture recorded")
    study = usable_dxa(snapshot)
    t_min = study.lowest_t_score if study else None
    evidence = _keep(_t_evidence("lowest-t-score", t_min), *_vf_evidence(vf))
    facts = {"t_min": _t(t_min), "vf": str(vf.at_least_grade2), "vf3": str(vf.grade3)}
    unmet = "alternative-unmet" if alternative else "unmet"

    if snapshot.patient.sex is Sex.MALE:
        if ordering:
            return Recommendation(
                rule_id, "alternative-unmet" if alternative else "unmet-population", facts=facts, evidence=evidence
            )
        return NotApplicable(rule_id, "first-choice criteria cover postmenopausal women only (C-20)")
    after_dmab = is_on_or_after_denosumab(snapshot, parameters)
    if after_dmab:
        if ordering and not alternative:
            return Recommendation(rule_id, "unmet-denosumab", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, "on or recently after denosumab (CI-TPTD-1)")
    if teriparatide_contraindications(snapshot).reasons:
        if ordering and not alternative:
            return Recommendation(rule_id, "unmet-contraindication", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, "teriparatide contraindication (CI-TPTD-2)")
    missing: list[str] = []
    if snapshot.is_postmenopausal is None:
        missing.append("menopausal-status")
    if after_dmab is None:
        missing.append("denosumab-dates")
    met = teriparatide_bmd_vf_criteria(None if t_min is None else t_min.value, vf)
    if met is False:
        if ordering:
            return Recommendation(rule_id, unmet, facts=facts, evidence=evidence)
        return NotApplicable(rule_id, f"lowest T {_t(t_min)} / VF grades: criteria not met")
    if met is None:
        missing.append("t-score" if t_min is None else "vertebral-fracture-grade")
    if missing:
        return CannotAssess(rule_id, tuple(missing), evidence=evidence)
    if ordering and not alternative:
        return NotApplicable(rule_id, "teriparatide ordered and NL first-choice criteria met")
    return Recommendation(
        rule_id,
        "alternative-eligible" if alternative else "eligible",
        facts=facts,
        evidence=evidence,
        suggestions=("teriparatide",),
    )


ANABOLIC_2 = Rule(
    id="ANABOLIC-2",
    title="Teriparatide as first choice (NL criteria)",
    hooks=_ALL_HOOKS,
    profiles=frozenset({"nl"}),
    citations=(_S4_PLAN,),
    evaluate=_anabolic_2,
)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-3 — third fracture on antiresorptive therapy (NL)
# ----------------------------------------------------------------------------------------------------------------


def _anabolic_3(ctx: RuleContext) -> Outcome:
    """«Overweeg bij patiënten met 2 prevalente wervelfracturen en een derde fractuur na tenminste 1 jaar medicatie
    voor fractuurpreventie (botafbraakremmende medicatie) om een botvormend middel voor te schrijven: teriparatide
    (bij postmenopauzale vrouwen en bij (oudere) mannen) of romosozumab. (bij postmenopauzale vrouwen)»
    (S4 Bijlage 2)

    When: on antiresorptive therapy, a new fracture ≥ 12 months after its start, and ≥ 2 vertebral fractures
    before that fracture. Then: info "consider a bone-forming agent" — teriparatide (women and men; not on or
    after denosumab) and/or romosozumab (postmenopausal women without MI/stroke).
    """
    rule_id = "ANABOLIC-3"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    on_therapy = fractures_on_antiresorptive(snapshot)
    if on_therapy is None:
        return NotApplicable(rule_id, "not on antiresorptive therapy")
    if isinstance(on_therapy, str):
        if snapshot.fractures:
            return CannotAssess(rule_id, (on_therapy,))
        return NotApplicable(rule_id, "no fracture recorded")
    candidates = on_therapy.after_first_year
    if not candidates:
        if on_therapy.uncertain:
            return CannotAssess(rule_id, ("fracture-date",))
        return NotApplicable(rule_id, "no fracture after ≥ 12 months of antiresorptive therapy")
    third = max(candidates, key=lambda f: f.date.earliest if f.date else date.min)
    assert_date = third.date.earliest if third.date else snapshot.as_of
    vf = vertebral_fractures(snapshot, before=assert_date)
    if vf.total < PREVALENT_VF_FOR_THIRD_FRACTURE.value:
        return NotApplicable(rule_id, f"{vf.total} prevalent vertebral fracture(s) recorded before the new fracture")
    tptd = is_on_or_after_denosumab(snapshot, parameters) is False  # undated denosumab: not suggested
    romo = (
        snapshot.patient.sex is Sex.FEMALE
        and snapshot.is_postmenopausal is True
        and not has_cv_contraindication(snapshot, parameters)
    )
    variant = "both" if tptd and romo else "teriparatide" if tptd else "romosozumab" if romo else "specialist"
    suggestions = (("teriparatide",) if tptd else ()) + (("romosozumab",) if romo else ())
    evidence = (
        Evidence("prevalent-vertebral-fractures", str(vf.total)),
        Evidence(
            "new-fracture", third.site.value, third.date.earliest if third.date else None, third.source.reference()
        ),
        Evidence("antiresorptive-start", on_therapy.therapy_start.isoformat()),
    )
    return Recommendation(rule_id, variant, facts={"vf": str(vf.total)}, evidence=evidence, suggestions=suggestions)


ANABOLIC_3 = Rule(
    id="ANABOLIC-3",
    title="Anabolic after a third fracture on antiresorptive therapy",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),
    citations=(_S4_PLAN,),
    evaluate=_anabolic_3,
)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-4 — BBC very high risk → anabolic first; BE reimbursement
# ----------------------------------------------------------------------------------------------------------------


def _anabolic_4(ctx: RuleContext) -> Outcome:
    """«Bij deze patiënten is opstart van anabole therapie aangewezen, gevolgd door antiresorptieve therapie.»
    … «Ook patiënten met een T-score ≤ -3.5 hebben volgens de BBC-richtlijn een zeer hoog fractuurrisico, maar
    hebben, in afwezigheid van een MOF, geen recht op terugbetaling van anabole therapie» (S2).

    When (patient-view, all profiles): BBC very high risk (RISK-BBC-1: MOF in the past 2 years or T ≤ −3.5), no
    osteoporosis drug and no anabolic before. Then: info "anabolic first, then antiresorptive" (romosozumab
    preferred over teriparatide after bisphosphonates). BE profile, very high risk by T ≤ −3.5 alone (no recent
    MOF): info "anabolic not reimbursed" — at patient-view and when romosozumab/teriparatide is ordered. A man
    (BBC_APPLY_TO_MEN) is never offered romosozumab: his variant names teriparatide (rules.md §12, turn-2).
    """
    rule_id = "ANABOLIC-4"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    belgian = ctx.profile == "be"
    ordering = ctx.hook is not Hook.PATIENT_VIEW
    if ordering and not (belgian and _ordering(snapshot, Drug.ROMOSOZUMAB, Drug.TERIPARATIDE)):
        return NotApplicable(rule_id, "order check applies to romosozumab/teriparatide orders in the BE profile")
    if not ordering and (snapshot.is_on_bone_protection() or any(snapshot.has_ever_taken(d) for d in _ANABOLICS)):
        return NotApplicable(rule_id, "already on osteoporosis treatment or after an anabolic")
    population = in_bbc_population(snapshot, parameters)
    if population is False:
        return NotApplicable(rule_id, "outside the BBC population (BBC_APPLY_TO_MEN, postmenopausal women)")
    risk = assess_bbc_risk(snapshot, parameters)
    evidence = _keep(
        _t_evidence("lowest-t-score", risk.lowest_t),
        None
        if risk.recent_mof is None
        else Evidence(
            "recent-major-fracture",
            risk.recent_mof.site.value,
            risk.recent_mof.date.earliest if risk.recent_mof.date else None,
            risk.recent_mof.source.reference(),
        ),
    )
    if risk.risk_class is not RiskClass.VERY_HIGH:
        if risk.recent_mof_uncertain:
            return CannotAssess(rule_id, ("fracture-date",), evidence=evidence)
        return NotApplicable(rule_id, f"BBC risk {risk.risk_class.value}")
    if population is None:
        return CannotAssess(rule_id, ("menopausal-status",), evidence=evidence)
    if belgian and risk.recent_mof is None:
        if risk.recent_mof_uncertain:
            return CannotAssess(rule_id, ("fracture-date",), evidence=evidence)
        return Recommendation(rule_id, "be-not-reimbursed", facts={"t_min": _t(risk.lowest_t)}, evidence=evidence)
    if ordering:
        return NotApplicable(rule_id, "very high risk with a recent MOF: anabolic reimbursable")
    if snapshot.patient.sex is Sex.MALE:
        # rules.md §12 [turn-2 correction]: romosozumab is for postmenopausal women only; for a man the anabolic
        # agent is teriparatide, so no "romosozumab preferred after bisphosphonates" either.
        return Recommendation(rule_id, "anabolic-preferred-man", evidence=evidence)
    bp_pretreated = any(snapshot.has_ever_taken(d) for d in Drug if d.is_bisphosphonate)
    return Recommendation(
        rule_id, "anabolic-preferred-after-bp" if bp_pretreated else "anabolic-preferred", evidence=evidence
    )


ANABOLIC_4 = Rule(
    id="ANABOLIC-4",
    title="BBC very high risk → anabolic first; BE reimbursement limits",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=frozenset({"nl", "be"}),  # BBC very-high-risk part [ALL]; the reimbursement part only in BE
    citations=(_S2_BBC,),
    evaluate=_anabolic_4,
)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-5 — maximum duration of anabolic courses
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Course:
    drug: Drug
    start: date
    end: date
    """The planned end: romosozumab first dose + ROMO_MAX_M; teriparatide start + TPTD_MAX_M of covered days."""
    reached: bool
    doses: int
    covered_days: int
    sources: tuple[str, ...]


def _months_reached(start: date, covered_days: int, months: int) -> bool:
    """Calendar arithmetic (rules.md §0.3, D-BP): covered days from ``start`` reach ``start + months``."""
    return shift_days(start, covered_days - 1) >= add_months(start, months)


def _course(snapshot: ClinicalSnapshot, drug: Drug, parameters: GuidelineParameters) -> _Course | None:
    history = snapshot.therapy(drug)
    if history is None or history.first_start is None:
        return None
    start = history.first_start
    covered = history.cumulative_covered_days
    sources = tuple(r.reference() for r in history.sources)
    if drug is Drug.ROMOSOZUMAB:
        months = parameters.romosozumab_max_months
        doses = history.administration_count
        reached = doses >= months or snapshot.as_of > add_months(start, months)
        return _Course(drug, start, add_months(start, months), reached, doses, covered, sources)
    months = parameters.teriparatide_max_months or 24
    reached = _months_reached(start, covered, months)
    remaining = shift_days(snapshot.as_of, (add_months(start, months) - shift_days(start, covered)).days)
    return _Course(drug, start, remaining, reached, 0, covered, sources)


def _anabolic_5(ctx: RuleContext) -> Outcome:
    """«De behandeling met romosozumab is beperkt tot 12 maanden» … «Het gebruik van teriparatide is bovendien
    beperkt tot 18 maanden in België (elders 24 maanden; het zogenaamde anabool venster).» (S2); «Romosozumab 1
    jaar» … «Teriparatide 2 jaar» (S4 Bijlage 8); «Max 2 jaar (eenmalige cyclus)» (S0).

    When (order hooks): romosozumab or teriparatide is ordered after 12 monthly doses (or > 12 months since the
    first dose) / TPTD_MAX_M (24 NL, 18 BE) months of teriparatide. Then: warning "course complete: stop and start
    antiresorptive consolidation". BE: teriparatide beyond 9 months → info "continue only if the T-score rose".
    When (patient-view): on an anabolic within 1 month of the course end → info "plan consolidation"; past the
    maximum and still on it → warning. Start date unknown → "maximum duration cannot be checked".
    """
    rule_id = "ANABOLIC-5"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    ordering = ctx.hook is not Hook.PATIENT_VIEW
    drugs = (Drug.ROMOSOZUMAB, Drug.TERIPARATIDE)
    relevant = [d for d in drugs if _ordering(snapshot, d)] if ordering else [d for d in drugs if snapshot.is_on(d)]
    if not relevant:
        return NotApplicable(rule_id, "no anabolic ordered" if ordering else "not on an anabolic")
    drug = relevant[0]
    course = _course(snapshot, drug, parameters)
    if course is None:
        if ordering and not snapshot.has_ever_taken(drug):
            return NotApplicable(rule_id, "first order of this anabolic")
        return CannotAssess(rule_id, ("anabolic-start",))
    months = parameters.romosozumab_max_months if drug is Drug.ROMOSOZUMAB else parameters.teriparatide_max_months
    evidence = (
        Evidence("anabolic-start", drug.value, course.start, course.sources[0] if course.sources else None),
        Evidence("anabolic-doses", str(course.doses))
        if drug is Drug.ROMOSOZUMAB
        else Evidence("anabolic-months", f"{course.covered_days / snapshot.days_per_month:.1f}"),
    )
    variant = "romosozumab-complete" if drug is Drug.ROMOSOZUMAB else "teriparatide-complete"
    facts = {"months": str(months)}
    suggestions = ("denosumab", "zoledronate", "alendronate")
    if course.reached:
        return Recommendation(rule_id, variant, facts=facts, evidence=evidence, suggestions=suggestions)
    if ordering:
        belgian = ctx.profile == "be"
        if (
            drug is Drug.TERIPARATIDE
            and belgian
            and _months_reached(course.start, course.covered_days, int(TPTD_BE_CHECK_AT.value))
        ):
            return Recommendation(rule_id, "be-nine-month-check", evidence=evidence)
        return NotApplicable(rule_id, "anabolic course not yet complete")
    if snapshot.as_of >= add_months(course.end, -int(ANABOLIC_END_GRACE.value)):
        return Recommendation(
            rule_id, "ending", facts={"end": course.end.isoformat()}, evidence=evidence, suggestions=suggestions
        )
    return NotApplicable(rule_id, f"course ends {course.end}")


ANABOLIC_5 = Rule(
    id="ANABOLIC-5",
    title="Maximum duration of anabolic courses",
    hooks=_ALL_HOOKS,
    profiles=frozenset({"nl", "be"}),
    citations=(_S2_BBC, _S4_FLOW, _S0_TPTD),
    evaluate=_anabolic_5,
)


# ----------------------------------------------------------------------------------------------------------------
# ANABOLIC-6 — antiresorptive consolidation after an anabolic course
# ----------------------------------------------------------------------------------------------------------------


def _anabolic_end(snapshot: ClinicalSnapshot) -> tuple[Drug, date] | None:
    """The most recent ended anabolic course: ``(drug, end)``; the end is the last dated dose (romosozumab) or the
    last covered day (teriparatide)."""
    ended: list[tuple[Drug, date]] = []
    for drug in _ANABOLICS:
        history = snapshot.therapy(drug)
        if history is None or history.is_current:
            continue
        last = history.last_administration
        if last is not None:
            ended.append((drug, last.on.latest))
        elif history.episodes:
            ended.append((drug, history.episodes[-1].end))
    return max(ended, key=lambda item: item[1]) if ended else None


def _consolidation_started(snapshot: ClinicalSnapshot, since: date) -> bool:
    grace = add_months(since, -int(ANABOLIC_END_GRACE.value))
    for drug in _CONSOLIDATION:
        history = snapshot.therapy(drug)
        if history is None:
            continue
        if history.is_current or any(e.end >= grace for e in history.episodes):
            return True
        if any(a.on.latest >= grace for a in history.administrations):
            return True
    return False


def _anabolic_6(ctx: RuleContext) -> Outcome:
    """«Anabole therapie dient steeds gevolgd te worden door antiresorptieve therapie.» (S2); «Start voor minimaal
    2 jr botafbraakremmende medicatie» (S4 Bijlage 8).

    When (patient-view): an anabolic course ended (teriparatide stopped, romosozumab no longer current) and more
    than one month has passed since its last dose / covered day without a bisphosphonate, denosumab or SERM.
    When (order-sign): a stop order of an anabolic without an antiresorptive order or current antiresorptive.
    Then: warning "start bisphosphonate or denosumab for at least 2 years" (denosumab gives the best BMD gain after
    romosozumab).
    """
    rule_id = "ANABOLIC-6"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    years = {"years": str(parameters.post_anabolic_antiresorptive_min_years)}
    suggestions = ("denosumab", "zoledronate", "alendronate")
    if ctx.hook is Hook.ORDER_SIGN:
        stops = [d for d in snapshot.stop_orders if d.drug is not None and d.drug.is_anabolic]
        if not stops:
            return NotApplicable(rule_id, "no anabolic stop order")
        follow_on = _ordering(snapshot, *_CONSOLIDATION) or any(snapshot.is_on(d) for d in _CONSOLIDATION)
        if follow_on:
            return NotApplicable(rule_id, "antiresorptive ordered or current")
        return Recommendation(
            rule_id,
            "stop-order",
            facts=years,
            evidence=(
                Evidence(
                    "anabolic-stop-order",
                    stops[0].drug.value if stops[0].drug else "",
                    None,
                    stops[0].source.reference(),
                ),
            ),
            suggestions=suggestions,
        )
    ended = _anabolic_end(snapshot)
    if ended is None:
        return NotApplicable(rule_id, "no ended anabolic course")
    drug, end = ended
    if snapshot.as_of <= add_months(end, int(ANABOLIC_END_GRACE.value)):
        return NotApplicable(rule_id, f"{drug.value} ended {end}: consolidation may still start")
    if _consolidation_started(snapshot, end):
        return NotApplicable(rule_id, "antiresorptive consolidation started")
    evidence = (Evidence("anabolic-end", drug.value, end),)
    return Recommendation(
        rule_id,
        "after-romosozumab" if drug is Drug.ROMOSOZUMAB else "after-teriparatide",
        facts=years,
        evidence=evidence,
        suggestions=suggestions,
    )


ANABOLIC_6 = Rule(
    id="ANABOLIC-6",
    title="Anabolic therapy must be followed by antiresorptive consolidation (≥ 2 years)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SIGN}),
    profiles=frozenset({"nl", "be"}),
    citations=(_S2_BBC, _S4_FLOW),
    evaluate=_anabolic_6,
)


RULES: tuple[Rule, ...] = (ANABOLIC_1, ANABOLIC_2, ANABOLIC_3, ANABOLIC_4, ANABOLIC_5, ANABOLIC_6)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
