"""The three hooks against a real FHIR R4 server: the service fetches what the EHR did not prefetch.

The synthetic patients of ``examples/patients/`` are loaded into the session's server (sekmet-fhir and HAPI FHIR
on loopback, in turn, or the external server named by ``FHIR_BASE_URL``), and the app runs in-process with that
server on its allowlist and "today" pinned to the library's reference date (2025-06-01).

Only rules that exist are asserted by ID, and only where the guideline decides them whatever other rules add:
GC-START-1 (age ≥ 50, ≥ 7.5 mg/day for ≥ 3 months) fires for the patients meant for it and for no one else, and
no call ends with a DATA-UNAVAILABLE card when the server is healthy. Other engineers' rules may add cards; these
assertions do not depend on them.

Tests that count requests or inject faults go through the fault proxy and need the private server: they skip
on an external one.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence, Set
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from app.devtools.fhir_server import FhirServer
from app.devtools.patients import SERVICE_BY_HOOK, SyntheticPatient, hook_request, load_library, prefetch_for
from app.fhir import FhirQuery, GatherLimits, PatientRecord, gather_patient_record, patient_queries
from app.hooks.schemas import CdsResponse
from app.render import DATA_UNAVAILABLE
from app.terminology import load_catalog
from app.valuesets import OBSERVATION_VALUE_SETS
from tests.builders.fhir import transaction_of_posts

from .conftest import EXTERNAL, OpenService
from .fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration

FHIR_MAPPINGS = Path(__file__).resolve().parents[2] / "fhir_mappings"
LIBRARY = load_library()
BY_NAME = {patient.name: patient for patient in LIBRARY}

GC_START_1_AT_PATIENT_VIEW = {
    "01-gc-62f-prednisolone-10mg": "warning",
    "02-gc-78f-prednisone-10mg": "warning",
    "09-gc-58m-prednisone-without-dosage": "info",  # dose unknown: the conditional card, never silence
    "10-gc-66f-synthea-unitless-dose": "warning",
    "11-gc-71f-g-standaard-prednisolone": "warning",
    "12-gc-no-birth-date": "info",  # age unknown
}
"""Patients for whom GC-START-1 decides at patient-view; for every other patient it must stay silent (age < 50,
dose < 7.5 mg, or no glucocorticoid)."""

GC_START_1_AT_ORDER_HOOKS = {"03-gc-55f-prednisone-order": "warning"}
"""The draft prednisone order (vignette V06) is what GC-START-1 answers at order-select and order-sign."""

SEARCH_KEYS_BY_TYPE = {
    "Observation": "observations",
    "Condition": "conditions",
    "MedicationStatement": "medicationStatements",
    "MedicationRequest": "medicationRequests",
    "MedicationAdministration": "medicationAdministrations",
    "MedicationDispense": "medicationDispenses",
    "AllergyIntolerance": "allergyIntolerances",
}


def _calls() -> list[Any]:
    calls = [pytest.param(p, "patient-view", id=f"{p.name}-patient-view") for p in LIBRARY]
    for patient in LIBRARY:
        if patient.draft_order is not None:
            calls += [
                pytest.param(patient, hook, id=f"{patient.name}-{hook}") for hook in ("order-select", "order-sign")
            ]
    return calls


def _expected_gc_start_1(patient: SyntheticPatient, hook: str) -> list[str]:
    table = GC_START_1_AT_PATIENT_VIEW if hook == "patient-view" else GC_START_1_AT_ORDER_HOOKS
    return [table[patient.name]] if patient.name in table else []


def _call(
    client: TestClient,
    patient: SyntheticPatient,
    hook: str,
    *,
    fhir_base: str | None,
    token: str | None,
    prefetch: Mapping[str, Any] | None = None,
) -> httpx.Response:
    body = hook_request(
        hook=hook,
        patient_id=patient.patient_id,
        prefetch=prefetch,
        fhir_server=fhir_base,
        access_token=token,
        draft_orders=[patient.draft_order] if patient.draft_order else [],
        language="en",
    )
    response: httpx.Response = client.post(f"/cds-services/{SERVICE_BY_HOOK[hook]}", json=body)
    return response


def _cards(response: httpx.Response) -> list[tuple[str, str]]:
    """(rule ID, indicator) of each card of a 200 answer that is a valid CDS Hooks response."""
    assert response.status_code == 200, response.text
    cards = CdsResponse.model_validate(response.json()).cards
    return [(card.source.topic.code if card.source.topic else "", card.indicator.value) for card in cards]


def _indicators(cards: Sequence[tuple[str, str]], rule_id: str) -> list[str]:
    return [indicator for rule, indicator in cards if rule == rule_id]


def _pages(count: int, page_size: int) -> int:
    return max(1, math.ceil(count / page_size))


def _expected_requests(patient: SyntheticPatient, *, page_size: int, prefetched: Set[str] = frozenset()) -> int:
    """One Patient read (unless prefetched) plus, per search key not prefetched, its number of pages."""
    per_type = Counter(str(r["resourceType"]) for r in patient.resources)
    reads = 0 if "patient" in prefetched else 1
    return reads + sum(
        _pages(per_type[kind], page_size) for kind, key in SEARCH_KEYS_BY_TYPE.items() if key not in prefetched
    )


requires_private_server = pytest.mark.skipif(
    EXTERNAL, reason="goes through the fault proxy / needs a private server; FHIR_BASE_URL is external"
)


@pytest.fixture(scope="module")
def service(
    open_service: OpenService, fhir_server: FhirServer, patient_library: tuple[SyntheticPatient, ...]
) -> Iterator[TestClient]:
    with open_service(allow=[fhir_server.base_url]) as client:
        yield client


@pytest.fixture(scope="module")
def shared_proxy(fhir_server: FhirServer) -> Iterator[FaultProxy]:
    if EXTERNAL:
        pytest.skip("the fault proxy is used only in front of the private server")
    with FaultProxy(fhir_server.base_url) as proxy:
        yield proxy


@pytest.fixture
def proxy(shared_proxy: FaultProxy) -> FaultProxy:
    """The module's fault proxy, forwarding plainly with no recorded requests (one proxy start per module)."""
    shared_proxy.clear()
    return shared_proxy


