"""Switching therapy (rules.md §9, the reconstructed S4 Bijlage 8 flowchart 1 of §9.0).

SWITCH-FAIL-1 (therapy failure), SWITCH-FAIL-2 (failure + bone-forming criteria), SWITCH-DMAB-ROMO-1
(denosumab → romosozumab). The criteria helpers are shared with the anabolic rules (``anabolic.py``).
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
from app.rules.osteoporosis.anabolic import (
    FracturesOnTherapy,
    fractures_on_antiresorptive,
    has_cv_contraindication,
    is_on_or_after_denosumab,
    last_exposure,
    romosozumab_bmd_vf_criteria,
    teriparatide_bmd_vf_criteria,
    usable_dxa,
    vertebral_fractures,
)
from app.rules.osteoporosis.thresholds.switch import (
    BMD_LOSS_PCT,
    DMAB_LONG_TERM_YEARS,
    DMAB_RECENT_LOOKBACK,
    DMAB_YEARS_PER_INJECTION,
    FAILURE_BBC_MIN_FRACTURES,
    FAILURE_MIN_THERAPY,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import BmdChange, ClinicalSnapshot, DraftAction, Drug, Sex, add_months

__all__ = [
    "EXCLUDED",
    "RULES",
    "SWITCH_DMAB_ROMO_1",
    "SWITCH_FAIL_1",
    "SWITCH_FAIL_2",
    "TherapyFailure",
    "assess_therapy_failure",
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
        last is not None and snapshot.as_of <= add_months(last, int(DMAB_RECENT_LOOKBACK.value))
    )
    if not recent:
        if last is None:
            return CannotAssess(rule_id, ("denosumab-dates",))
        return NotApplicable(rule_id, f"last denosumab {last}: more than 18 months ago")
    if history.administrations:
        years = history.administration_count * DMAB_YEARS_PER_INJECTION.value
    elif history.episodes:
        years = history.cumulative_covered_days / 365.25
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

RULES: tuple[Rule, ...] = (SWITCH_FAIL_1, SWITCH_FAIL_2, SWITCH_DMAB_ROMO_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
