"""Fixtures for integration tests against a real FHIR R4 server.

* ``fhir_server`` (session, parametrised): each loopback FHIR server in turn, ``[sekmet]`` (sekmet-fhir,
  installed on first use by ``.ci/install-fhir-server``) and ``[hapi]`` (our HAPI FHIR JPA server, built on
  first use by ``.ci/install-hapi-fhir``), so ``pytest`` alone works on a fresh clone; ``FHIR_TEST_SERVERS``
  (e.g. ``sekmet``) narrows the list. With ``FHIR_BASE_URL`` (and ``FHIR_BEARER_TOKEN``) only that external
  server, ``[external]``. Each is started once per session (pytest groups the tests by server), and stopped
  when its tests are done or at the end, whatever the outcome.
* ``fault_proxy`` (per test): a ``FaultProxy`` in front of ``fhir_server``; plain forwarding until a test
  calls ``fault_proxy.inject(Fault...)``.
* ``attacker`` (per test): a ``RecordingListener`` on a foreign loopback origin (127.0.0.2), the
  target of rewritten ``link[next]`` URLs; it records which requests, with which token, reached it.
* ``patient_library`` (session): the synthetic patients of ``examples/patients/`` loaded into ``fhir_server``
  (transaction Bundles with ``PUT`` and stable ids: loading them again into an external server only updates them).
* ``open_service``: a factory for the osteo-cds app in-process (``TestClient`` with its lifespan running), with
  client authentication off, "today" pinned to the library's reference date and the given ``fhirServer``
  allowlist, page size and timeouts.

Tests that share ``fhir_server`` must not assume an empty store: each loads its own patient.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.devtools.fhir_server import (
    LOCAL_FHIR_SERVERS,
    ExternalFhirServer,
    FhirServer,
    LocalFhirServerKind,
    start_local_fhir_server,
)
from app.devtools.patients import REFERENCE_DATE, SyntheticPatient, load_library
from app.main import create_app

from .fault_proxy import FaultProxy, RecordingListener

__all__ = [
    "EXTERNAL",
    "OpenService",
    "attacker",
    "fault_proxy",
    "fhir_server",
    "local_fhir_servers",
    "open_service",
    "patient_library",
]

EXTERNAL = bool(os.environ.get("FHIR_BASE_URL", "").strip())
"""True when the suite runs against an external server (``FHIR_BASE_URL``): tests that need the fault proxy or
a private server skip."""

OpenService = Callable[..., AbstractContextManager[TestClient]]


def local_fhir_servers() -> list[str]:
    """The loopback servers to test against: all of ``LOCAL_FHIR_SERVERS``, or those ``FHIR_TEST_SERVERS`` names."""
    wanted = os.environ.get("FHIR_TEST_SERVERS", "").replace(",", " ").split()
    unknown = sorted(set(wanted) - set(LOCAL_FHIR_SERVERS))
    if unknown:
        raise pytest.UsageError(f"FHIR_TEST_SERVERS: unknown server(s) {unknown}; known: {list(LOCAL_FHIR_SERVERS)}")
    return [kind for kind in LOCAL_FHIR_SERVERS if not wanted or kind in wanted]


def _fhir_servers() -> list[str]:
    return ["external"] if EXTERNAL else local_fhir_servers()


@pytest.fixture(scope="session", params=_fhir_servers())
def fhir_server(request: pytest.FixtureRequest) -> Iterator[FhirServer]:
    kind: str = request.param
    if kind == "external":
        server: FhirServer = ExternalFhirServer(
            os.environ["FHIR_BASE_URL"].strip(), token=os.environ.get("FHIR_BEARER_TOKEN", "").strip() or None
        )
    else:
        server = start_local_fhir_server(cast(LocalFhirServerKind, kind))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault_proxy(fhir_server: FhirServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(fhir_server.base_url).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def attacker() -> Iterator[RecordingListener]:
    listener = RecordingListener().start()
    try:
        yield listener
    finally:
        listener.stop()


@pytest.fixture(scope="session")
def patient_library(fhir_server: FhirServer) -> tuple[SyntheticPatient, ...]:
    patients = load_library()
    for patient in patients:
        fhir_server.load_bundle(dict(patient.bundle))
    return patients


@pytest.fixture(scope="session")
def open_service(tmp_path_factory: pytest.TempPathFactory) -> OpenService:
    """``with open_service(allow=[base]) as client:`` the app with its lifespan running; keyword arguments are
    Settings fields (e.g. ``fhir_page_size=2``, ``fhir_query_timeout_seconds=0.5``). Starting an app takes about
    half a second (value sets, card templates): open one per module or class, not per test."""

    @contextmanager
    def open_(*, allow: list[str], **overrides: Any) -> Iterator[TestClient]:
        database = tmp_path_factory.mktemp("service") / "feedback.db"
        settings = Settings(
            database_url=f"sqlite:///{database}",
            fhir_server_allowlist=allow,
            auth_disabled_for_development=True,  # the CDS-client JWT is tested in tests/security
            **overrides,
        )
        application = create_app(settings)
        application.dependency_overrides[get_as_of] = lambda: REFERENCE_DATE
        with TestClient(application) as client:
            yield client

    return open_
