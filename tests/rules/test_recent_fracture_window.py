"""The recent-fracture window is one setting for every rule family (issue 16).

``OSTEO_GUIDELINE__RECENT_FX_YEARS`` (rules.md §2 ``RECENT_FX_YEARS``, conflicts.md C-07) once decided only the
glucocorticoid rules, while diagnosis, screening and denosumab kept their own two years. Vignette: a woman of 67
with a hip fracture 18 months ago (2023-12-01; today 2025-06-01). She took prednisone 10 mg/day from June 2022 to
February 2025 and was given denosumab for it; her DXA after the stop shows no T-score ≤ −2.5. Within a 2-year
window the fracture is recent in every family; within a 1-year window it is recent in none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.config import Settings
from app.fhir.record import PatientRecord
from app.rules.model import Hook, NotApplicable, Outcome, Recommendation, Rule, RuleContext
from app.rules.osteoporosis.denosumab import DMAB_STOP_1
from app.rules.osteoporosis.diagnosis import RISK_BBC_1
from app.rules.osteoporosis.glucocorticoids import GC_STOP_1
from app.rules.osteoporosis.screening import SCREEN_NL_1
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.snapshot.model import add_months
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    denosumab_injection,
    dxa_t_score,
    fracture,
    medication_request,
    patient,
    prednisone_statement,
)
from tests.rules._support import AS_OF, catalog

Json = dict[str, Any]


def the_patient(*, on_denosumab: bool) -> ClinicalSnapshot:
    """The woman of the vignette; ``on_denosumab`` false: the same record before any bone medication (the
    fracture-liaison work-up of SCREEN-NL-1 is for patients not yet treated)."""
    last_injection = date(2025, 3, 1)
    denosumab: list[Json] = [
        medication_request(medication=DENOSUMAB_60MG, authored_on="2023-06-01"),
        *(denosumab_injection(on=add_months(last_injection, -6 * i).isoformat()) for i in reversed(range(4))),
    ]
    resources: list[Json] = [
        fracture(site="hip", on="2023-12-01"),
        prednisone_statement(mg_per_day=10, start="2022-06-01", end="2025-02-01", status="completed"),
        *(denosumab if on_denosumab else []),
        dxa_t_score(site="lumbar-spine", value=-2.0, on="2025-05-01"),
        dxa_t_score(site="femoral-neck", value=-1.7, on="2025-05-01"),
        dxa_t_score(site="total-hip", value=-1.7, on="2025-05-01"),
    ]
    record = PatientRecord(
        patient=patient(birth_date="1958-01-15", gender="female"),
        resources=tuple(resources),
        draft_orders=(),
        selections=(),
        unavailable=(),
    )
    return build_snapshot(record, catalog=catalog(), as_of=AS_OF, parameters=SnapshotParameters())


def decided(rule: Rule, years: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The rule's outcome for the patient with ``OSTEO_GUIDELINE__RECENT_FX_YEARS`` set as a deployment sets it."""
    monkeypatch.setenv("OSTEO_GUIDELINE__RECENT_FX_YEARS", years)
    parameters = Settings().guideline.for_profile("nl")
    assert parameters.recent_fx_years == int(years)
    outcome: Outcome = rule.evaluate(
        RuleContext(
            snapshot=the_patient(on_denosumab=rule is not SCREEN_NL_1),
            hook=Hook.PATIENT_VIEW,
            parameters=parameters,
            profile="nl",
        )
    )
    if isinstance(outcome, Recommendation):
        return f"card:{outcome.variant}"
    return "no card" if isinstance(outcome, NotApplicable) else f"{type(outcome).__name__}:{outcome.variant}"


@pytest.mark.parametrize(
    ("rule", "within_two_years", "within_one_year"),
    [
        pytest.param(RISK_BBC_1, "card:very-high-fracture", "card:high-fracture", id="diagnosis-RISK-BBC-1"),
        pytest.param(SCREEN_NL_1, "card:verify-work-up", "no card", id="screening-SCREEN-NL-1"),
        pytest.param(GC_STOP_1, "card:continue", "card:denosumab", id="glucocorticoids-GC-STOP-1"),
        pytest.param(DMAB_STOP_1, "no card", "card:short", id="denosumab-DMAB-STOP-1"),
    ],
)
def test_a_fracture_18_months_ago_is_recent_with_a_two_year_window_and_not_with_one_year(
    rule: Rule, within_two_years: str, within_one_year: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert decided(rule, "2", monkeypatch) == within_two_years
    assert decided(rule, "1", monkeypatch) == within_one_year