@pytest.fixture(scope="module")
def proxied_service(open_service: OpenService, patient_library: tuple[SyntheticPatient, ...]) -> Iterator[TestClient]:
    """The app allowing any port of 127.0.0.1 (the fault proxy's origin), page size 2, tight timeouts."""
    with open_service(
        allow=["http://127.0.0.1"],
        fhir_page_size=2,
        fhir_max_pages=20,
        fhir_query_timeout_seconds=0.5,
        fhir_call_deadline_seconds=1.5,
    ) as client:
        yield client


class TestAllThreeHooksWithoutPrefetch:
    """No prefetch at all: the service reads the Patient and runs every search itself, with the EHR's token."""

    @pytest.mark.parametrize(("patient", "hook"), _calls())
    def test_the_fetched_record_reaches_the_rules(
        self, service: TestClient, fhir_server: FhirServer, patient: SyntheticPatient, hook: str
    ) -> None:
        response = _call(service, patient, hook, fhir_base=fhir_server.base_url, token=fhir_server.token)

        cards = _cards(response)
        assert _indicators(cards, DATA_UNAVAILABLE) == []
        assert _indicators(cards, "GC-START-1") == _expected_gc_start_1(patient, hook)

    def test_an_intolerance_on_the_fhir_server_reaches_switch_gi_1(
        self, service: TestClient, fhir_server: FhirServer
    ) -> None:
        # The AllergyIntolerance search runs against the real server (vignette V32, patient 32).
        patient = BY_NAME["32-gi-intolerance-68f-alendronate"]

        cards = _cards(_call(service, patient, "patient-view", fhir_base=fhir_server.base_url, token=fhir_server.token))

        assert _indicators(cards, "SWITCH-GI-1") == ["warning"]

    def test_cards_come_in_the_requested_language(self, service: TestClient, fhir_server: FhirServer) -> None:
        patient = BY_NAME["01-gc-62f-prednisolone-10mg"]
        body = hook_request(
            hook="patient-view",
            patient_id=patient.patient_id,
            fhir_server=fhir_server.base_url,
            access_token=fhir_server.token,
            language="nl",
        )

        response = service.post("/cds-services/osteoporosis-patient-view", json=body)

        (card,) = [c for c in response.json()["cards"] if c["source"]["topic"]["code"] == "GC-START-1"]
        assert "prednison" in card["summary"].lower() and "start" in card["summary"].lower()
        assert "regardless" not in card["summary"]


