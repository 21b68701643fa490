"""Discovery: the three services with exact ids, hooks, texts and narrow prefetch templates."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

EXPECTED = {
    "osteoporosis-patient-view": "patient-view",
    "osteoporosis-order-select": "order-select",
    "osteoporosis-order-sign": "order-sign",
}


def _no_empty_values(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return False
    if isinstance(value, dict):
        return all(_no_empty_values(item) for item in value.values())
    if isinstance(value, list):
        return all(_no_empty_values(item) for item in value)
    return True


class TestDiscovery:
    def test_lists_the_three_services_with_their_hooks(self, client: TestClient) -> None:
        response = client.get("/cds-services")

        assert response.status_code == 200
        services = {service["id"]: service for service in response.json()["services"]}
        assert {sid: service["hook"] for sid, service in services.items()} == EXPECTED
        for service in services.values():
            assert service["title"] and service["description"] and service["usageRequirements"]

    def test_has_no_null_or_empty_fields(self, client: TestClient) -> None:
        assert _no_empty_values(client.get("/cds-services").json())

    def test_prefetch_templates_use_only_the_patient_id_token(self, client: TestClient) -> None:
        for service in client.get("/cds-services").json()["services"]:
            for template in service["prefetch"].values():
                assert re.findall(r"\{\{[^}]*\}\}", template) == ["{{context.patientId}}"]

    def test_observations_are_filtered_by_our_loinc_codes_sorted_by_date_and_counted(self, client: TestClient) -> None:
        service = client.get("/cds-services").json()["services"][0]
        observations = service["prefetch"]["observations"]

        assert observations.startswith("Observation?patient={{context.patientId}}&code=")
        assert "http://loinc.org|38267-1" in observations  # DXA lumbar spine T-score
        assert "http://loinc.org|38263-0" in observations  # DXA femur T-score (terminology.md §1.0)
        assert "&_sort=-date&" in observations and re.search(r"&_count=\d+", observations)

    def test_patient_is_read_and_medications_are_searched_by_patient(self, client: TestClient) -> None:
        prefetch = client.get("/cds-services").json()["services"][0]["prefetch"]

        assert prefetch["patient"] == "Patient/{{context.patientId}}"
        assert prefetch["medicationRequests"].startswith("MedicationRequest?patient={{context.patientId}}")
        assert prefetch["medicationStatements"].startswith("MedicationStatement?patient={{context.patientId}}")

    def test_allows_browser_clients_from_configured_origins(self, client: TestClient) -> None:
        response = client.options(
            "/cds-services/osteoporosis-patient-view",
            headers={
                "Origin": "https://sandbox.cds-hooks.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://sandbox.cds-hooks.org"

    def test_does_not_allow_unknown_browser_origins(self, client: TestClient) -> None:
        response = client.get("/cds-services", headers={"Origin": "https://evil.example"})

        assert "access-control-allow-origin" not in response.headers


class TestHealth:
    def test_reports_ok_when_the_database_answers(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
