"""The integration harness itself: a real FHIR R4 server, its auth, and the fault proxy in front of it.

The patient here is a woman with two DXA T-scores (lumbar spine, newer; femur, older), an osteoporosis
diagnosis and an alendronic acid statement. The values only exercise the server; they are no clinical
thresholds.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.devtools.fhir_server import (
    FHIR_JSON,
    HAPI_FHIR_VERSION,
    REPO_ROOT,
    FhirServer,
    FhirTestServer,
    FhirTestServerError,
    HapiFhirTestServer,
)
from tests.builders.fhir import transaction_of_posts

from .fault_proxy import Fault, FaultKind, FaultProxy, RecordingListener

pytestmark = pytest.mark.integration

# Codes, all verified (V) in shared/clinical/terminology.md:
LOINC = "http://loinc.org"  # §0
SNOMED = "http://snomed.info/sct"  # §0
ATC = "http://www.whocc.no/atc"  # §0
DXA_LUMBAR_SPINE_T_SCORE = "38267-1"  # §1.1
DXA_FEMUR_T_SCORE = "38263-0"  # §1.1
OSTEOPOROSIS = "64859006"  # §4.1
ALENDRONIC_ACID = "M05BA04"  # §5.1
UCUM = "http://unitsofmeasure.org"  # §0; T-scores are dimensionless, UCUM {T-score} (§1.1)

EXTERNAL = bool(os.environ.get("FHIR_BASE_URL", "").strip())


# -- builders -------------------------------------------------------------------------------------------


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _patient(*, gender: str, birth_date: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "gender": gender, "birthDate": birth_date}


def _dxa_t_score(*, patient: str, loinc: str, t_score: float, effective: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": patient},
        "effectiveDateTime": effective,
        "valueQuantity": {"value": t_score, "unit": "{T-score}", "system": UCUM, "code": "{T-score}"},
    }


def _condition(*, patient: str, snomed: str, onset: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
        },
        "code": {"coding": [{"system": SNOMED, "code": snomed}]},
        "subject": {"reference": patient},
        "onsetDateTime": onset,
    }


def _medication_statement(*, patient: str, atc: str, start: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": {"coding": [{"system": ATC, "code": atc}]},
        "subject": {"reference": patient},
        "effectivePeriod": {"start": start},
    }


@dataclass(frozen=True, kw_only=True)
class LoadedPatient:
    patient_id: str
    spine_observation_id: str
    femur_observation_id: str
    response: dict[str, Any]


def _dxa_search_params(patient_id: str, *, count: int = 1) -> dict[str, str | int]:
    return {
        "patient": patient_id,
        "code": f"{LOINC}|{DXA_LUMBAR_SPINE_T_SCORE},{LOINC}|{DXA_FEMUR_T_SCORE}",
        "_sort": "-date",
        "_count": count,
    }


def _next_link(bundle: dict[str, Any]) -> str | None:
    return next((link["url"] for link in bundle.get("link", []) if link.get("relation") == "next"), None)


def _resource_id(entry: dict[str, Any]) -> str:
    return str(entry["resource"]["id"])


@pytest.fixture
def woman_with_two_dxa_scans(fhir_server: FhirServer) -> LoadedPatient:
    patient, spine, femur = _urn(), _urn(), _urn()
    response = fhir_server.load_bundle(
        transaction_of_posts(
            (patient, _patient(gender="female", birth_date="1952-04-17")),
            (
                spine,
                _dxa_t_score(patient=patient, loinc=DXA_LUMBAR_SPINE_T_SCORE, t_score=-2.7, effective="2024-03-01"),
            ),
            (
                femur,
                _dxa_t_score(patient=patient, loinc=DXA_FEMUR_T_SCORE, t_score=-2.1, effective="2022-03-01"),
            ),
            (_urn(), _condition(patient=patient, snomed=OSTEOPOROSIS, onset="2022-03-01")),
            (_urn(), _medication_statement(patient=patient, atc=ALENDRONIC_ACID, start="2022-04-01")),
        )
    )
    entries = response["entry"]
    return LoadedPatient(
        patient_id=_resource_id(entries[0]),
        spine_observation_id=_resource_id(entries[1]),
        femur_observation_id=_resource_id(entries[2]),
        response=response,
    )


# -- the server ------------------------------------------------------------------------------------------


class TestFhirServer:
    def test_metadata_is_open_and_announces_fhir_r4(self, fhir_server: FhirServer) -> None:
        response = httpx.get(f"{fhir_server.base_url}/metadata", headers={"Accept": FHIR_JSON}, timeout=10)

        assert response.status_code == 200
        assert response.json()["resourceType"] == "CapabilityStatement"
        assert response.json()["fhirVersion"] == "4.0.1"

    def test_transaction_creates_every_resource_and_resolves_urn_uuid_references(
        self, fhir_server: FhirServer, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        statuses = [entry["response"]["status"] for entry in woman_with_two_dxa_scans.response["entry"]]
        with fhir_server.client() as http:
            observation = http.get(f"Observation/{woman_with_two_dxa_scans.spine_observation_id}").json()

        assert woman_with_two_dxa_scans.response["type"] == "transaction-response"
        assert [status.split()[0] for status in statuses] == ["201"] * 5
        assert observation["subject"]["reference"] == f"Patient/{woman_with_two_dxa_scans.patient_id}"

    def test_dxa_search_returns_newest_t_score_first_and_pages_to_the_end(
        self, fhir_server: FhirServer, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        pages: list[dict[str, Any]] = []
        with fhir_server.client() as http:
            page = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id)).json()
            pages.append(page)
            while (url := _next_link(page)) is not None and len(pages) < 5:
                page = http.get(url).json()
                pages.append(page)

        ids = [_resource_id(entry) for page in pages for entry in page.get("entry", [])]
        assert len(pages) == 2
        assert ids == [
            woman_with_two_dxa_scans.spine_observation_id,
            woman_with_two_dxa_scans.femur_observation_id,
        ]
        assert _next_link(pages[-1]) is None

    def test_search_is_scoped_to_the_patient(
        self, fhir_server: FhirServer, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        man, scan = _urn(), _urn()
        loaded = fhir_server.load_bundle(
            transaction_of_posts(
                (man, _patient(gender="male", birth_date="1948-01-02")),
                (
                    scan,
                    _dxa_t_score(patient=man, loinc=DXA_FEMUR_T_SCORE, t_score=-1.2, effective="2023-05-05"),
                ),
            )
        )
        man_id = _resource_id(loaded["entry"][0])
        with fhir_server.client() as http:
            hers = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id, count=10))
            his = http.get("Observation", params=_dxa_search_params(man_id, count=10))

        assert len(hers.json()["entry"]) == 2
        assert [_resource_id(entry) for entry in his.json()["entry"]] == [_resource_id(loaded["entry"][1])]

    def test_request_without_the_bearer_token_is_refused_with_401(self, fhir_server: FhirServer) -> None:
        if fhir_server.token is None:
            pytest.skip("the external FHIR server needs no token (FHIR_BEARER_TOKEN unset)")

        response = httpx.get(f"{fhir_server.base_url}/Patient", headers={"Accept": FHIR_JSON}, timeout=10)

        assert response.status_code == 401
        assert response.json()["resourceType"] == "OperationOutcome"

    def test_request_with_a_wrong_bearer_token_is_refused_with_401(self, fhir_server: FhirServer) -> None:
        if fhir_server.token is None:
            pytest.skip("the external FHIR server needs no token (FHIR_BEARER_TOKEN unset)")

        response = httpx.get(
            f"{fhir_server.base_url}/Patient",
            headers={"Accept": FHIR_JSON, "Authorization": f"Bearer not-{fhir_server.token}"},
            timeout=10,
        )

        assert response.status_code == 401

    def test_rejected_transaction_raises_with_the_operation_outcome_text(self, fhir_server: FhirServer) -> None:
        # Invalid twice over: sekmet checks cardinality (no code), HAPI the required binding of status (it
        # stores an Observation without code: it validates nothing else unless told to).
        invalid = {"resourceType": "Observation", "status": "not-a-status"}
        why = {"sekmet": "Observation.code", "hapi": "not-a-status"}

        with pytest.raises(FhirTestServerError, match=r"HTTP 4\d\d") as raised:
            fhir_server.load_bundle(transaction_of_posts((_urn(), invalid)))

        if fhir_server.kind in why:
            assert why[fhir_server.kind] in str(raised.value)

    def test_load_bundle_takes_only_transaction_or_batch_bundles(self, fhir_server: FhirServer) -> None:
        with pytest.raises(FhirTestServerError, match="transaction"):
            fhir_server.load_bundle({"resourceType": "Bundle", "type": "searchset"})


# Run with the server's own interpreter: lists settings keys that sekmet's Settings model does not declare
# (pydantic ignores unknown keys silently, so a typo would otherwise go unnoticed), then the effective values.
_CHECK_SETTINGS = """
import json, sys
import yaml
from pydantic import BaseModel
from sekmet.config import Settings