class TestPartialPrefetch:
    """Some keys prefetched, the others fetched: what the EHR sent is used as is and never fetched again."""

    def test_prefetched_patient_and_observations_with_the_medication_fetched(
        self, service: TestClient, fhir_server: FhirServer
    ) -> None:
        patient = BY_NAME["01-gc-62f-prednisolone-10mg"]
        queries = patient_queries(observation_codes=[], page_size=100)
        partial = prefetch_for(patient.resources, queries, only={"patient", "observations"})

        cards = _cards(
            _call(
                service,
                patient,
                "patient-view",
                fhir_base=fhir_server.base_url,
                token=fhir_server.token,
                prefetch=partial,
            )
        )

        assert _indicators(cards, "GC-START-1") == ["warning"]
        assert _indicators(cards, DATA_UNAVAILABLE) == []

    def test_a_prefetched_empty_search_wins_over_the_server(self, service: TestClient, fhir_server: FhirServer) -> None:
        # The prednisolone is a MedicationStatement on the server, but the EHR says it searched and found none:
        # the service believes the prefetch (CDS Hooks: prefetch equals what the service would fetch).
        patient = BY_NAME["01-gc-62f-prednisolone-10mg"]
        no_statements = {"medicationStatements": {"resourceType": "Bundle", "type": "searchset", "entry": []}}

        cards = _cards(
            _call(
                service,
                patient,
                "patient-view",
                fhir_base=fhir_server.base_url,
                token=fhir_server.token,
                prefetch=no_statements,
            )
        )

        assert _indicators(cards, "GC-START-1") == []

    @pytest.mark.parametrize(
        "prefetched",
        [
            pytest.param({"patient"}, id="patient-only"),
            pytest.param({"patient", "observations", "conditions"}, id="patient-observations-conditions"),
            pytest.param(set(SEARCH_KEYS_BY_TYPE.values()), id="all-searches-but-not-the-patient"),
        ],
    )
    @requires_private_server
    def test_only_the_missing_keys_are_fetched(
        self, proxied_service: TestClient, proxy: FaultProxy, fhir_server: FhirServer, prefetched: set[str]
    ) -> None:
        patient = BY_NAME["13-alendronate-70f-5-years"]
        queries = patient_queries(observation_codes=[], page_size=2)
        partial = prefetch_for(patient.resources, queries, only=prefetched)

        cards = _cards(
            _call(
                proxied_service,
                patient,
                "patient-view",
                fhir_base=proxy.base_url,
                token=fhir_server.token,
                prefetch=partial,
            )
        )

        # Further pages are not counted here: HAPI's are on the base URL (``?_getpages=``), with no type in the path.
        searches = [r for r in proxy.requests if "_getpages=" not in r.query]
        fetched_types = {urlsplit(r.path).path.rsplit("/fhir/", 1)[1].split("/")[0] for r in searches}
        assert _indicators(cards, DATA_UNAVAILABLE) == []
        assert len(proxy.requests) == _expected_requests(patient, page_size=2, prefetched=prefetched)
        expected_types = {k for k, key in SEARCH_KEYS_BY_TYPE.items() if key not in prefetched}
        assert fetched_types == expected_types | ({"Patient"} if "patient" not in prefetched else set())


@pytest.fixture(scope="module")
def paging_service(open_service: OpenService, patient_library: tuple[SyntheticPatient, ...]) -> Iterator[TestClient]:
    """Page size 2 through the proxy, without injected faults: timeouts generous enough for a busy 2-core machine
    (a patient's searches come to 20-odd requests here; the fault tests keep the tight ones)."""
    with open_service(
        allow=["http://127.0.0.1"],
        fhir_page_size=2,
        fhir_max_pages=20,
        fhir_query_timeout_seconds=5.0,
        fhir_call_deadline_seconds=15.0,
    ) as client:
        yield client


@requires_private_server
class TestPagingWithASmallPageSize:
    """``_count=2``: every search with more than two matches is paged, and every page is followed."""

    @pytest.mark.parametrize("patient", LIBRARY, ids=lambda p: p.name)
    def test_one_request_per_missing_key_plus_one_per_further_page(
        self, paging_service: TestClient, proxy: FaultProxy, fhir_server: FhirServer, patient: SyntheticPatient
    ) -> None:
        cards = _cards(
            _call(paging_service, patient, "patient-view", fhir_base=proxy.base_url, token=fhir_server.token)
        )

        requests = proxy.requests
        assert _indicators(cards, DATA_UNAVAILABLE) == []
        assert _indicators(cards, "GC-START-1") == _expected_gc_start_1(patient, "patient-view")
        assert len(requests) == _expected_requests(patient, page_size=2)
        assert all(r.forwarded and r.status_code == 200 and r.had_authorization for r in requests)

    def test_a_paged_search_is_actually_paged(
        self, paging_service: TestClient, proxy: FaultProxy, fhir_server: FhirServer
    ) -> None:
        # Everything but the observations prefetched: every request is a page of the Observation search (HAPI's
        # further pages are on the base URL, ``?_getpages=``, with no type in the path).
        patient = BY_NAME["13-alendronate-70f-5-years"]  # 10 DXA / BMD / lab observations
        keys = {"patient", *SEARCH_KEYS_BY_TYPE.values()} - {"observations"}
        prefetch = prefetch_for(patient.resources, patient_queries(observation_codes=[], page_size=2), only=keys)

        _cards(
            _call(
                paging_service,
                patient,
                "patient-view",
                fhir_base=proxy.base_url,
                token=fhir_server.token,
                prefetch=prefetch,
            )
        )

        observation_pages = proxy.requests
        assert len(observation_pages) == 5
        assert observation_pages[0].path.endswith("/Observation")
        assert all("_count=2" in r.query for r in observation_pages)


