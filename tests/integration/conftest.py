"""Fixtures for integration tests against a real FHIR R4 server.

* ``fhir_server`` (session): sekmet-fhir on 127.0.0.1, installed on first use by ``.ci/install-fhir-server``
  (so ``pytest`` alone works on a fresh clone), or the external server named by ``FHIR_BASE_URL`` (with
  ``FHIR_BEARER_TOKEN``). Started once per session, stopped at its end whatever the outcome.
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
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.devtools.fhir_server import FhirServer, fhir_server_from_env
from app.devtools.patients import REFERENCE_DATE, SyntheticPatient, load_library
from app.main import create_app

from .fault_proxy import FaultProxy, RecordingListener

__all__ = ["EXTERNAL", "OpenService", "attacker", "fault_proxy", "fhir_server", "open_service", "patient_library"]

EXTERNAL = bool(os.environ.get("FHIR_BASE_URL", "").strip())
"""True when the suite runs against an external server (``FHIR_BASE_URL``): tests that need the fault proxy or
a private server skip."""

OpenService = Callable[..., AbstractContextManager[TestClient]]


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[FhirServer]:
    server = fhir_server_from_env()
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