def unknown(model, data, prefix=""):
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            yield prefix + key
            continue
        nested = field.annotation
        if isinstance(value, dict) and isinstance(nested, type) and issubclass(nested, BaseModel):
            yield from unknown(nested, value, prefix + key + ".")

data = yaml.safe_load(open(sys.argv[1]))
s = Settings.model_validate(data)
print(json.dumps({"unknown": list(unknown(Settings, data)), "host": s.host, "simulator": s.simulator.enabled,
                  "log_inbound": s.log_inbound, "auth": s.server_auth.types, "database": s.database}))
"""


@pytest.fixture
def sekmet_server(fhir_server: FhirServer) -> FhirTestServer:
    """The session's server when it is our sekmet-fhir (these tests read its settings file and venv)."""
    if not isinstance(fhir_server, FhirTestServer):
        pytest.skip(f"sekmet-specific (its settings file, its reset); the session server is {fhir_server.kind}")
    return fhir_server


@pytest.mark.skipif(EXTERNAL, reason="starts its own sekmet server; FHIR_BASE_URL points at an external one")
class TestPrivateFhirTestServer:
    def test_settings_use_only_keys_sekmet_declares(self, sekmet_server: FhirTestServer) -> None:
        fhir_server = sekmet_server
        checked = subprocess.run(
            [str(fhir_server.venv / "bin" / "python"), "-c", _CHECK_SETTINGS, str(fhir_server.settings_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

        effective = json.loads(checked.stdout)
        assert effective["unknown"] == []
        assert effective["host"] == "127.0.0.1"
        assert (effective["simulator"], effective["log_inbound"], effective["auth"]) == (
            False,
            False,
            ["bearer"],
        )
        assert effective["database"].startswith(str(fhir_server.workdir))

    def test_starts_resets_to_an_empty_store_and_stops_without_leftovers(self, sekmet_server: FhirTestServer) -> None:
        # sekmet_server (the session server) guarantees sekmet is installed.
        with FhirTestServer() as server:
            server.load_bundle(transaction_of_posts((_urn(), _patient(gender="female", birth_date="1960-06-06"))))
            with server.client() as http:
                before = http.get("Patient", params={"_summary": "count"}).json()["total"]
                server.reset()
                after = http.get("Patient", params={"_summary": "count"}).json()["total"]
            base_url, workdir, pid = server.base_url, server.workdir, server.pid

        assert (before, after) == (1, 0)
        assert pid is not None and not server.is_running
        assert not workdir.exists()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base_url}/metadata", timeout=2)


class TestFhirTestServerStartupFailure:
    def test_a_server_that_dies_at_start_up_is_reported_with_its_log_tail_and_cleaned_up(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        fake = tmp_path / "venv" / "bin" / "sekmet"
        fake.parent.mkdir(parents=True)
        fake.write_text("#!/bin/sh\necho 'settings.yaml: port is not an integer' >&2\nexit 3\n", encoding="utf-8")
        fake.chmod(0o755)
        private_tmp = tmp_path / "tmp"
        private_tmp.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))

        with pytest.raises(FhirTestServerError, match="exited with code 3") as raised:
            FhirTestServer(venv=tmp_path / "venv", startup_timeout_s=5)

        assert "port is not an integer" in str(raised.value)
        assert list(private_tmp.iterdir()) == []


@pytest.fixture
def hapi_server(fhir_server: FhirServer) -> HapiFhirTestServer:
    """The session's server when it is our HAPI FHIR server (deploy/hapi-fhir)."""
    if not isinstance(fhir_server, HapiFhirTestServer):
        pytest.skip(f"HAPI-specific (its process, its paging links); the session server is {fhir_server.kind}")
    return fhir_server


class TestPrivateHapiFhirServer:
    def test_listens_on_loopback_only_with_the_token_in_its_environment_not_its_command_line(
        self, hapi_server: HapiFhirTestServer
    ) -> None:
        process = Path(f"/proc/{hapi_server.pid}")
        command_line = process.joinpath("cmdline").read_bytes().split(b"\0")
        environment = process.joinpath("environ").read_bytes().split(b"\0")

        assert hapi_server.token is not None
        assert hapi_server.token.encode() not in b" ".join(command_line)
        assert f"HAPI_BEARER_TOKEN={hapi_server.token}".encode() in environment
        assert b"--server.address=127.0.0.1" in command_line
        with pytest.raises(httpx.ConnectError):  # another loopback address: nothing listens there
            httpx.get(f"http://127.0.0.2:{hapi_server.port}/fhir/metadata", timeout=2)

    def test_next_links_name_a_stored_search_on_the_base_url(
        self, hapi_server: HapiFhirTestServer, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        with hapi_server.client() as http:
            page = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id)).json()
        next_url = _next_link(page)

        assert next_url is not None
        assert urlsplit(next_url).path == urlsplit(hapi_server.base_url).path
        assert "_getpages=" in urlsplit(next_url).query

    def test_reset_is_refused_rather_than_wiping_over_http(self, hapi_server: HapiFhirTestServer) -> None:
        with pytest.raises(FhirTestServerError, match="start a new one"):
            hapi_server.reset()


