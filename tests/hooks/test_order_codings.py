"""National product codes on suggested medications, when the hospital configures them (issue "Order hooks").

A Dutch hospital orders from the G-Standaard and a Belgian one from CNK; those codes are licensed or site-specific,
so the service ships none and reads the site's own from ``OSTEO_ORDER_CODINGS_FILE``. The codes below are test
values, not real G-Standaard or CNK codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest

from app.config import Settings
from app.deps import get_as_of
from app.errors import CardTemplateError
from app.fhir.orders import read_site_codings
from app.main import create_app
from app.render import load_card_catalog
from tests.builders.cds import PatientRecordBuilder, call_hook, cards_for
from tests.builders.fhir import (
    creatinine_clearance,
    draft_prednisone_order,
)
from tests.conftest import AS_OF

ROOT = Path(__file__).resolve().parents[2]
PRK = "urn:oid:2.16.840.1.113883.2.4.4.10"
HPK = "urn:oid:2.16.840.1.113883.2.4.4.7"
CNK = "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/cnk-codes"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

SITE_CODINGS = {
    "comment": "test values for osteo-cds tests, not real product codes",
    "alendronate-70mg-weekly": [
        {"system": PRK, "code": "TEST-PRK-ALN-70", "display": "alendroninezuur tablet 70mg"},
        {"system": HPK, "code": "TEST-HPK-ALN-70"},
    ],
    "denosumab-60mg-sc-6-monthly": [{"system": CNK, "code": "TEST-CNK-DMAB"}],
}


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "order-codings.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


@pytest.fixture
def configured(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    site = settings.model_copy(update={"order_codings_file": write(tmp_path, SITE_CODINGS)})
    application = create_app(site)
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    with TestClient(application) as test_client:
        yield test_client


def medication_codings(card: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """Per suggested MedicationRequest, its (system, code) codings in order."""
    return [
        [(c["system"], c["code"]) for c in action["resource"]["medicationCodeableConcept"]["coding"]]
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action.get("resource", {}).get("resourceType") == "MedicationRequest"
    ]


class TestADutchHospitalWithGStandaardCodes:
    """V06 (55-year-old woman, prednisone 10 mg ordered for 6 months) in a hospital that configured its codes."""

    def test_the_alendronate_suggestion_lists_the_site_codes_first_then_rxnorm_then_atc_as_valid_r4(
        self, configured: TestClient
    ) -> None:
        """The hospital's own code is the one its EHR orders from, so it is ``coding[0]``."""
        record = PatientRecordBuilder(birth_date="1970-01-15")

        [card] = cards_for(
            call_hook(configured, "order-select", record, draft_orders=[draft_prednisone_order()]), "GC-START-1"
        )

        alendronate = [codes for codes in medication_codings(card) if (ATC, "M05BA04") in codes]
        assert alendronate and all(
            codes
            == [
                (PRK, "TEST-PRK-ALN-70"),
                (HPK, "TEST-HPK-ALN-70"),
                (RXNORM, "904431"),
                (ATC, "M05BA04"),
            ]
            for codes in alendronate
        )
        for suggestion in card["suggestions"]:
            for action in suggestion["actions"]:
                if action["resource"]["resourceType"] == "MedicationRequest":
                    MedicationRequest.model_validate(action["resource"])

    def test_medications_without_a_site_code_keep_atc_only(self, configured: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1970-01-15")

        [card] = cards_for(
            call_hook(configured, "order-select", record, draft_orders=[draft_prednisone_order()]), "GC-START-1"
        )

        risedronate = [codes for codes in medication_codings(card) if (ATC, "M05BA07") in codes]
        assert risedronate and all(system not in (PRK, HPK, CNK) for codes in risedronate for system, _ in codes)

    def test_a_site_coded_order_is_still_withheld_when_contraindicated(self, configured: TestClient) -> None:
        """CrCl 25 mL/min: oral bisphosphonates are contraindicated (CI-EGFR-2); the extra codes change nothing."""
        record = PatientRecordBuilder(birth_date="1970-01-15").add(creatinine_clearance(value=25, on="2025-05-01"))

        cards = call_hook(configured, "order-select", record, draft_orders=[draft_prednisone_order()])

        offered = [codes for card in cards for codes in medication_codings(card)]
        assert offered and not any((ATC, "M05BA04") in codes for codes in offered)
        assert any((CNK, "TEST-CNK-DMAB") in codes for codes in offered)  # denosumab, the second choice


def test_a_us_ehr_or_the_sandbox_reading_coding_0_gets_the_rxnorm_product_not_the_atc_substance(
    client: TestClient,
) -> None:
    """US EHRs and the CDS Hooks Sandbox take ``coding[0]`` as the drug code: RxNorm before ATC wherever a
    suggested medication has one (romosozumab and colecalciferol have no verified RxNorm code: ATC only)."""
    record = PatientRecordBuilder(birth_date="1970-01-15")

    [card] = cards_for(call_hook(client, "order-select", record, draft_orders=[draft_prednisone_order()]), "GC-START-1")

    offered = medication_codings(card)
    assert offered
    for codes in offered:
        systems = [system for system, _ in codes]
        assert systems == sorted(systems, key=lambda s: s != RXNORM), codes
    assert [(RXNORM, "904431"), (ATC, "M05BA04")] in offered


def test_without_the_setting_no_national_codes_are_added(client: TestClient) -> None:
    record = PatientRecordBuilder(birth_date="1970-01-15")

    [card] = cards_for(call_hook(client, "order-select", record, draft_orders=[draft_prednisone_order()]), "GC-START-1")

    assert all(system == ATC or "rxnorm" in system for codes in medication_codings(card) for system, _ in codes)


class TestAMistakeInTheFileStopsStartUp:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            pytest.param({"alendronate-70mg": [{"system": PRK, "code": "1"}]}, "name no medication", id="unknown-key"),
            pytest.param({"dxa-vfa": [{"system": PRK, "code": "1"}]}, "name no medication", id="a-service"),
            pytest.param(
                {"alendronate-70mg-weekly": [{"system": "http://www.whocc.no/atc", "code": "M05BA04"}]},
                "system of",
                id="not-a-national-system",
            ),
            pytest.param({"alendronate-70mg-weekly": [{"system": PRK}]}, "needs a code", id="no-code"),
            pytest.param({"alendronate-70mg-weekly": [{"system": PRK, "code": " "}]}, "non-empty", id="blank-code"),
            pytest.param(
                {"alendronate-70mg-weekly": [{"system": PRK, "code": "1", "version": "x"}]},
                "only system, code and display",
                id="extra-field",
            ),
            pytest.param(
                {"alendronate-70mg-weekly": [{"system": PRK, "code": "1"}, {"system": PRK, "code": "1"}]},
                "listed twice",
                id="duplicate",
            ),
            pytest.param({"alendronate-70mg-weekly": []}, "non-empty list", id="empty-list"),
            pytest.param(["alendronate-70mg-weekly"], "JSON object", id="not-an-object"),
        ],
    )
    def test_the_error_names_what_is_wrong(self, tmp_path: Path, content: object, message: str) -> None:
        path = write(tmp_path, content)

        with pytest.raises(CardTemplateError, match=message):
            load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders", path)

    def test_a_file_that_is_not_json(self, tmp_path: Path) -> None:
        path = tmp_path / "order-codings.json"
        path.write_text("{not json", encoding="utf-8")

        with pytest.raises(CardTemplateError, match="cannot read"):
            read_site_codings(path)

    def test_the_service_does_not_start_with_a_broken_file(self, settings: Settings, tmp_path: Path) -> None:
        broken = settings.model_copy(update={"order_codings_file": write(tmp_path, {"nope": []})})

        with pytest.raises(CardTemplateError), TestClient(create_app(broken)):
            pass
