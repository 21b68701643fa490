"""Dosages as real EHRs and the spec examples write them (issue 17): the daily dose is read, or stays unknown
with a gap; it is never guessed. Prednisone 5 mg per dose throughout, so mg/day = 5 × administrations per day."""

from __future__ import annotations

from typing import Any

import pytest

from app.snapshot import GapConcept
from tests.builders.fhir import PREDNISONE_5MG, dosage, medication_request
from tests.snapshot.conftest import SnapshotOf

EPIC_FREQUENCY_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.10.798268.30"
"""An EHR's own frequency table (an Epic-style OID, made up for the test): no GTS code, no timing.repeat."""


def site_timing(text: str | None, *, display: str | None = None) -> dict[str, Any]:
    """A timing with only the EHR's own frequency code: code "1", a display and/or a text."""
    coding: dict[str, Any] = {"system": EPIC_FREQUENCY_SYSTEM, "code": "1"}
    if display is not None:
        coding["display"] = display
    code: dict[str, Any] = {"coding": [coding]}
    if text is not None:
        code["text"] = text
    return {"code": code}


def order_with_timing(timing: dict[str, Any]) -> dict[str, Any]:
    instruction = dosage(dose=5, unit="mg", ucum="mg", no_timing=True)
    instruction["timing"] = timing
    return medication_request(medication=PREDNISONE_5MG, dosages=[instruction], id="epic-order")


class TestFrequencyOnlyInTheSiteTimingCode:
    @pytest.mark.parametrize(
        ("text", "per_day"),
        [
            pytest.param("Daily", 1.0, id="Daily"),
            pytest.param("once daily", 1.0, id="once-daily"),
            pytest.param("Twice daily", 2.0, id="twice-daily"),
            pytest.param("BID", 2.0, id="BID"),
            pytest.param("b.i.d.", 2.0, id="b.i.d."),
            pytest.param("TID", 3.0, id="TID"),
            pytest.param("QD", 1.0, id="QD"),
            pytest.param("QOD", 0.5, id="QOD"),
            pytest.param("Four times a day", 4.0, id="four-times-a-day"),
            pytest.param("every other day", 0.5, id="every-other-day"),
            pytest.param("dagelijks", 1.0, id="dagelijks"),
            pytest.param("1 dd", 1.0, id="1-dd"),
            pytest.param("2 dd", 2.0, id="2-dd"),
            pytest.param("3 d.d.", 3.0, id="3-d.d."),
            pytest.param("2 x daags", 2.0, id="2-x-daags"),
            pytest.param("tweemaal daags", 2.0, id="tweemaal-daags"),
            pytest.param("om de dag", 0.5, id="om-de-dag"),
        ],
    )
    def test_the_code_text_names_the_frequency(self, snapshot_of: SnapshotOf, text: str, per_day: float) -> None:
        gc = snapshot_of(order_with_timing(site_timing(text))).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == pytest.approx(5 * per_day)

    def test_the_coding_display_is_read_when_there_is_no_text(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(order_with_timing(site_timing(None, display="Twice daily"))).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param("As directed", id="as-directed"),
            pytest.param("Volgens schema", id="volgens-schema"),
            pytest.param("Daily as needed for pain", id="a-sentence-around-a-known-word"),
            pytest.param("0 dd", id="zero-times"),
        ],
    )
    def test_unknown_text_leaves_the_dose_unknown_with_a_gap(self, snapshot_of: SnapshotOf, text: str) -> None:
        snapshot = snapshot_of(order_with_timing(site_timing(text)))

        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.mg_per_day is None
        assert "frequency" in snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)[0].detail


def order_with_dose(**dose_fields: Any) -> dict[str, Any]:
    """Prednisone once daily; the dose fields are set on the Dosage as given."""
    instruction = dosage(frequency=1, period=1, period_unit="d")
    instruction.update(dose_fields)
    return medication_request(medication=PREDNISONE_5MG, dosages=[instruction], id="spec-order")


MG_10 = {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}


class TestDoseShapesOfTheSpecExamples:
    def test_dose_and_rate_written_as_one_object_as_in_the_hl7_order_select_example(
        self, snapshot_of: SnapshotOf
    ) -> None:
        gc = snapshot_of(order_with_dose(doseAndRate={"doseQuantity": MG_10})).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10

    def test_stu3_dose_quantity_on_the_dosage_itself_as_the_sandbox_sends_it(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(order_with_dose(doseQuantity={"value": 2, "unit": "{pill}"})).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10

    def test_stu3_dose_range_on_the_dosage_itself(self, snapshot_of: SnapshotOf) -> None:
        dose_range = {"low": {"value": 1, "unit": "tablet"}, "high": {"value": 2, "unit": "tablet"}}

        gc = snapshot_of(order_with_dose(doseRange=dose_range)).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10 and gc.dose is not None and gc.dose.mg_per_day_min == 5


def prednisone_by_code(text: str, *, display: str | None = None, tablets: float = 2) -> dict[str, Any]:
    """An order coded RxNorm 312617 (prednisone 5 MG Oral Tablet in our value set) with the EHR's own name,
    ``tablets`` once daily in unit text "tab(s)"."""
    medication_coding: dict[str, Any] = {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "312617"}
    if display is not None:
        medication_coding["display"] = display
    return medication_request(
        medication={"coding": [medication_coding], "text": text},
        dosages=[dosage(dose=tablets, unit="tab(s)")],
        id="coded-order",
    )


class TestStrengthFromTheRxNormCode:
    def test_a_cerner_like_name_without_strength_takes_the_strength_of_its_code(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(prednisone_by_code("predniSONE")).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10
        assert gc.dose is not None and gc.dose.strength_from_code is None  # nothing disagreed

    def test_when_the_name_says_10_mg_and_the_code_5_mg_the_code_wins_and_says_so(
        self, snapshot_of: SnapshotOf
    ) -> None:
        gc = snapshot_of(prednisone_by_code("predniSONE 10 MG tablet")).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10  # 2 × 5 mg, not 2 × 10 mg
        assert gc.dose is not None and gc.dose.strength_from_code is not None
        coded = gc.dose.strength_from_code
        assert (coded.code, coded.mg_per_unit, coded.name_mg_per_unit) == ("312617", 5, 10)

    def test_a_dose_in_mg_does_not_need_the_strength_so_nothing_is_flagged(self, snapshot_of: SnapshotOf) -> None:
        order = prednisone_by_code("predniSONE 10 MG tablet")
        order["dosageInstruction"] = [dosage(dose=10, unit="mg", ucum="mg")]

        gc = snapshot_of(order).current_glucocorticoid()

        assert gc is not None and gc.mg_per_day == 10
        assert gc.dose is not None and gc.dose.strength_from_code is None

    def test_a_code_whose_display_is_only_inferred_names_no_strength(self, snapshot_of: SnapshotOf) -> None:
        """Risedronate 905024's display is inferred from openFDA (terminology.md §7): the name alone decides."""
        order = medication_request(
            medication={
                "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "905024"}],
                "text": "risedronate",
            },
            dosages=[dosage(dose=1, unit="tab(s)", frequency=1, period=1, period_unit="wk")],
        )

        [therapy] = snapshot_of(order).therapies

        assert therapy.records[0].dose is not None and therapy.records[0].dose.mg_per_day is None
