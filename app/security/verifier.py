"""Verification of the CDS client's JWT (CDS Hooks 2.0 "Trusting CDS Clients"; shared/docs/cds-hooks.md §1.9).

Checked in this order, cheapest and most telling first; the first failure refuses the call:

1. the token is a compact JWS of bounded size with a JSON header and payload;
2. header: ``alg`` is ES384 or RS384 (never ``none`` nor HMAC), ``kid`` is present, ``typ`` (if sent) is JWT,
   no ``crit`` extensions;
3. ``iss`` is a trusted issuer;
4. ``aud`` (a string or an array) contains the exact URL of the endpoint called;
5. ``exp`` has not passed, ``iat`` and ``nbf`` are not in the future (all with a small leeway), and
   ``exp - iat`` is at most the maximum token lifetime;
6. ``tenant`` equals the issuer's tenant, when one is configured;
7. ``jti`` is present;
8. the signature verifies with the issuer's key ``kid``: from its JWKS file, its JWKS URL, or the token's ``jku``
   header when that URL is on the issuer's ``jku_allowlist`` (the key's type and curve must fit ``alg``);
9. ``jti`` has not been seen before (replay cache), recorded only now so invalid tokens cannot fill the cache.

Extra claims (``sub``, Epic's ``nbf``, ...) are tolerated. Every failure raises
:class:`~app.errors.AuthenticationError` whose message is a :class:`AuthFailure` reason, for the log only: the
HTTP answer is a bare 401.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from jwt.api_jws import PyJWS

from app.errors import AuthenticationError
from app.security._urls import is_allowed_url
from app.security.issuers import TrustedIssuer
from app.security.jwks import JwksCache, JwksUnavailableError, KeySet
from app.security.replay import ReplayCache, replay_key

__all__ = ["ALLOWED_ALGORITHMS", "AuthFailure", "ClientJwtVerifier", "VerifiedClient"]

ALLOWED_ALGORITHMS = ("ES384", "RS384")
"""The algorithms CDS Hooks recommends; ``none`` and symmetric (HMAC) algorithms SHALL NOT be used."""

_MAX_TOKEN_CHARS = 16_384
_MAX_JTI_CHARS = 256
_MIN_RSA_BITS = 2048
_KEY_TYPES = {"ES384": ("EC", "P-384"), "RS384": ("RSA", None)}


class AuthFailure(StrEnum):
    """Why a client JWT was refused (logged; never sent to the caller)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    HEADER = "header"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    LIFETIME = "lifetime"
    TENANT = "tenant"
    JTI = "jti"
    JKU = "jku"
    UNKNOWN_KID = "unknown-kid"
    KEY = "key"
    JWKS_UNAVAILABLE = "jwks-unavailable"
    SIGNATURE = "signature"
    REPLAY = "replay"


def _refuse(reason: AuthFailure) -> AuthenticationError:
    return AuthenticationError(reason.value)


@dataclass(frozen=True, slots=True)
class VerifiedClient:
    """The CDS client a verified JWT speaks for (``iss``, ``tenant``; ``jti`` and ``kid`` for the log)."""

    issuer: str
    tenant: str | None
    jti: str
    kid: str


