"""The CDS clients (EHRs) this deployment trusts: one :class:`TrustedIssuer` per JWT ``iss``.

Configured as JSON in ``OSTEO_AUTH_ISSUERS``, e.g.::

    [{"iss": "https://ehr.example.org", "tenant": "hospital-a",
      "jwks_url": "https://ehr.example.org/.well-known/jwks.json"}]

Each issuer names where its public keys come from: a JWKS file on disk, a JWKS URL, and/or the ``jku`` header
of its tokens, but only when that ``jku`` lies under one of the issuer's ``jku_allowlist`` URLs. A key found for
one issuer never verifies a token that claims another issuer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.security._urls import normalized_url

__all__ = ["TrustedIssuer"]


def _check_http_url(value: str, field: str) -> str:
    if normalized_url(value) is None:
        raise ValueError(f"{field} must be an absolute http(s) URL without credentials or fragment: {value!r}")
    return value


class TrustedIssuer(BaseModel):
    """One EHR allowed to call us, and where its JWT signing keys are published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    iss: str = Field(min_length=1)
    """The exact ``iss`` claim of the EHR's client JWTs (CDS Hooks 2.0 §Trusting CDS Clients)."""
    tenant: str | None = Field(default=None, min_length=1)
    """When set, the JWT's ``tenant`` claim must equal it (one EHR vendor serving several organisations)."""
    jwks_file: Path | None = None
    """A JWKS (``{"keys": [...]}``) exchanged out of band, read at start-up."""
    jwks_url: str | None = None
    """A JWKS URL we fetch (through the shared HTTP client) and cache; re-fetched on an unknown ``kid``."""
    jku_allowlist: tuple[str, ...] = ()
    """URL prefixes a token's ``jku`` header may point at; a ``jku`` elsewhere is refused and never fetched."""

    @field_validator("jwks_url")
    @classmethod
    def _jwks_url_is_http(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value, "jwks_url")

    @field_validator("jku_allowlist")
    @classmethod
    def _jku_entries_are_http(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_http_url(entry, "jku_allowlist entry") for entry in value)

    @model_validator(mode="after")
    def _has_a_key_source(self) -> TrustedIssuer:
        if self.jwks_file is None and self.jwks_url is None and not self.jku_allowlist:
            raise ValueError(f"issuer {self.iss!r} needs jwks_file, jwks_url or jku_allowlist")
        return self
