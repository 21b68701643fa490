"""Application fixtures: settings on a temporary database, the app with its lifespan running, a pinned date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from app.config import Settings
from app.deps import get_as_of
from app.devtools.postgres import PostgresCluster, PostgresUnavailableError
from app.main import create_app

AS_OF = date(2025, 6, 1)
"""The reference date of shared/clinical/vignettes.md ("today = 2025-06-01")."""

EHR_FHIR = "https://ehr.example.org/fhir"
"""The EHR's FHIR server in tests (mocked with respx at the httpx edge)."""

SHARED_SESSION_SERVERS = {"integration": "fhir-server", "feedback": "postgresql"}
STARTS_ITS_OWN_SERVERS = ("tests/integration/test_demo.py",)
"""Integration tests that start their own FHIR server and service (the demo) and share nothing with the others: each
is a unit of its own, so the demo against HAPI FHIR (a minute) runs beside the rest."""
"""Test directories whose tests share a server started once per test process (the FHIR server and Chromium of
``tests/integration``, the PostgreSQL cluster below): pytest-xdist runs each of them on one worker."""


class _SharedServerScheduling(LoadScopeScheduling):  # type: ignore[misc]  # pytest-xdist ships no type hints
    """``--dist loadgroup`` by directory: the tests of a directory of :data:`SHARED_SESSION_SERVERS` are one unit
    of work (one worker starts that server, once); every other test is a unit of its own, like ``--dist load``.
    (pytest-xdist 3.8's ``xdist_group`` marker renames the test's node id for this, which has no effect with
    pytest 9.2: the marked tests were spread over both workers.) The largest units are handed out first."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of_work(nodeid)


_ON_HAPI = re.compile(r"[\[-]hapi[\]-]")
"""A test id parametrised with the HAPI FHIR server (``tests/integration/conftest.py``: ``fhir_server``)."""


def unit_of_work(nodeid: str) -> str:
    """The group of :data:`SHARED_SESSION_SERVERS` the test belongs to, else its own node id. The integration tests
    that run against HAPI FHIR are a group of their own: the worker that runs them starts HAPI, the other worker
    sekmet-fhir (each FHIR server once, and the two groups side by side)."""
    if nodeid.startswith(STARTS_ITS_OWN_SERVERS):
        return nodeid
    parts = nodeid.split("/", 2)
    group = SHARED_SESSION_SERVERS.get(parts[1]) if len(parts) == 3 and parts[0] == "tests" else None
    if group == "fhir-server" and _ON_HAPI.search(nodeid.partition("::")[2]):
        return "fhir-server-hapi"
    return group or nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    return _SharedServerScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'feedback.db'}"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole session (tests take a fresh database each with
    ``create_database``); skips, saying why, where PostgreSQL cannot be run (``./.ci/install-postgresql``)."""
    try:
        cluster = PostgresCluster()
        cluster.__enter__()
    except PostgresUnavailableError as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield cluster
    finally:
        cluster.__exit__(None, None, None)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        fhir_server_allowlist=[EHR_FHIR],
        fhir_query_timeout_seconds=1.0,
        fhir_call_deadline_seconds=2.0,
        auth_disabled_for_development=True,  # client-JWT checks are tested in tests/security with auth on
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    application = create_app(settings)
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