@pytest.fixture(scope="module")
def queries() -> tuple[FhirQuery, ...]:
    """The service's own searches (built as ``create_app`` builds them), at ``_count=2``."""
    catalog = load_catalog(FHIR_MAPPINGS)
    codes = [(system, code) for url in OBSERVATION_VALUE_SETS for system, code in catalog[url].codes()]
    return patient_queries(observation_codes=codes, page_size=2)


class TestTheGatheredRecordHoldsEveryResource:
    """Below the hook: the fetch of every key, page by page, brings back exactly the patient's Bundle."""

    def test_every_resource_of_every_patient_comes_back_at_page_size_2(
        self, fhir_server: FhirServer, patient_library: tuple[SyntheticPatient, ...], queries: tuple[FhirQuery, ...]
    ) -> None:
        limits = GatherLimits(query_timeout_seconds=10, call_deadline_seconds=30, max_pages=50, max_resources=5000)

        async def gather_all() -> dict[str, PatientRecord]:
            records = {}
            async with httpx.AsyncClient() as http:
                for patient in patient_library:
                    records[patient.name], _ = await gather_patient_record(
                        queries=queries,
                        patient_id=patient.patient_id,
                        prefetch=None,
                        fhir_server=fhir_server.base_url,
                        access_token=fhir_server.token,
                        draft_orders=None,
                        selections=(),
                        http=http,
                        allowlist=[fhir_server.base_url],
                        limits=limits,
                    )
            return records

        records = asyncio.run(gather_all())

        def ids(resources: Sequence[Mapping[str, Any]]) -> set[str]:
            return {f"{r['resourceType']}/{r['id']}" for r in resources if r["resourceType"] != "Patient"}

        got = {name: (r.patient and r.patient["id"], ids(r.resources), r.unavailable) for name, r in records.items()}
        expected = {p.name: (p.patient_id, ids(p.resources), ()) for p in patient_library}
        assert got == expected


ATC = "http://www.whocc.no/atc"
PREDNISOLONE_ATC = "H02AB06"  # fhir_mappings/valueset-prednisolone.json
ALENDRONATE_ATC = "M05BA04"  # fhir_mappings/valueset-alendronate.json


@pytest.fixture
def woman_whose_drugs_are_medication_resources(fhir_server: FhirServer) -> tuple[str, set[str]]:
    """A woman of 70 on prednisolone and alendronate, each MedicationStatement naming a Medication resource of
    its own on the server (not contained); returns her server-assigned id and the two Medication ids."""
    patient, prednisolone, alendronate = (f"urn:uuid:{uuid.uuid4()}" for _ in range(3))

    def medication(atc: str) -> dict[str, Any]:
        return {"resourceType": "Medication", "code": {"coding": [{"system": ATC, "code": atc}]}}

    def statement(drug: str, start: str) -> dict[str, Any]:
        return {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationReference": {"reference": drug},
            "subject": {"reference": patient},
            "effectivePeriod": {"start": start},
        }

    entries = [
        (patient, {"resourceType": "Patient", "gender": "female", "birthDate": "1955-02-03"}),
        (prednisolone, medication(PREDNISOLONE_ATC)),
        (alendronate, medication(ALENDRONATE_ATC)),
        (f"urn:uuid:{uuid.uuid4()}", statement(prednisolone, "2024-09-01")),
        (f"urn:uuid:{uuid.uuid4()}", statement(alendronate, "2024-10-01")),
    ]
    response = fhir_server.load_bundle(transaction_of_posts(*entries))
    ids = [str(entry["resource"]["id"]) for entry in response["entry"]]
    return ids[0], {ids[1], ids[2]}


