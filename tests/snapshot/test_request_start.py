"""The start of a MedicationRequest: the dosage bounds, else ``authoredOn``, else the start of the dispense
validity period (read only when needed, issue 20)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.snapshot import Drug
from tests.builders.fhir import PREDNISONE_5MG, dosage, medication_request
from tests.snapshot.conftest import SnapshotOf


@pytest.mark.parametrize(
    ("authored_on", "bounds", "validity", "start"),
    [
        pytest.param(None, None, "2024-11-02", date(2024, 11, 2), id="validity-only"),
        pytest.param("2024-12-01", None, "2024-11-02", date(2024, 12, 1), id="authored-first"),
        pytest.param("2024-12-01", "2024-10-15", "2024-11-02", date(2024, 10, 15), id="bounds-first"),
        pytest.param(None, None, None, None, id="none"),
    ],
)
def test_request_start(
    snapshot_of: SnapshotOf, authored_on: str | None, bounds: str | None, validity: str | None, start: date | None
) -> None:
    instruction = dosage(dose=5, unit="mg", ucum="mg")
    if bounds is not None:
        instruction["timing"]["repeat"]["boundsPeriod"] = {"start": bounds}
    order: dict[str, Any] = medication_request(
        medication=PREDNISONE_5MG, dosages=[instruction], authored_on=authored_on, id="order"
    )
    if validity is not None:
        order.setdefault("dispenseRequest", {})["validityPeriod"] = {"start": validity}
    snapshot = snapshot_of(order)
    (therapy,) = [t for t in snapshot.therapies if t.drug is Drug.PREDNISONE]
    (record,) = therapy.records
    assert (record.start.earliest if record.start else None) == start
