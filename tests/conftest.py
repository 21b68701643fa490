"""Application fixtures: settings on a temporary database, the app with its lifespan running, a pinned date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.devtools.postgres import PostgresCluster, PostgresUnavailableError
from app.main import create_app

AS_OF = date(2025, 6, 1)
"""The reference date of shared/clinical/vignettes.md ("today = 2025-06-01")."""

EHR_FHIR = "https://ehr.example.org/fhir"
"""The EHR's FHIR server in tests (mocked with respx at the httpx edge)."""


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
