"""Follow-up and monitoring (rules.md §13)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.rules.model import (
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
    t_score_evidence,
)
from app.rules.osteoporosis.thresholds import (
    BTM_REPEAT_MONTHS,
    DXA_REPEAT_MIN_YEARS,
    HEIGHT_LOSS,
)
from app.snapshot.model import ClinicalSnapshot, LabTest, TherapyHistory, add_months, add_years

__all__ = ["EXCLUDED", "MON_BTM_1", "MON_DXA_1", "MON_SPINE_1", "RULES"]

_S2 = "002_d2419872b4f3ee7d.txt"
_S2_FOLLOW_UP = Citation("S2", _S2, "Opvolging (controle-DXA, beeldvorming wervelzuil)", "rules.md §13 MON-DXA-1")


def _current_treatment(snapshot: ClinicalSnapshot) -> tuple[TherapyHistory, date] | None:
    """The current osteoporosis drug (recorded, not a draft) whose current episode started first, with that start."""
    current = [
        (h, h.current_episode.start)
        for h in snapshot.therapies
        if h.drug.is_osteoporosis_drug and h.is_current and h.current_episode is not None
    ]
    return min(current, key=lambda item: item[1]) if current else None


def _mon_dxa_1(ctx: RuleContext) -> Outcome:
    """«De BBC adviseert een controle-DXA elke 2-5 jaar (met als streefdoel een behouden of gestegen BMD)» (S2).

    When: on an osteoporosis drug. Then: last DXA more than 5 years ago → warning (overdue); no DXA since the start
    of treatment and ≥ 2 years on treatment → info (consider a control DXA). Rule-specific evaluation points
    (BP-EVAL-1, BP-FU-1, DMAB-EVAL-1, DMAB-FU-1) take precedence (engine, rules.md §13).
    """
    rule_id = "MON-DXA-1"
    snapshot = ctx.snapshot
    treatment = _current_treatment(snapshot)
    if treatment is None:
        return NotApplicable(rule_id, "not on an osteoporosis drug")
    history, start = treatment
    evidence = [Evidence("treatment-start", history.drug.value, start)]
    study = snapshot.latest_dxa
    if study is not None:
        lowest = study.lowest_t_score
        evidence.append(
            t_score_evidence(lowest) if lowest else Evidence("dxa", str(study.observed), study.observed.earliest)
        )
        if ctx.as_of > add_years(study.observed.earliest, ctx.snapshot.dxa_stale_years):
            return Recommendation(rule_id, "overdue", {"last_dxa": str(study.observed)}, tuple(evidence), ("dxa-vfa",))
    since_start = study is not None and study.observed.earliest >= start
    if since_start:
        return NotApplicable(rule_id, f"control DXA {study.observed if study else ''} since the start of treatment")
    if ctx.as_of < add_years(start, int(DXA_REPEAT_MIN_YEARS.value)):
        return NotApplicable(rule_id, "less than 2 years on treatment")
    if study is None:
        return Recommendation(rule_id, "consider-no-dxa", {}, tuple(evidence), ("dxa-vfa",))
    return Recommendation(rule_id, "consider", {"last_dxa": str(study.observed)}, tuple(evidence), ("dxa-vfa",))


MON_DXA_1 = Rule(
    id="MON-DXA-1",
    title="DXA every 2–5 years on treatment",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(_S2_FOLLOW_UP,),
    evaluate=_mon_dxa_1,
)


def _mon_spine_1(ctx: RuleContext) -> Outcome:
    """«… en beeldvorming van de dorsale en lumbale wervelzuil op geleide van anamnese en klinisch onderzoek (bv. bij
    nieuw ontstane rugpijn of lengteverlies)» (S2).

    When: new back pain or measured height loss. Then: image the thoracolumbar spine (VFA or lateral X-ray), info.
    Neither back pain nor body height has a verified code in terminology.md, so the snapshot cannot show the
    trigger and the rule does not fire until such codes are added (its trigger is absent, not a decision input).
    """
    del ctx
    return NotApplicable(
        "MON-SPINE-1", f"back pain and height loss (any; ≥ {HEIGHT_LOSS} is a BBC major risk factor) are not recordable"
    )


MON_SPINE_1 = Rule(
    id="MON-SPINE-1",
    title="Spine imaging on new back pain or height loss",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(Citation("S2", _S2, "Opvolging; Tabel 1 «Gemeten lengteverlies ≥ 4 cm»", "rules.md §13 MON-SPINE-1"),),
    evaluate=_mon_spine_1,
)


def _mon_btm_1(ctx: RuleContext) -> Outcome:
    """«Om de therapietrouw na te gaan kunnen bij de start van de behandeling met orale bisfosfonaten en 3 maanden
    later de botombouwmerkers worden gemeten» (S2).

    When (only with ``btm_monitoring_enabled``): a new oral bisphosphonate is ordered (baseline s-CTX / s-P1NP), or
    in patient-view an oral bisphosphonate started ≥ 3 months ago with a baseline marker before the 3-month point
    and none since it [INF] (repeat). Then: info; interpretation per SWITCH-ADH-1.
    """
    rule_id = "MON-BTM-1"
    snapshot = ctx.snapshot
    if not ctx.parameters.btm_monitoring_enabled:
        return NotApplicable(rule_id, "BTM monitoring is optional and off (btm_monitoring_enabled)")
    oral = [h for h in snapshot.therapies if h.drug.is_oral_bisphosphonate and h.is_current]
    if ctx.hook is not Hook.PATIENT_VIEW:
        ordered = [o for o in snapshot.new_orders if o.drug is not None and o.drug.is_oral_bisphosphonate]
        if not ordered or oral:
            return NotApplicable(rule_id, "no new oral bisphosphonate being ordered")
        return Recommendation(rule_id, "baseline", {}, (), ("lab-ctx", "lab-p1np"))
    if not oral:
        return NotApplicable(rule_id, "not on an oral bisphosphonate")
    episodes = [h.current_episode for h in oral if h.current_episode is not None]
    if not episodes:
        return NotApplicable(rule_id, "no dated oral bisphosphonate episode")
    start = min(e.start for e in episodes)
    due = add_months(start, int(BTM_REPEAT_MONTHS.value))
    if ctx.as_of < due:
        return NotApplicable(rule_id, "less than 3 months on the oral bisphosphonate")
    markers = [r for r in snapshot.lab_results if r.test in (LabTest.CTX, LabTest.P1NP)]
    baseline = [r for r in markers if r.observed.latest < due]
    repeat = [r for r in markers if r.observed.earliest >= due]
    if not baseline or repeat:
        return NotApplicable(rule_id, "no baseline marker, or the 3-month marker is done")
    evidence = tuple(Evidence(f"btm-{r.test.value}", f"{r.value:g}", r.observed.earliest) for r in baseline)
    return Recommendation(
        rule_id,
        "repeat",
        {},
        (Evidence("treatment-start", "oral-bisphosphonate", start), *evidence),
        ("lab-ctx", "lab-p1np"),
    )


MON_BTM_1 = Rule(
    id="MON-BTM-1",
    title="Bone-turnover markers to check adherence to oral bisphosphonates",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=frozenset({"nl", "be"}),  # [ALL, optional]: gated on btm_monitoring_enabled
    citations=(Citation("S2", _S2, "Therapietrouw (botombouwmerkers)", "rules.md §13 MON-BTM-1"),),
    evaluate=_mon_btm_1,
)


RULES: tuple[Rule, ...] = (MON_DXA_1, MON_SPINE_1, MON_BTM_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {
    "MON-EVAL-1": "a summary table of evaluation time points, implemented by the rules it names (BP-EVAL-1, "
    "BP-MAX-1, DMAB-EVAL-1, ANABOLIC-5, BP-FU-1, DMAB-FU-1, GC-STOP-1, SCREEN-BBC-1); rules.md §13 MON-EVAL-1",
}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