def _number(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(AuthFailure.MALFORMED)
    return float(value)


class ClientJwtVerifier:
    """Verifies client JWTs against the trusted issuers, their keys and the replay cache."""

    def __init__(
        self,
        issuers: Sequence[TrustedIssuer],
        *,
        file_keys: Mapping[str, KeySet],
        jwks: JwksCache,
        replay: ReplayCache,
        leeway_seconds: float,
        max_lifetime_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuers = {issuer.iss: issuer for issuer in issuers}
        self._file_keys = file_keys
        self._jwks = jwks
        self._replay = replay
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds
        self._clock = clock
        self._jws = PyJWS(algorithms=list(ALLOWED_ALGORITHMS))

    async def verify(self, token: str, *, audience: str) -> VerifiedClient:
        """The verified client, or :class:`~app.errors.AuthenticationError` (see the module docstring)."""
        header, claims = self._parse(token)
        alg, kid = self._check_header(header)
        iss = claims.get("iss")
        issuer = self._issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise _refuse(AuthFailure.ISSUER)
        self._check_audience(claims.get("aud"), audience)
        exp = self._check_times(claims)
        tenant = claims.get("tenant")
        if issuer.tenant is not None and tenant != issuer.tenant:
            raise _refuse(AuthFailure.TENANT)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > _MAX_JTI_CHARS:
            raise _refuse(AuthFailure.JTI)
        jwk = await self._key(issuer, header, kid)
        self._check_signature(token, jwk, alg)
        if not await self._replay.first_use(replay_key(issuer.iss, jti), expires_at=exp + self._leeway):
            raise _refuse(AuthFailure.REPLAY)
        return VerifiedClient(issuer=issuer.iss, tenant=tenant if isinstance(tenant, str) else None, jti=jti, kid=kid)

    # -- steps -----------------------------------------------------------------------------------------

    def _parse(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if not token or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 2:
            raise _refuse(AuthFailure.MALFORMED)
        try:
            decoded = self._jws.decode_complete(token, options={"verify_signature": False})
            claims = json.loads(decoded["payload"])
        except (jwt.PyJWTError, ValueError, UnicodeDecodeError) as exc:
            raise _refuse(AuthFailure.MALFORMED) from exc
        header = decoded["header"]
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _refuse(AuthFailure.MALFORMED)
        return header, claims

    def _check_header(self, header: Mapping[str, Any]) -> tuple[str, str]:
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise _refuse(AuthFailure.ALGORITHM)
        kid = header.get("kid")
        typ = header.get("typ")
        if not isinstance(kid, str) or not kid or "crit" in header:
            raise _refuse(AuthFailure.HEADER)
        if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
            raise _refuse(AuthFailure.HEADER)
        return str(alg), kid

    @staticmethod
    def _check_audience(aud: object, expected: str) -> None:
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or expected not in [a for a in audiences if isinstance(a, str)]:
            raise _refuse(AuthFailure.AUDIENCE)

    def _check_times(self, claims: Mapping[str, Any]) -> float:
        now = self._clock()
        exp = _number(claims, "exp", required=True)
        iat = _number(claims, "iat", required=True)
        nbf = _number(claims, "nbf", required=False)
        if exp is None or iat is None:  # pragma: no cover - _number raises for required claims
            raise _refuse(AuthFailure.MALFORMED)
        if exp + self._leeway <= now:
            raise _refuse(AuthFailure.EXPIRED)
        if iat - self._leeway > now or (nbf is not None and nbf - self._leeway > now):
            raise _refuse(AuthFailure.NOT_YET_VALID)
        if exp - iat > self._max_lifetime or exp < iat:
            raise _refuse(AuthFailure.LIFETIME)
        return exp

    async def _key(self, issuer: TrustedIssuer, header: Mapping[str, Any], kid: str) -> Mapping[str, Any]:
        jku = header.get("jku")
        try:
            if jku is not None:
                if not isinstance(jku, str) or not is_allowed_url(jku, issuer.jku_allowlist):
                    raise _refuse(AuthFailure.JKU)
                key = await self._jwks.key(jku, kid)
            else:
                file_keys = self._file_keys.get(issuer.iss)
                key = file_keys.keys.get(kid) if file_keys is not None else None
                if key is None and issuer.jwks_url is not None:
                    key = await self._jwks.key(issuer.jwks_url, kid)
        except JwksUnavailableError as exc:
            raise _refuse(AuthFailure.JWKS_UNAVAILABLE) from exc
        if key is None:
            raise _refuse(AuthFailure.UNKNOWN_KID)
        return key

    def _check_signature(self, token: str, jwk: Mapping[str, Any], alg: str) -> None:
        kty, crv = _KEY_TYPES[alg]
        if (
            jwk.get("kty") != kty
            or (crv is not None and jwk.get("crv") != crv)
            or jwk.get("alg", alg) != alg
            or jwk.get("use", "sig") != "sig"
        ):
            raise _refuse(AuthFailure.KEY)
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=alg)
        except jwt.PyJWTError as exc:
            raise _refuse(AuthFailure.KEY) from exc
        if kty == "RSA" and getattr(key.key, "key_size", 0) < _MIN_RSA_BITS:
            raise _refuse(AuthFailure.KEY)
        try:
            self._jws.decode_complete(token, key=key, algorithms=[alg])
        except jwt.PyJWTError as exc:
            raise _refuse(AuthFailure.SIGNATURE) from exc
