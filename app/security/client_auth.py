"""Client authentication as a FastAPI dependency, and its construction in the application's lifespan.

:func:`open_client_authenticator` builds a :class:`ClientAuthenticator` from the settings (JWKS files read and
checked at start-up, the JWKS cache on the shared ``httpx.AsyncClient``, the replay cache in process or in
Redis). :func:`require_cds_client` is the dependency the CDS Hooks routes declare: it verifies the
``Authorization: Bearer <JWT>`` of every discovery, service and feedback call against the exact endpoint URL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.errors import AuthenticationError, SecurityConfigurationError
from app.security.jwks import JwksCache, KeySet, load_jwks_file
from app.security.replay import InMemoryReplayCache, RedisReplayCache, ReplayCache
from app.security.verifier import AuthFailure, ClientJwtVerifier, VerifiedClient

if TYPE_CHECKING:
    from app.config import Settings

__all__ = [
    "ClientAuthenticator",
    "CdsClientDep",
    "bearer_scheme",
    "endpoint_url",
    "open_client_authenticator",
    "require_cds_client",
]

_log = logging.getLogger("osteo_cds.security")

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    scheme_name="cdsClientJwt",
    description=(
        "CDS Hooks client JWT (ES384 or RS384) whose `aud` is the exact URL of the endpoint called. "
        "Not required when the service runs with OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT=true."
    ),
)


def endpoint_url(request: Request, public_base_url: str) -> str:
    """The URL the EHR called, as it must appear in the JWT's ``aud``: public base URL + endpoint path.

    Never the URL of the request as received: its host is whatever the caller put in the ``Host`` header.
    """
    path = request.scope["path"]
    root_path = request.scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    return f"{public_base_url}{path}"


class ClientAuthenticator:
    """Verifies the client JWT of a request; ``verifier=None`` means authentication is disabled (development)."""

    def __init__(self, verifier: ClientJwtVerifier | None, *, public_base_url: str) -> None:
        self.verifier = verifier
        self.public_base_url = public_base_url

    @property
    def enabled(self) -> bool:
        return self.verifier is not None

    async def authenticate(self, request: Request, token: str | None) -> VerifiedClient | None:
        """The verified client (``None`` when disabled); raises :class:`~app.errors.AuthenticationError`."""
        if self.verifier is None:
            return None
        path = request.url.path
        try:
            if token is None:
                raise AuthenticationError(AuthFailure.MISSING.value)
            client = await self.verifier.verify(token, audience=endpoint_url(request, self.public_base_url))
        except AuthenticationError as exc:
            _log.warning("client authentication failed", extra={"reason": exc.message, "path": path})
            raise
        _log.debug(
            "client authenticated",
            extra={"issuer": client.issuer, "tenant": client.tenant, "jti": client.jti, "path": path},
        )
        return client


async def require_cds_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> VerifiedClient | None:
    """FastAPI dependency: the verified CDS client of this call (``None`` only when auth is disabled)."""
    authenticator: ClientAuthenticator = request.state.client_auth
    return await authenticator.authenticate(request, credentials.credentials if credentials else None)


CdsClientDep = Annotated[VerifiedClient | None, Depends(require_cds_client)]


def _file_keys(settings: Settings) -> dict[str, KeySet]:
    keys: dict[str, KeySet] = {}
    for issuer in settings.auth_issuers:
        if issuer.jwks_file is not None:
            keys[issuer.iss] = load_jwks_file(issuer.jwks_file)
    return keys


@asynccontextmanager
async def open_client_authenticator(settings: Settings, http: httpx.AsyncClient) -> AsyncIterator[ClientAuthenticator]:
    """The authenticator for the application's lifetime (closes the Redis connection, if any, at the end).

    Raises :class:`~app.errors.SecurityConfigurationError` when authentication is on but no issuer is trusted, the
    public base URL is unset, or a JWKS file is unusable: a service that would refuse every call, or check ``aud``
    against a URL the caller chose, must not start.
    """
    if settings.auth_disabled_for_development:
        _log.warning(
            "CDS client authentication is DISABLED (OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT=true): "
            "any caller is accepted. Development only; never in production.",
            extra={"setting": "auth_disabled_for_development=true"},
        )
        yield ClientAuthenticator(None, public_base_url=settings.public_base_url or "")
        return
    if not settings.auth_issuers:
        raise SecurityConfigurationError(
            "client authentication is on but OSTEO_AUTH_ISSUERS is empty: configure the trusted EHRs "
            "(or, for local development only, set OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT=true)"
        )
    if settings.public_base_url is None:
        raise SecurityConfigurationError(
            "client authentication is on but OSTEO_PUBLIC_BASE_URL is unset: set it to the base URL the EHR calls "
            "(a JWT's aud is that URL plus the endpoint path; the Host header of a request cannot be trusted)"
        )
    replay: ReplayCache = RedisReplayCache.from_url(settings.redis_url) if settings.redis_url else InMemoryReplayCache()
    verifier = ClientJwtVerifier(
        settings.auth_issuers,
        file_keys=_file_keys(settings),
        jwks=JwksCache(
            http,
            cache_seconds=settings.auth_jwks_cache_seconds,
            min_refresh_seconds=settings.auth_jwks_min_refresh_seconds,
        ),
        replay=replay,
        leeway_seconds=settings.auth_clock_leeway_seconds,
        max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
    )
    _log.info(
        "CDS client authentication on",
        extra={
            "setting": f"issuers={len(settings.auth_issuers)} "
            + ("replay=redis (shared)" if settings.redis_url else "replay=memory (this process only)")
        },
    )
    try:
        yield ClientAuthenticator(verifier, public_base_url=settings.public_base_url)
    finally:
        await replay.close()
