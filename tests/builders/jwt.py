"""Builders for CDS client JWTs signed with key pairs made in the test (EC P-384 and RSA)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["EHR_ISSUER", "SigningKey", "client_jwt", "ec_key", "jwks", "rsa_key", "write_jwks"]

EHR_ISSUER = "https://ehr.example.org"
"""The ``iss`` of the trusted EHR in tests."""


@dataclass(frozen=True)
class SigningKey:
    """A private key with its ``kid`` and algorithm; ``public_jwk`` is what the EHR publishes."""

    kid: str
    alg: str
    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = field(repr=False)

    @property
    def public_jwk(self) -> dict[str, Any]:
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            exported = ECAlgorithm.to_jwk(self.private.public_key())
        else:
            exported = RSAAlgorithm.to_jwk(self.private.public_key())
        document: dict[str, Any] = json.loads(exported)
        return {**document, "kid": self.kid, "use": "sig", "alg": self.alg}


def ec_key(*, kid: str = "ec-p384-1") -> SigningKey:
    """An EC P-384 key pair for ES384 (what the CDS Hooks sandbox uses)."""
    return SigningKey(kid=kid, alg="ES384", private=ec.generate_private_key(ec.SECP384R1()))


def rsa_key(*, kid: str = "rsa-1", bits: int = 2048) -> SigningKey:
    """An RSA key pair for RS384 (Epic's default)."""
    return SigningKey(kid=kid, alg="RS384", private=rsa.generate_private_key(public_exponent=65537, key_size=bits))


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


def write_jwks(path: Path, *keys: SigningKey) -> Path:
    path.write_text(json.dumps(jwks(*keys)), encoding="utf-8")
    return path


def client_jwt(
    *,
    key: SigningKey,
    aud: str | list[str],
    iss: str = EHR_ISSUER,
    iat: float | None = None,
    lifetime: float = 300,
    jti: str | None = None,
    tenant: str | None = None,
    alg: str | None = None,
    kid: str | None = None,
    jku: str | None = None,
    extra_claims: dict[str, Any] | None = None,
    omit: tuple[str, ...] = (),
) -> str:
    """A client JWT as an EHR sends it: ``iat`` now, ``exp`` five minutes later, a fresh ``jti``.

    ``alg`` / ``kid`` override the header (for wrong-algorithm and unknown-key cases); ``omit`` drops claims.
    """
    issued = time.time() if iat is None else iat
    claims: dict[str, Any] = {
        "iss": iss,
        "aud": aud,
        "iat": int(issued),
        "exp": int(issued + lifetime),
        "jti": jti or str(uuid.uuid4()),
        **({"tenant": tenant} if tenant else {}),
        **(extra_claims or {}),
    }
    for name in omit:
        claims.pop(name, None)
    headers: dict[str, Any] = {"kid": kid or key.kid, "typ": "JWT"}
    if jku:
        headers["jku"] = jku
    return jwt.encode(claims, key.private, algorithm=alg or key.alg, headers=headers)