class TestHapiFhirServerStartupFailure:
    def test_a_jar_that_is_no_server_is_reported_with_the_log_tail_and_cleaned_up(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        not_a_jar = tmp_path / "osteo-cds-hapi-fhir.jar"
        not_a_jar.write_text("not a jar\n", encoding="utf-8")
        private_tmp = tmp_path / "tmp"
        private_tmp.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))

        with pytest.raises(FhirTestServerError, match="HAPI FHIR exited with code 1") as raised:
            HapiFhirTestServer(jar=not_a_jar, startup_timeout_s=60)

        assert "jarfile" in str(raised.value).lower()  # java: "Error: Invalid or corrupt jarfile"
        assert list(private_tmp.iterdir()) == []


class TestTheTestedHapiFhirVersionIsRecorded:
    def test_the_pom_the_harness_and_the_readme_name_the_same_hapi_fhir_release(self) -> None:
        pom = (REPO_ROOT / "deploy" / "hapi-fhir" / "pom.xml").read_text(encoding="utf-8")
        readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")

        assert f"<hapi_fhir_version>{HAPI_FHIR_VERSION}</hapi_fhir_version>" in pom
        assert f"HAPI FHIR {HAPI_FHIR_VERSION}" in readme


# -- the fault proxy --------------------------------------------------------------------------------------