@requires_private_server
class TestReferencedMedicationsAreFetched:
    def test_both_medications_come_back_from_one_search_by_id(
        self,
        fhir_server: FhirServer,
        fault_proxy: FaultProxy,
        woman_whose_drugs_are_medication_resources: tuple[str, set[str]],
    ) -> None:
        patient_id, medication_ids = woman_whose_drugs_are_medication_resources
        limits = GatherLimits(query_timeout_seconds=10, call_deadline_seconds=30, max_pages=50, max_resources=5000)

        async def gather() -> PatientRecord:
            async with httpx.AsyncClient() as http:
                record, _ = await gather_patient_record(
                    queries=patient_queries(observation_codes=[], page_size=100),
                    patient_id=patient_id,
                    prefetch=None,
                    fhir_server=fault_proxy.base_url,
                    access_token=fhir_server.token,
                    draft_orders=None,
                    selections=(),
                    http=http,
                    allowlist=[fault_proxy.base_url],
                    limits=limits,
                )
            return record

        record = asyncio.run(gather())

        (search,) = [r for r in fault_proxy.requests if r.path.endswith("/Medication")]
        assert {r["id"] for r in record.resources if r["resourceType"] == "Medication"} == medication_ids
        assert record.unavailable == ()
        assert parse_qs(search.query)["_id"] == [",".join(sorted(medication_ids))]


@requires_private_server
class TestFaultsGiveAClearOutcomeNeverA500:
    """A FHIR server that fails or answers garbage: a DATA-UNAVAILABLE card, never a 500.

    A server slower than the deadline and a ``next`` link to another origin (not followed, the token does not
    leak) are tested through the same proxy in ``test_security_and_limits.py``; not repeated here.
    """

    GC_PATIENT = BY_NAME["01-gc-62f-prednisolone-10mg"]

    def _call_through(self, client: TestClient, proxy: FaultProxy, server: FhirServer) -> list[tuple[str, str]]:
        return _cards(_call(client, self.GC_PATIENT, "patient-view", fhir_base=proxy.base_url, token=server.token))

    @pytest.mark.parametrize(
        "fault",
        [
            pytest.param(Fault.status(500), id="500"),
            pytest.param(Fault.status(503), id="503"),
            pytest.param(Fault.not_json(), id="body-not-json"),
            pytest.param(Fault.not_a_bundle(), id="json-not-a-bundle"),
        ],
    )
    def test_a_failing_or_malformed_answer(
        self, proxied_service: TestClient, proxy: FaultProxy, fhir_server: FhirServer, fault: Fault
    ) -> None:
        proxy.inject(fault)

        cards = self._call_through(proxied_service, proxy, fhir_server)

        assert _indicators(cards, DATA_UNAVAILABLE) == ["info"]
        assert _indicators(cards, "GC-START-1") == []

    def test_only_the_second_page_fails(
        self, proxied_service: TestClient, proxy: FaultProxy, fhir_server: FhirServer
    ) -> None:
        # Prefetch everything but the observations, so the only requests are the 5 Observation pages.
        patient = BY_NAME["13-alendronate-70f-5-years"]
        keys = {"patient", *SEARCH_KEYS_BY_TYPE.values()} - {"observations"}
        prefetch = prefetch_for(patient.resources, patient_queries(observation_codes=[], page_size=2), only=keys)
        proxy.inject(Fault.status(500, skip_first=1, times=1))

        cards = _cards(
            _call(
                proxied_service,
                patient,
                "patient-view",
                fhir_base=proxy.base_url,
                token=fhir_server.token,
                prefetch=prefetch,
            )
        )

        assert _indicators(cards, DATA_UNAVAILABLE) == ["info"]
        assert [r.status_code for r in proxy.requests] == [200, 500]  # paging stops at the failed page


class TestTheTokenAndTheServerAreRequired:
    def test_a_token_the_fhir_server_refuses_gives_a_data_unavailable_card(
        self, service: TestClient, fhir_server: FhirServer
    ) -> None:
        if fhir_server.token is None:
            pytest.skip("the external FHIR server needs no token (FHIR_BEARER_TOKEN unset): nothing to refuse")
        patient = BY_NAME["01-gc-62f-prednisolone-10mg"]

        cards = _cards(
            _call(service, patient, "patient-view", fhir_base=fhir_server.base_url, token=f"not-{fhir_server.token}")
        )

        assert _indicators(cards, DATA_UNAVAILABLE) == ["info"]
        assert _indicators(cards, "GC-START-1") == []

    def test_no_prefetch_and_no_fhir_server_is_a_412(self, service: TestClient) -> None:
        patient = BY_NAME["01-gc-62f-prednisolone-10mg"]

        response = _call(service, patient, "patient-view", fhir_base=None, token=None)

        assert response.status_code == 412
        assert response.json()["resourceType"] == "OperationOutcome"
