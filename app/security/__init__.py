"""Security at the service's edge: verification of the CDS client's JWT on every CDS Hooks call.

The FHIR side (``fhirServer`` allowlist, token sent only to that origin, same-origin paging) lives in
:mod:`app.fhir`; request limits in :mod:`app.limits`; log scrubbing in :mod:`app.logging`.
"""

from __future__ import annotations

from app.security.client_auth import (
    CdsClientDep,
    ClientAuthenticator,
    bearer_scheme,
    endpoint_url,
    open_client_authenticator,
    require_cds_client,
)
from app.security.issuers import TrustedIssuer
from app.security.jwks import JwksCache, KeySet, load_jwks_file
from app.security.replay import InMemoryReplayCache, RedisReplayCache, ReplayCache
from app.security.verifier import ALLOWED_ALGORITHMS, AuthFailure, ClientJwtVerifier, VerifiedClient

__all__ = [
    "ALLOWED_ALGORITHMS",
    "AuthFailure",
    "CdsClientDep",
    "ClientAuthenticator",
    "ClientJwtVerifier",
    "InMemoryReplayCache",
    "JwksCache",
    "KeySet",
    "RedisReplayCache",
    "ReplayCache",
    "TrustedIssuer",
    "VerifiedClient",
    "bearer_scheme",
    "endpoint_url",
    "load_jwks_file",
    "open_client_authenticator",
    "require_cds_client",
]
