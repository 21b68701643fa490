"""Auth-on application fixtures: a trusted EHR whose EC P-384 and RSA keys were made for this test session.

``auth_settings``: the root settings (test database, FHIR allowlist) with client authentication ON, the EHR's
public keys in a JWKS file and the service's public base URL set as behind a proxy. A test module opts in with
``settings = auth_on`` (see ``test_client_jwt.py``); other modules here keep the root, auth-off settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.security import TrustedIssuer
from tests.builders.jwt import EHR_ISSUER, SigningKey, ec_key, rsa_key, write_jwks
from tests.conftest import EHR_FHIR

PUBLIC_BASE_URL = "https://cds.example.org/osteo"
"""Where the EHR calls us (a reverse proxy in front); ``aud`` is built from this, not from the test client URL."""

SERVICE_ID = "osteoporosis-patient-view"
DISCOVERY = "/cds-services"
SERVICE = f"/cds-services/{SERVICE_ID}"
FEEDBACK = f"/cds-services/{SERVICE_ID}/feedback"


def aud(path: str) -> str:
    """The ``aud`` an EHR puts in its JWT for ``path``: the exact endpoint URL it calls."""
    return f"{PUBLIC_BASE_URL}{path}"


@pytest.fixture(scope="session")
def ehr_ec_key() -> SigningKey:
    return ec_key(kid="ehr-ec-2025")


@pytest.fixture(scope="session")
def ehr_rsa_key() -> SigningKey:
    return rsa_key(kid="ehr-rsa-2025")


@pytest.fixture
def jwks_file(tmp_path: Path, ehr_ec_key: SigningKey, ehr_rsa_key: SigningKey) -> Path:
    return write_jwks(tmp_path / "ehr-jwks.json", ehr_ec_key, ehr_rsa_key)


@pytest.fixture
def issuers(jwks_file: Path) -> list[TrustedIssuer]:
    return [TrustedIssuer(iss=EHR_ISSUER, jwks_file=jwks_file)]


@pytest.fixture
def auth_overrides() -> dict[str, Any]:
    """Per-module extra settings (override this fixture in a test module)."""
    return {}


@pytest.fixture
def auth_settings(database_url: str, issuers: list[TrustedIssuer], auth_overrides: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "fhir_server_allowlist": [EHR_FHIR],
        "fhir_query_timeout_seconds": 1.0,
        "fhir_call_deadline_seconds": 2.0,
        "auth_disabled_for_development": False,
        "public_base_url": PUBLIC_BASE_URL,
        "auth_issuers": issuers,
        **auth_overrides,
    }
    return Settings(**values)
