"""Switching therapy (rules.md §9, the reconstructed S4 Bijlage 8 flowchart 1 of §9.0).

SWITCH-GI-1 (oral-bisphosphonate side effects), SWITCH-ADH-1 (poor adherence), SWITCH-FAIL-1 (therapy failure),
SWITCH-FAIL-2 (failure + bone-forming criteria), SWITCH-DMAB-ROMO-1 (denosumab → romosozumab). The criteria helpers
are shared with the anabolic rules (``anabolic.py``); the oral-bisphosphonate intolerance helpers of this module
are shared with TX-CHOICE-2 and GC-SWITCH-1.

What the record can and cannot say:

- Intolerance: a coded ``AllergyIntolerance`` to an oral bisphosphonate (snapshot ``intolerances``). An
  intolerance written only in free text (a note, an uncoded record) is not detectable: the catalog's documented
  limitation (SWITCH-GI-1 "intolerance only in free text → not auto-detected"); the card says so.
- Adherence: bone-turnover markers at the start and ~3 months later (S2), and the proportion of days covered by
  the MedicationDispenses the EHR reports. The PDC is computed only when every counted dispense has an exact date
  and a known supply, and only over dispenses the record contains: a pharmacy that does not report to the EHR makes
  adherence look worse than it is, so the card asks to verify with the pharmacy. Clinician-recorded non-adherence
  has no verified code in terminology.md and is not read.
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
from app.rules.osteoporosis.evidence import (
    intolerance_evidence,
)
from app.rules.osteoporosis.predicates import (
    ORAL_BISPHOSPHONATES,
    FracturesOnTherapy,
    fractures_on_antiresorptive,
    has_cv_contraindication,
    is_on_or_after_denosumab,
    last_exposure,
    only_oral_solution,
    oral_bisphosphonate_intolerance,
    romosozumab_bmd_vf_criteria,
    teriparatide_bmd_vf_criteria,
    usable_dxa,
    vertebral_fractures,
)
from app.rules.osteoporosis.thresholds import (
    BMD_LOSS_PCT,
    BTM_CTX_DROP_PCT,
    BTM_FOLLOWUP_FROM_MONTHS,
    BTM_FOLLOWUP_TARGET_MONTHS,
    BTM_FOLLOWUP_TO_MONTHS,
    BTM_P1NP_DROP_PCT,
    DMAB_INTERVAL_MONTHS,
    DMAB_LAPSED_MONTHS,
    DMAB_LONG_TERM_YEARS,
    FAILURE_BBC_MIN_FRACTURES,
    FAILURE_MIN_THERAPY,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    BmdChange,
    ClinicalSnapshot,
    DispenseCoverage,
    DraftAction,
    DraftOrder,
    Drug,
    LabResult,
    LabTest,
    Sex,
    TherapyEpisode,
    add_months,
    derived_fact,
    shift_days,
)

__all__ = [
    "EXCLUDED",
    "RULES",
    "SWITCH_ADH_1",
    "SWITCH_DMAB_ROMO_1",
    "SWITCH_FAIL_1",
    "SWITCH_FAIL_2",
    "SWITCH_GI_1",
    "TherapyFailure",
    "MarkerResponse",
    "assess_therapy_failure",
    "marker_response",
]

_S4_FLOW = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 8 flowchart 1 «Indicatie voor switch» / «Redenen voor switch naar botvormende medicatie»",
    catalog="rules.md §9.0",
)
_S4_PLAN = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 2 «b) een nieuwe fractuur na tenminste 1 jaar therapie hebben»",
    catalog="rules.md §9 SWITCH-FAIL-1",
)
_S2_FAIL = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="Therapiefalen; omschakelen van denosumab naar romosozumab",
    catalog="rules.md §9",
)

_AGENT_VARIANT = {
    Drug.DENOSUMAB: "denosumab",
    Drug.ZOLEDRONATE: "zoledronate",
    Drug.ALENDRONATE: "oral-bp",
    Drug.RISEDRONATE: "oral-bp",
    Drug.IBANDRONATE: "oral-bp",
}
_AGENT_SUGGESTIONS = {
    "oral-bp": ("zoledronate", "denosumab", "alendronate-solution"),
    "zoledronate": ("denosumab",),
    "denosumab": (),
    "serm": ("zoledronate", "denosumab"),
}


# ----------------------------------------------------------------------------------------------------------------
# D-FAIL
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TherapyFailure:
    """rules.md D-FAIL on the current antiresorptive (C-21).

    ``nl``: ≥ 1 new fracture after ≥ 12 months of therapy (S4). ``bbc``: ≥ 2 such fractures or a BMD loss
    > 5 % vs the pre-treatment DXA (S2; the "further BMD decrease" uses BMD_LOSS_PCT [INF]; bone-turnover
    suppression is not in the snapshot). ``failure`` follows ``FAILURE_DEFINITION``: NL triggers and BBC
    confirms (default), or BBC only.
    """

    on: FracturesOnTherapy
    nl: bool
    bbc_fractures: bool
    bmd_loss: BmdChange | None
    failure: bool

    @property
    def bbc(self) -> bool:
        return self.bbc_fractures or self.bmd_loss is not None


def _bmd_loss(snapshot: ClinicalSnapshot, on: FracturesOnTherapy) -> BmdChange | None:
    """The largest BMD loss > 5 % on a DXA ≥ 12 months into therapy vs the last DXA before therapy started."""
    baseline = snapshot.dxa_on_or_before(on.therapy_start)
    after = snapshot.dxa_after(add_months(on.therapy_start, int(FAILURE_MIN_THERAPY.value)))
    with_bmd = [study for study in after if study.bmds]
    if baseline is None or not with_bmd:
        return None
    losses = [
        c for c in snapshot.bmd_changes(baseline, with_bmd[-1]) if round(c.percent, 9) < -BMD_LOSS_PCT.value
    ]  # round off float noise
    return min(losses, key=lambda c: c.percent) if losses else None


@derived_fact
def assess_therapy_failure(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> TherapyFailure | None | str:
    """D-FAIL; ``None`` when not on an antiresorptive, ``"therapy-start"`` when its start cannot be dated."""
    on = fractures_on_antiresorptive(snapshot)
    if on is None or isinstance(on, str):
        return on
    after = on.after_first_year
    nl = bool(after)
    bbc_fractures = len(after) >= FAILURE_BBC_MIN_FRACTURES.value
    loss = _bmd_loss(snapshot, on)
    bbc = bbc_fractures or loss is not None
    failure = bbc if parameters.failure_definition == "bbc" else (nl or bbc)
    return TherapyFailure(on, nl, bbc_fractures, loss, failure)


def _failure_evidence(failure: TherapyFailure) -> tuple[Evidence, ...]:
    on = failure.on
    items = [Evidence("antiresorptive", on.agent.value, on.agent_start, None)]
    items.append(Evidence("antiresorptive-start", on.therapy_start.isoformat()))
    for fracture in (*on.after_first_year, *on.within_first_year):
        items.append(
            Evidence(
                "new-fracture",
                fracture.site.value,
                fracture.date.earliest if fracture.date else None,
                fracture.source.reference(),
            )
        )
    if failure.bbc_fractures:
        items.append(Evidence("fractures-after-first-year", str(len(on.after_first_year))))
    if failure.bmd_loss is not None:
        change = failure.bmd_loss
        items.append(
            Evidence(
                f"bmd-change-{change.site.value}",
                f"{change.percent:.1f}",
                change.current.observed.earliest,
                change.current.source.reference(),
            )
        )
    return tuple(items)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-FAIL-1
# ----------------------------------------------------------------------------------------------------------------


def _switch_fail_1(ctx: RuleContext) -> Outcome:
    """«Overweeg behandeling met zoledroninezuur of denosumab of alendroninezuur in drankvorm, bij patiënten die:
    a) een slechte therapietrouw hebben; b) een nieuwe fractuur na tenminste 1 jaar therapie hebben.» (S4 Bijlage 2);
    «Therapiefalen van tabletten naar zoledroninezuur of denosumab of van zoledroninezuur naar denosumabof
    botvormende medicatie» (S4 Bijlage 8).

    When: on an antiresorptive with a new fracture (or, BBC, a BMD loss > 5 %) after ≥ 12 months of therapy.
    Then: warning "therapy failure: check adherence and secondary causes, switch" with the options for the agent
    (tablets → zoledronate or denosumab (solution last, C-50); zoledronate → denosumab or bone-forming;
    denosumab → never teriparatide, specialist). A new fracture in the first year → info "not failure by
    definition". Therapy start or fracture date undeterminable around the 12-month boundary → cannot assess.
    """
    rule_id = "SWITCH-FAIL-1"
    snapshot = ctx.snapshot
    failure = assess_therapy_failure(snapshot, ctx.parameters)
    if failure is None:
        return NotApplicable(rule_id, "not on antiresorptive therapy")
    if isinstance(failure, str):
        if snapshot.fractures:
            return CannotAssess(rule_id, (failure,))
        return NotApplicable(rule_id, "no fracture recorded")
    on = failure.on
    evidence = _failure_evidence(failure)
    if failure.failure:
        agent = _AGENT_VARIANT.get(on.agent, "serm")
        return Recommendation(rule_id, f"failure-{agent}", evidence=evidence, suggestions=_AGENT_SUGGESTIONS[agent])
    if on.after_first_year:
        return Recommendation(rule_id, "not-confirmed", evidence=evidence)
    if on.uncertain:
        missing = "therapy-start" if not on.therapy_start_exact else "fracture-date"
        return CannotAssess(rule_id, (missing,), evidence=evidence)
    if on.within_first_year:
        return Recommendation(rule_id, "early", evidence=evidence)
    return NotApplicable(rule_id, "no new fracture and no BMD loss on the current antiresorptive")


SWITCH_FAIL_1 = Rule(
    id="SWITCH-FAIL-1",
    title="Therapy failure on antiresorptive therapy",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),
    citations=(_S4_PLAN, _S4_FLOW, _S2_FAIL),
    evaluate=_switch_fail_1,
)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-FAIL-2
# ----------------------------------------------------------------------------------------------------------------


def _switch_fail_2(ctx: RuleContext) -> Outcome:
    """«Redenen voor switch naar botvormende medicatie: therapiefalen en» … «Heup BMD T≤-2.0+2 Gr2 of 1 Gr3 WF of
    T≤-2.5 + 1 Gr2 of 2 Gr3 WF» … «Romosozumab 1 jaar» … «*BMD T-score ≤-1.5 + 1 Gr3 of 2 Gr2 WF» … «Teriparatide
    2 jaar» … «Start voor minimaal 2 jr botafbraakremmende medicatie» (S4 Bijlage 8).

    When: therapy failure (D-FAIL) and the bone-forming criteria: romosozumab (NL criteria per ROMO_NL_CRITERIA,
    postmenopausal woman, no MI/stroke) and/or teriparatide (lowest T ≤ −1.5 with 1 grade-3 or 2 grade-2 VFs, not
    on or after denosumab). At order-select only when romosozumab or teriparatide is being ordered. Then: info
    "refer for bone-forming therapy, then ≥ 2 years antiresorptive". DXA or VF grade missing → cannot assess.
    """
    rule_id = "SWITCH-FAIL-2"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    if ctx.hook is not Hook.PATIENT_VIEW and not any(
        d.action is DraftAction.NEW and d.drug in (Drug.ROMOSOZUMAB, Drug.TERIPARATIDE) for d in snapshot.draft_orders
    ):
        return NotApplicable(rule_id, "no bone-forming order")
    failure = assess_therapy_failure(snapshot, parameters)
    if failure is None or isinstance(failure, str) or not failure.failure:
        return NotApplicable(rule_id, "no therapy failure (SWITCH-FAIL-1)")
    vf = vertebral_fractures(snapshot)
    study = usable_dxa(snapshot)
    t_hip = study.t_hip if study else None
    t_min = study.lowest_t_score if study else None
    romo_population = (
        snapshot.patient.sex is Sex.FEMALE
        and snapshot.is_postmenopausal is True
        and not has_cv_contraindication(snapshot, parameters)
    )
    romo = (
        romosozumab_bmd_vf_criteria(None if t_hip is None else t_hip.value, vf, parameters.romo_nl_criteria)
        if romo_population
        else False
    )
    tptd = (
        False
        if is_on_or_after_denosumab(snapshot, parameters) is not False
        else teriparatide_bmd_vf_criteria(None if t_min is None else t_min.value, vf)
    )
    evidence = (
        _failure_evidence(failure)
        + tuple(
            Evidence(what, f"{score.value:g}", score.observed.earliest, score.source.reference())
            for what, score in (("hip-t-score", t_hip), ("lowest-t-score", t_min))
            if score is not None
        )
        + (Evidence("vertebral-fractures-grade-2-or-3", str(vf.at_least_grade2)),)
    )
    if romo is True or tptd is True:
        variant = "both" if romo is True and tptd is True else "romosozumab" if romo is True else "teriparatide"
        suggestions = (("romosozumab",) if romo is True else ()) + (("teriparatide",) if tptd is True else ())
        return Recommendation(rule_id, variant, evidence=evidence, suggestions=suggestions)
    if romo is None or tptd is None:
        missing = "dxa" if study is None else "vertebral-fracture-grade"
        return CannotAssess(rule_id, (missing,), evidence=evidence)
    return NotApplicable(rule_id, "therapy failure without bone-forming BMD/VF criteria")


SWITCH_FAIL_2 = Rule(
    id="SWITCH-FAIL-2",
    title="Failure + BMD/VF criteria → bone-forming agent (NL flowchart)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=frozenset({"nl"}),
    citations=(_S4_FLOW,),
    evaluate=_switch_fail_2,
)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-DMAB-ROMO-1
# ----------------------------------------------------------------------------------------------------------------


def _switch_dmab_romo_1(ctx: RuleContext) -> Outcome:
    """«Minder duidelijkheid is er omtrent het omschakelen van denosumab naar romosozumab indien onder denosumab een
    nieuwe fractuur optreedt.» … «Er is echter nog onduidelijkheid wat betreft het omschakelen van langdurige
    therapie met denosumab (> 2.5-3 jaar) naar romosozumab (57). Sommige real life studies doen namelijk vermoeden
    dat therapie met romosozumab het reboundeffect dat ontstaat na stop van (langdurige) therapie met denosumab niet
    volledig kan voorkomen» (S2).

    When: romosozumab is being ordered and denosumab is current or was given within the last 18 months. Then:
    DMAB_YEARS (0.5 year per injection) > 2.5 → warning "unclear benefit, rebound may not be fully prevented";
    otherwise info "limited evidence". Denosumab duration unknown → cannot assess.
    """
    rule_id = "SWITCH-DMAB-ROMO-1"
    snapshot = ctx.snapshot
    if not any(d.action is DraftAction.NEW and d.drug is Drug.ROMOSOZUMAB for d in snapshot.draft_orders):
        return NotApplicable(rule_id, "no romosozumab order")
    history = snapshot.therapy(Drug.DENOSUMAB)
    if history is None:
        return NotApplicable(rule_id, "no denosumab recorded")
    last = last_exposure(snapshot, Drug.DENOSUMAB)
    recent = history.is_current or (
        last is not None and snapshot.as_of <= add_months(last, int(DMAB_LAPSED_MONTHS.value))
    )
    if not recent:
        if last is None:
            return CannotAssess(rule_id, ("denosumab-dates",))
        return NotApplicable(rule_id, f"last denosumab {last}: more than 18 months ago")
    if history.administrations:
        years = history.administration_count * DMAB_INTERVAL_MONTHS.value / 12
    elif history.episodes:
        years = history.cumulative_covered_days / snapshot.days_per_year
    else:
        return CannotAssess(rule_id, ("denosumab-dates",))
    evidence = (
        Evidence("denosumab-years", f"{years:g}"),
        Evidence("denosumab-injections", str(history.administration_count)),
        *((Evidence("denosumab-last", Drug.DENOSUMAB.value, last),) if last else ()),
    )
    variant = "long-term" if years > DMAB_LONG_TERM_YEARS.value else "short-term"
    return Recommendation(rule_id, variant, facts={"years": f"{years:g}"}, evidence=evidence)


SWITCH_DMAB_ROMO_1 = Rule(
    id="SWITCH-DMAB-ROMO-1",
    title="Denosumab → romosozumab: limited evidence",
    hooks=frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=frozenset({"nl", "be"}),
    citations=(_S2_FAIL,),
    evaluate=_switch_dmab_romo_1,
)

# ----------------------------------------------------------------------------------------------------------------
# Oral-bisphosphonate intolerance (shared with TX-CHOICE-2 and GC-SWITCH-1)
# ----------------------------------------------------------------------------------------------------------------


_S4_SIDE_EFFECTS = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 8 flowchart 1 «Bijwerkingen tabletten: naar drank of parenteraal»; Bijlage 2 «bovenbuik klachten»",
    catalog="rules.md §9 SWITCH-GI-1",
)
_S2_GI = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="«van een peroraal bisfosfonaat naar parenterale therapie bij onvoldoende therapietrouw o.w.v. "
    "gastro- intestinale of gastro-oesofageale nevenwerkingen»",
    catalog="rules.md §9 SWITCH-GI-1",
)
_S4_ADHERENCE = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 2 «a) een slechte therapietrouw hebben»",
    catalog="rules.md §9 SWITCH-ADH-1",
)
_S2_BTM = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="«Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst op goede compliantie»",
    catalog="rules.md §9 SWITCH-ADH-1; conflicts.md C-31",
)


def _oral_course(snapshot: ClinicalSnapshot) -> TherapyEpisode | None:
    """The most recent episode of oral bisphosphonates taken together (rules.md D-BP), ongoing or not."""
    episodes = snapshot.episodes_of(*ORAL_BISPHOSPHONATES)
    return episodes[-1] if episodes else None


def _on_oral_bisphosphonate(snapshot: ClinicalSnapshot) -> bool:
    return any(snapshot.is_on(drug) for drug in ORAL_BISPHOSPHONATES)


def _oral_orders(snapshot: ClinicalSnapshot) -> tuple[DraftOrder, ...]:
    return tuple(order for order in snapshot.new_orders if order.drug in ORAL_BISPHOSPHONATES)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-GI-1
# ----------------------------------------------------------------------------------------------------------------


def _switch_gi_1(ctx: RuleContext) -> Outcome:
    """«Bijwerkingen tabletten: naar drank of parenteraal» (S4 Bijlage 8); «Behandel patiënten die alendroninezuur
    en/of risedroninezuur niet verdragen, bijvoorbeeld vanwege bovenbuik klachten, … met zoledroninezuur (5mg
    eenmaal per infuus per jaar), of denosumab (2x per jaar 60 mg sc), of alendroninezuur in drankvorm. (70 mg per
    week)» (S4 Bijlage 2).

    When: patient-view of a patient on oral bisphosphonate tablets, or order-select of oral bisphosphonate tablets
    for a patient who took them before (re-ordering), with a current coded intolerance to an oral bisphosphonate
    recorded on or after the start of the (last) oral course. Then: warning "switch to alendronic acid oral solution
    or parenteral" (oral solution 70 mg weekly, zoledronic acid 5 mg IV yearly, denosumab 60 mg SC 6-monthly;
    contraindicated options are withheld by the renderer, rules.md §14.4). An intolerance whose date cannot be placed
    against the start → cannot assess; one recorded before the start → TX-CHOICE-2's "despite recorded intolerance".
    In a GC user GC-SWITCH-1 takes precedence (vignette V16; engine ``SUPERSEDED_BY``).
    """
    rule_id = "SWITCH-GI-1"
    snapshot = ctx.snapshot
    course = _oral_course(snapshot)
    evidence: list[Evidence] = []
    if ctx.hook is Hook.PATIENT_VIEW:
        if course is None or not _on_oral_bisphosphonate(snapshot):
            return NotApplicable(rule_id, "not on an oral bisphosphonate")
        if only_oral_solution(snapshot):
            return NotApplicable(rule_id, "already on alendronic acid oral solution")
    else:
        orders = _oral_orders(snapshot)
        if not orders:
            return NotApplicable(rule_id, "no oral bisphosphonate is being ordered")
        if all(order.is_oral_solution for order in orders):
            return NotApplicable(rule_id, "the oral solution is being ordered")
        if course is None:
            return NotApplicable(rule_id, "no earlier oral bisphosphonate: a first order is TX-CHOICE-1/-2's")
        evidence += [Evidence("draft-order", o.drug.value, None, o.source.reference()) for o in orders if o.drug]
    found = oral_bisphosphonate_intolerance(snapshot, course.start)
    evidence.append(Evidence("oral-bisphosphonate-start", course.start.isoformat()))
    suggestions = ("alendronate-solution", "zoledronate", "denosumab")
    if found.after_start:
        evidence.extend(intolerance_evidence(found.after_start))
        return Recommendation(rule_id, "intolerance", evidence=tuple(evidence), suggestions=suggestions)
    if found.undetermined:
        return CannotAssess(
            rule_id,
            ("intolerance-date",),
            evidence=(*evidence, *intolerance_evidence(found.undetermined)),
            suggestions=suggestions,
        )
    if found.before_start:
        return NotApplicable(rule_id, "intolerance recorded before the oral bisphosphonate was started (TX-CHOICE-2)")
    return NotApplicable(rule_id, "no current coded oral-bisphosphonate intolerance (free text is not detectable)")


SWITCH_GI_1 = Rule(
    id="SWITCH-GI-1",
    title="Oral bisphosphonate side effects → oral solution or parenteral",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=frozenset({"nl", "be"}),
    citations=(_S4_SIDE_EFFECTS, _S2_GI),
    evaluate=_switch_gi_1,
)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-ADH-1
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkerResponse:
    """One bone-turnover marker at the start of an oral bisphosphonate and ~3 months later (rules.md SWITCH-ADH-1)."""

    test: LabTest
    baseline: LabResult
    follow_up: LabResult
    decrease_pct: float | None
    """``100 × (baseline − follow-up) / baseline``; ``None`` when the two units cannot be compared."""
    threshold: float

    @property
    def reached(self) -> bool | None:
        """The decrease reaches the S2 threshold (≥; float noise rounded off)."""
        return None if self.decrease_pct is None else round(self.decrease_pct, 9) >= self.threshold


def _decrease_pct(baseline: LabResult, follow_up: LabResult) -> float | None:
    if baseline.ng_per_l is not None and follow_up.ng_per_l is not None and baseline.ng_per_l > 0:
        return 100.0 * (baseline.ng_per_l - follow_up.ng_per_l) / baseline.ng_per_l
    if baseline.unit == follow_up.unit and baseline.value > 0:
        return 100.0 * (baseline.value - follow_up.value) / baseline.value
    return None


def marker_response(snapshot: ClinicalSnapshot, test: LabTest, start: date) -> MarkerResponse | None:
    """The baseline (latest result from ``LAB_MAX_AGE_D`` before ``start`` up to ``start``: S2 «bij de start van
    de behandeling» gives no window, the catalog's pre-treatment lab age [NIS], the snapshot's ``lab_max_age_days``;
    a sample after the start day is no baseline, the markers fall within days of the first dose) and the
    follow-up (the result between ``BTM_FOLLOWUP_FROM_MONTHS`` and ``BTM_FOLLOWUP_TO_MONTHS`` after ``start``
    nearest to ``BTM_FOLLOWUP_TARGET_MONTHS``) of one marker; ``None`` without both."""
    threshold = BTM_CTX_DROP_PCT if test is LabTest.CTX else BTM_P1NP_DROP_PCT
    results = [r for r in snapshot.lab_results if r.test is test]
    earliest_baseline = shift_days(start, -snapshot.lab_max_age_days)
    baselines = [r for r in results if r.observed.earliest >= earliest_baseline and r.observed.latest <= start]
    window_from = add_months(start, int(BTM_FOLLOWUP_FROM_MONTHS.value))
    window_to = add_months(start, int(BTM_FOLLOWUP_TO_MONTHS.value))
    target = add_months(start, int(BTM_FOLLOWUP_TARGET_MONTHS.value))
    follow_ups = [r for r in results if r.observed.earliest >= window_from and r.observed.latest <= window_to]
    if not baselines or not follow_ups:
        return None
    baseline = baselines[-1]
    follow_up = min(follow_ups, key=lambda r: (abs((r.observed.earliest - target).days), r.observed.earliest))
    return MarkerResponse(test, baseline, follow_up, _decrease_pct(baseline, follow_up), threshold.value)


def _marker_evidence(response: MarkerResponse) -> tuple[Evidence, ...]:
    key = "ctx" if response.test is LabTest.CTX else "p1np"
    items = [
        Evidence(
            f"{key}-{name}",
            f"{result.value:g} {result.unit}".strip(),
            result.observed.earliest,
            result.source.reference(),
        )
        for name, result in (("baseline", response.baseline), ("follow-up", response.follow_up))
    ]
    if response.decrease_pct is not None:
        items.append(Evidence(f"{key}-decrease-pct", f"{response.decrease_pct:.1f}"))
    return tuple(items)


def _switch_adh_1(ctx: RuleContext) -> Outcome:
    """«Overweeg behandeling met zoledroninezuur of denosumab of alendroninezuur in drankvorm, bij patiënten die:
    a) een slechte therapietrouw hebben» (S4 Bijlage 2); «Een daling van ≥ 31% voor s-CTX en ≥ 20% voor P1NP wijst
    op goede compliantie» (S2).

    When: patient-view of a patient on an oral bisphosphonate. Then, per C-31: s-CTX and P1NP measured at the start
    and ~3 months later and neither decrease reaches its threshold → warning "possible non-adherence or incorrect
    intake"; dispensing-based adherence (PDC over the MedicationDispenses of the current course, at most
    ``adherence_pdc_window_days``, judged from ``adherence_pdc_min_days``) below ``adherence_pdc_min_pct`` [NIS] →
    info "poor adherence"; only one marker (of two, or the only one measured [INF]) below its threshold → info
    (ambiguous). Both thresholds reached → no card. Markers whose units cannot be compared → cannot assess. No
    dispensing data and no marker pair → no card: "nothing to evaluate" (catalog), reason given.
    """
    rule_id = "SWITCH-ADH-1"
    snapshot, parameters = ctx.snapshot, ctx.parameters
    course = _oral_course(snapshot)
    if course is None or not course.is_ongoing or not _on_oral_bisphosphonate(snapshot):
        return NotApplicable(rule_id, "not on an oral bisphosphonate")
    start = course.start
    responses = [r for test in (LabTest.CTX, LabTest.P1NP) if (r := marker_response(snapshot, test, start))]
    comparable = [r for r in responses if r.decrease_pct is not None]
    below = [r for r in comparable if r.reached is False]
    since = max(start, shift_days(snapshot.as_of, -(parameters.adherence_pdc_window_days - 1)))
    coverage = snapshot.dispense_coverage(ORAL_BISPHOSPHONATES, since=since)
    judged = isinstance(coverage, DispenseCoverage) and coverage.window_days >= parameters.adherence_pdc_min_days
    evidence: list[Evidence] = [Evidence("oral-bisphosphonate-start", start.isoformat())]
    for response in responses:
        evidence.extend(_marker_evidence(response))
    low_pdc = False
    facts: dict[str, str] = {}
    if isinstance(coverage, DispenseCoverage) and judged:
        low_pdc = round(coverage.percent, 9) < parameters.adherence_pdc_min_pct
        facts["pdc"] = f"{coverage.percent:.0f}"
        evidence.append(Evidence("pdc-pct", f"{coverage.percent:.1f}", None))
        evidence.append(Evidence("pdc-threshold-pct", f"{parameters.adherence_pdc_min_pct:g}"))
        evidence.append(Evidence("pdc-period", str(coverage.window_days), coverage.start))
        evidence.extend(
            Evidence("dispense", f"{record.supply_days:g}", record.start.earliest, record.source.reference())
            for record in coverage.dispenses
            if record.start is not None and record.supply_days is not None
        )
    suggestions = ("zoledronate", "denosumab", "alendronate-solution")
    if len(comparable) == 2 and len(below) == 2:
        return Recommendation(rule_id, "btm-poor", facts=facts, evidence=tuple(evidence), suggestions=suggestions)
    if low_pdc:
        return Recommendation(rule_id, "dispensing", facts=facts, evidence=tuple(evidence), suggestions=suggestions)
    if below:
        return Recommendation(rule_id, "btm-ambiguous", facts=facts, evidence=tuple(evidence), suggestions=suggestions)
    if responses and not comparable and not judged:
        return CannotAssess(rule_id, ("btm-units",), evidence=tuple(evidence))
    if not responses and not judged:
        why = coverage if isinstance(coverage, str) else f"PDC period below {parameters.adherence_pdc_min_days} days"
        return NotApplicable(
            rule_id, f"nothing to evaluate: no bone-turnover markers at start and ~3 months; dispensing: {why}"
        )
    return NotApplicable(rule_id, "bone-turnover markers and/or dispensing show no adherence problem")


SWITCH_ADH_1 = Rule(
    id="SWITCH-ADH-1",
    title="Poor adherence to an oral bisphosphonate",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),
    citations=(_S4_ADHERENCE, _S2_BTM),
    evaluate=_switch_adh_1,
)

RULES: tuple[Rule, ...] = (SWITCH_GI_1, SWITCH_ADH_1, SWITCH_FAIL_1, SWITCH_FAIL_2, SWITCH_DMAB_ROMO_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
