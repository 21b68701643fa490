"""Safety property (issue "Guideline rules", acceptance): a denosumab stop without a follow-on order always gets a
critical card — whatever the injection history, renal function, stop encoding or hook (rules.md DMAB-STOP-1).

Generated patients, bounded and derandomized so that the suite stays fast and reproducible.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.fhir.record import PatientRecord
from app.hooks.schemas import Indicator
from app.render import load_card_catalog
from app.rules.model import CannotAssess, Hook, Recommendation, RuleContext
from app.rules.osteoporosis.denosumab import DMAB_STOP_1
from app.rules.parameters import GuidelineParameters
from app.snapshot import SnapshotParameters, build_snapshot
from app.terminology import load_catalog
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    egfr,
    medication_request,
    patient,
)

AS_OF = date(2025, 6, 1)
ROOT = Path(__file__).resolve().parents[2]
CODES = load_catalog(ROOT / "fhir_mappings")
CARDS = load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")

Json = dict[str, Any]


@st.composite
def injection_histories(draw: st.DrawFn) -> list[Json]:
    """0–24 injections, 5–9 months apart, the last one up to 10 years ago (sometimes an unrecorded date)."""
    count = draw(st.integers(min_value=0, max_value=24))
    last = AS_OF - timedelta(days=draw(st.integers(min_value=0, max_value=3650)))
    days = [last]
    for _ in range(count - 1):
        days.append(days[-1] - timedelta(days=draw(st.integers(min_value=150, max_value=270))))
    return [denosumab_injection(on=day.isoformat()) for day in reversed(days[:count])]


renal_results = st.one_of(
    st.none(),
    st.builds(
        lambda value, days, kind: (creatinine_clearance if kind else egfr)(
            value=value, on=(AS_OF - timedelta(days=days)).isoformat()
        ),
        st.floats(min_value=5, max_value=130, allow_nan=False).map(lambda v: round(v, 1)),
        st.integers(min_value=0, max_value=800),
        st.booleans(),
    ),
)

stop_encodings = st.sampled_from(
    [
        {"status": "stopped"},
        {"status": "cancelled"},
        {"status": "completed"},
        {"status": "draft", "do_not_perform": True},
    ]
)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(
    history=injection_histories(),
    renal=renal_results,
    stop=stop_encodings,
    active_order=st.booleans(),
    hook=st.sampled_from([Hook.ORDER_SELECT, Hook.ORDER_SIGN]),
    profile=st.sampled_from(["nl", "be"]),
    at_exactly_3y=st.sampled_from(["more-than-3", "less-than-3"]),
)
def test_a_denosumab_stop_without_a_follow_on_order_always_gets_a_critical_card(
    history: list[Json],
    renal: Json | None,
    stop: dict[str, Any],
    active_order: bool,
    hook: Hook,
    profile: str,
    at_exactly_3y: str,
) -> None:
    resources = [*history, *([renal] if renal else [])]
    if active_order:
        resources.append(medication_request(medication=DENOSUMAB_60MG, authored_on="2015-01-01"))
    record = PatientRecord(
        patient=patient(birth_date="1948-02-29"),
        resources=tuple(resources),
        draft_orders=(draft_medication_request(id="stop", medication=DENOSUMAB_60MG, **stop),),
        selections=("MedicationRequest/stop",),
        unavailable=(),
    )
    snapshot = build_snapshot(record, catalog=CODES, as_of=AS_OF, parameters=SnapshotParameters())
    parameters = GuidelineParameters(dmab_scheme_at_exactly_3y=at_exactly_3y).for_profile(profile)

    outcome = DMAB_STOP_1.evaluate(RuleContext(snapshot=snapshot, hook=hook, parameters=parameters, profile=profile))

    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    assert CARDS.templates["DMAB-STOP-1"].variants[outcome.variant].indicator is Indicator.CRITICAL
    assert "keep-denosumab" in outcome.suggestions
    assert outcome.facts.get("stop_order") == "MedicationRequest/stop"