def _proxied(proxy: FaultProxy, server: FhirServer, *, timeout_s: float = 10.0) -> httpx.Client:
    return httpx.Client(
        base_url=proxy.base_url, headers={"Accept": FHIR_JSON, **server.auth_headers}, timeout=timeout_s
    )


class TestFaultProxy:
    def test_forwards_and_keeps_paging_links_on_the_proxy_without_recording_the_token(
        self, fhir_server: FhirServer, fault_proxy: FaultProxy, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        with _proxied(fault_proxy, fhir_server) as http:
            page = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id)).json()

        next_url = _next_link(page)
        (recorded,) = fault_proxy.requests
        # On the proxy: sekmet's next page is /Observation?...&_offset=, HAPI's the base URL with ?_getpages=.
        assert next_url is not None
        assert next_url.startswith((f"{fault_proxy.base_url}/Observation?", f"{fault_proxy.base_url}?_getpages="))
        assert (recorded.method, recorded.path) == (
            "GET",
            urlsplit(fault_proxy.base_url).path + "/Observation",
        )
        assert "_count=1" in recorded.query
        assert recorded.had_authorization and recorded.forwarded and recorded.fault is None
        assert recorded.status_code == 200
        if fhir_server.token:
            assert fhir_server.token not in repr(fault_proxy.requests)

    def test_delay_outlasts_a_short_client_timeout(self, fhir_server: FhirServer, fault_proxy: FaultProxy) -> None:
        fault_proxy.inject(Fault.delay(1.0, times=1))
        with _proxied(fault_proxy, fhir_server, timeout_s=0.3) as http, pytest.raises(httpx.ReadTimeout):
            http.get("metadata")

        fault_proxy.inject(Fault.delay(0.3))
        started = time.monotonic()
        with _proxied(fault_proxy, fhir_server) as http:
            response = http.get("metadata")

        assert response.status_code == 200
        assert time.monotonic() - started >= 0.3

    @pytest.mark.parametrize("status_code", [500, 401])
    def test_forced_status_is_answered_without_reaching_the_server(
        self, fhir_server: FhirServer, fault_proxy: FaultProxy, status_code: int
    ) -> None:
        fault_proxy.inject(Fault.status(status_code))
        with _proxied(fault_proxy, fhir_server) as http:
            response = http.get("Patient")

        assert response.status_code == status_code
        assert response.json()["resourceType"] == "OperationOutcome"
        assert [(r.forwarded, r.fault) for r in fault_proxy.requests] == [(False, FaultKind.STATUS)]

    def test_forced_401_carries_a_bearer_challenge(self, fhir_server: FhirServer, fault_proxy: FaultProxy) -> None:
        fault_proxy.inject(Fault.status(401))
        with _proxied(fault_proxy, fhir_server) as http:
            response = http.get("Patient")

        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_malformed_body_is_fhir_json_by_content_type_but_not_json(
        self, fhir_server: FhirServer, fault_proxy: FaultProxy
    ) -> None:
        fault_proxy.inject(Fault.not_json())
        with _proxied(fault_proxy, fhir_server) as http:
            response = http.get("Patient")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith(FHIR_JSON)
        with pytest.raises(json.JSONDecodeError):
            response.json()

    def test_json_that_is_not_a_bundle_answers_a_search(self, fhir_server: FhirServer, fault_proxy: FaultProxy) -> None:
        fault_proxy.inject(Fault.not_a_bundle())
        with _proxied(fault_proxy, fhir_server) as http:
            body = http.get("Patient").json()

        assert body["resourceType"] != "Bundle"

    def test_fault_can_spare_the_first_page_and_fail_only_the_second(
        self, fhir_server: FhirServer, fault_proxy: FaultProxy, woman_with_two_dxa_scans: LoadedPatient
    ) -> None:
        fault_proxy.inject(Fault.status(500, skip_first=1, times=1))
        with _proxied(fault_proxy, fhir_server) as http:
            first = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id))
            next_url = _next_link(first.json())
            assert next_url is not None
            second = http.get(next_url)
            again = http.get(next_url)

        assert [first.status_code, second.status_code, again.status_code] == [200, 500, 200]

    def test_cross_origin_next_link_reaches_the_attacker_only_when_followed(
        self,
        fhir_server: FhirServer,
        fault_proxy: FaultProxy,
        attacker: RecordingListener,
        woman_with_two_dxa_scans: LoadedPatient,
    ) -> None:
        fault_proxy.inject(Fault.cross_origin_next(attacker.origin))
        with _proxied(fault_proxy, fhir_server) as http:
            first = http.get("Observation", params=_dxa_search_params(woman_with_two_dxa_scans.patient_id)).json()
        next_url = _next_link(first)
        assert next_url is not None
        assert urlsplit(next_url).netloc == urlsplit(attacker.origin).netloc != urlsplit(fault_proxy.origin).netloc
        reached_before_following = attacker.requests

        # A naive client that follows the link as given hands the attacker the patient's search and its token.
        with httpx.Client(headers={"Accept": FHIR_JSON, **fhir_server.auth_headers}, timeout=10) as naive:
            stolen = naive.get(next_url)

        (leak,) = attacker.requests
        assert reached_before_following == ()
        assert stolen.status_code == 200
        # The next page as the server wrote it: sekmet repeats the search (/Observation?patient=...&_offset=),
        # HAPI names its stored search on the base URL (?_getpages=...).
        assert (leak.path, leak.query) == (urlsplit(next_url).path, urlsplit(next_url).query)
        assert leak.path.startswith(urlsplit(fault_proxy.base_url).path)
        if fhir_server.token:
            assert leak.authorization_scheme == "Bearer"
            assert leak.carried_bearer_token(fhir_server.token)
