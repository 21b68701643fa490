"""Server-side request forgery: a ``fhirServer`` outside the allowlist gets no request and never our token.

A ``RecordingListener`` on a foreign loopback origin stands in for the attacker's server: it records every
request that reaches it, so "no request was sent" is observed, not inferred.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.builders.hooks import hook_request
from tests.integration.fault_proxy import RecordingListener

SERVICE = "/cds-services/osteoporosis-patient-view"
TOKEN = "ehr-token-that-must-stay-home"


@pytest.fixture
def attacker() -> Iterator[RecordingListener]:
    with RecordingListener() as listener:
        yield listener


class TestFhirServerAllowlist:
    def test_a_fhir_server_outside_the_allowlist_receives_no_request(
        self, client: TestClient, attacker: RecordingListener
    ) -> None:
        body = hook_request(fhir_server=f"{attacker.origin}/fhir", token=TOKEN, prefetch={})

        response = client.post(SERVICE, json=body)

        assert response.status_code == 412
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "security"
        assert "allowlist" in outcome["issue"][0]["diagnostics"]
        assert attacker.requests == ()

    @pytest.mark.parametrize("suffix", ["?_format=json", "?", "#part"])
    def test_an_allowed_server_named_with_a_query_or_fragment_receives_no_request(
        self, settings: Settings, attacker: RecordingListener, suffix: str
    ) -> None:
        # Our search paths would be appended after the query or fragment: refused, not sent (issue 18, defect 7).
        allowed = settings.model_copy(update={"fhir_server_allowlist": [f"{attacker.origin}/fhir"]})
        body = hook_request(fhir_server=f"{attacker.origin}/fhir{suffix}", token=TOKEN, prefetch={})
        with TestClient(create_app(allowed)) as client:
            response = client.post(SERVICE, json=body)

        assert response.status_code == 412
        assert response.json()["issue"][0]["code"] == "security"
        assert attacker.requests == ()

    @pytest.mark.parametrize(
        "fhir_server",
        [
            pytest.param("https://ehr.example.org.attacker.test/fhir", id="allowed-host-as-prefix"),
            pytest.param("https://attacker.test/ehr.example.org/fhir", id="allowed-host-in-path"),
            pytest.param("http://ehr.example.org/fhir", id="http-instead-of-https"),
            pytest.param("https://ehr.example.org/fhir-private", id="path-prefix-not-a-segment"),
            pytest.param("https://ehr.example.org/other", id="other-path-on-the-allowed-host"),
            pytest.param("https://ehr.example.org@attacker.test/fhir", id="allowed-host-as-userinfo"),
            pytest.param("http://169.254.169.254/latest/meta-data", id="cloud-metadata"),
            # The allowed base with a query or fragment: our paths would be appended after it (issue 18, defect 7).
            pytest.param("https://ehr.example.org/fhir?_format=json", id="allowed-base-with-a-query"),
            pytest.param("https://ehr.example.org/fhir?", id="allowed-base-with-an-empty-query"),
            pytest.param("https://ehr.example.org/fhir#part", id="allowed-base-with-a-fragment"),
            pytest.param("https://ehr.example.org/fhir#", id="allowed-base-with-an-empty-fragment"),
        ],
    )
    def test_look_alike_servers_are_refused_before_any_request(self, client: TestClient, fhir_server: str) -> None:
        # No HTTP mock is installed: a request would fail to connect and become a data gap (200), not a 412.
        response = client.post(SERVICE, json=hook_request(fhir_server=fhir_server, token=TOKEN, prefetch={}))

        assert response.status_code == 412
        assert response.json()["issue"][0]["code"] == "security"
