"""Settings: every environment variable the service reads, typed and defaulted, in one place.

Variables are prefixed ``OSTEO_`` (nested groups use ``__``, e.g. ``OSTEO_SNAPSHOT__DXA_STALE_YEARS``);
``DATABASE_URL`` is also accepted without prefix, as hosting platforms set it. The README lists them all.
Settings are read once, when the application is created; nothing reads the environment at import time.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.fhir.client import DEFAULT_MAX_CALL_BYTES, DEFAULT_MAX_RESPONSE_BYTES
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules.parameters import GuidelineParameters
from app.security._urls import normalized_url
from app.security.issuers import TrustedIssuer
from app.snapshot.parameters import SnapshotParameters

__all__ = ["Display", "Language", "Profile", "Settings", "get_settings"]

Profile = Literal["nl", "be"]
Language = Literal["nl", "en"]
Display = Literal["show", "fold", "silent"]

_REPO_ROOT = Path(__file__).resolve().parent.parent
_DEFAULT_DATABASE = (
    f"sqlite:///{_REPO_ROOT / 'var' / 'feedback.db'}"
    if (_REPO_ROOT / "pyproject.toml").is_file()
    else "sqlite:///var/feedback.db"
)
"""The source checkout's ``var/feedback.db``; installed from a wheel, ``var/feedback.db`` in the working directory
(never inside site-packages)."""
_MIN_SECRET_CHARS = 32
"""A shorter HMAC key is guessable; 32 characters of a random token carry at least 128 bits."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Service configuration (see README "Settings" for the table)."""

    model_config = SettingsConfigDict(
        env_prefix="OSTEO_",
        env_nested_delimiter="__",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    # Guideline and presentation
    profile: Profile = "nl"
    """Guideline profile: ``nl`` (NHG/NIV 2023, default) or ``be`` (Belgian Bone Club)."""
    default_language: Language = "nl"
    """Card language when the request names none (extension or Accept-Language)."""
    timezone: str = "Europe/Amsterdam"
    """IANA time zone that defines "today" (the ``as_of`` date of a hook call)."""
    display_policy: dict[str, Display] = {}
    """Per rule ID, how this site shows its findings (app/presentation.py), as JSON, e.g.
    ``{"SCREEN-NL-2": "silent", "VITD-3": "fold"}``: ``show`` (default: per the catalog), ``fold`` (only inside the
    bone-health card and on the assessment page, never the reason a card appears), ``silent`` (evaluated and recorded
    with the issued-card records, never shown). An unknown rule ID stops start-up."""
    assessment_page: bool = True
    """Serve the assessment page (``/assessment/<token>``) and put its "Full assessment" link on every card."""
    assessment_ttl_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    """How long an assessment page stays available after the hook call; then it is deleted."""
    assessment_key: SecretStr | None = None
    """Key that seals stored assessments (AES-256-GCM; at least 32 characters). Unset: a random key is generated
    once and kept in the database (then a database reader could open stored assessments: configure it)."""
    assessment_frame_ancestors: Annotated[list[str], NoDecode] = []
    """Origins allowed to embed the assessment page in a frame (CSP ``frame-ancestors``), comma-separated, e.g.
    the EHR's ``https://ehr.example.org``. Empty: the page cannot be framed."""
    order_codings_file: Path | None = None
    """JSON file with the site's national product codes (G-Standaard PRK/GPK/HPK/ZI, Belgian CNK) per medication
    order template, added to every suggested MedicationRequest (see README "Settings"). Unset: ATC and RxNorm only."""

    # Storage
    database_url: str = Field(
        default=_DEFAULT_DATABASE,
        validation_alias=AliasChoices("OSTEO_DATABASE_URL", "DATABASE_URL"),
    )
    """SQLAlchemy URL for stored feedback. SQLite file by default; ``postgresql+psycopg://...`` in production."""
    database_read_deadline_seconds: float = Field(default=0.25, gt=0, le=5)
    """Longest wait for a snooze or order-sign override read; past it (or on a database error) the cards are shown
    (fail open)."""
    database_write_deadline_seconds: float = Field(default=2.0, gt=0, le=60)
    """Longest wait for a feedback write (then 503) or an issued-card batch (then kept and retried)."""
    database_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    """Connection timeout to a database server (PostgreSQL ``connect_timeout``, whole seconds, at least 1)."""
    database_statement_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    """Statement timeout (PostgreSQL ``statement_timeout`` and ``lock_timeout``; SQLite's busy timeout)."""
    info_snooze_secret: SecretStr | None = None
    """Key of the HMAC-SHA256 that links an issued info card to its patient (fhirServer + patient id) for the
    snooze of acknowledged info cards (app/feedback/snooze.py); at least 32 characters. Unset: a random key is
    generated once and stored in the database (restarts and workers share it, but anyone who can read the
    database can then recompute the hashes of known patient ids). Never logged."""
    order_sign_hides_overridden: bool = True
    """rules.md §0.3 item 6: a card overridden at order-select is not shown again at order-sign the same day (same
    rule and variant, same patient; app/feedback/overrides.py). False: every still-applicable card comes back."""

    # FHIR access
    fhir_server_allowlist: Annotated[list[str], NoDecode] = ["http://127.0.0.1", "http://localhost"]
    """Origins (optionally with a path prefix) whose ``fhirServer`` we may call with the EHR's token.
    An entry without a port matches any port of that host. Production: list the EHR's FHIR base URL(s)."""
    fhir_query_timeout_seconds: float = Field(default=1.5, gt=0)
    """Timeout of one FHIR HTTP request."""
    fhir_call_deadline_seconds: float = Field(default=2.5, gt=0)
    """Deadline for gathering all missing data in one hook call; what is not back by then is a data gap."""
    fhir_max_pages: int = Field(default=10, ge=1)
    """Bundle ``next`` links followed per search (prefetched or fetched)."""
    fhir_max_resources: int = Field(default=5000, ge=1)
    """Resources accepted per hook call across all searches; beyond that the search is reported incomplete."""
    fhir_max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, ge=1024)
    """Decompressed bytes accepted in one FHIR answer (a gzip answer is inflated only up to this); beyond it that
    search is unavailable data."""
    fhir_max_call_bytes: int = Field(default=DEFAULT_MAX_CALL_BYTES, ge=1024)
    """Decompressed bytes accepted over all FHIR answers of one hook call; beyond it the searches still running are
    unavailable data."""
    fhir_page_size: int = Field(default=100, ge=1, le=1000)
    """``_count`` used in our prefetch templates and searches."""

    # HTTP
    cors_allowed_origins: Annotated[list[str], NoDecode] = [
        "https://sandbox.cds-hooks.org",
        "http://localhost:3000",
    ]
    """Browser origins allowed to call us (CORS). ``*`` allows any origin (no credentials are used)."""
    max_body_bytes: int = Field(default=5_000_000, ge=1024)
    """Largest accepted request body."""
    max_prefetch_entries: int = Field(default=5000, ge=1)
    """Most Bundle entries accepted in one hook request, over all prefetch values and ``draftOrders`` (else 413)."""

    # CDS client authentication (CDS Hooks 2.0 "Trusting CDS Clients"); see README "Security"
    auth_disabled_for_development: bool = False
    """Skip client-JWT verification. Development only: start-up logs a WARNING. Never set it in production."""
    development_today: date | None = None
    """Development runs only: the date every hook call takes as "today" instead of the clock (e.g. ``2025-06-01``,
    the reference date of ``examples/``). Refused unless ``auth_disabled_for_development`` is on: never available
    with client authentication. Start-up logs a WARNING."""
    public_base_url: str | None = None
    """The base URL the EHR calls (e.g. ``https://cds.example.org/osteo``); a JWT's ``aud`` must equal this plus
    the endpoint path. Required when client authentication is on (start-up fails without it: the URL of the request
    as received carries the caller's ``Host`` header)."""
    auth_issuers: list[TrustedIssuer] = []
    """The trusted EHRs as JSON: ``[{"iss": ..., "tenant": ..., "jwks_file" | "jwks_url" | "jku_allowlist": ...}]``."""
    auth_clock_leeway_seconds: float = Field(default=30.0, ge=0, le=300)
    """Clock skew tolerated on ``exp``, ``iat`` and ``nbf``."""
    auth_max_token_lifetime_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    """Longest accepted ``exp - iat``; it also bounds how long a ``jti`` is remembered."""
    auth_jwks_cache_seconds: float = Field(default=3600.0, gt=0)
    """How long a fetched JWKS is used before it is fetched again."""
    auth_jwks_min_refresh_seconds: float = Field(default=60.0, ge=0)
    """At most one re-fetch per JWKS URL in this interval when a token names an unknown ``kid``."""
    redis_url: str | None = None
    """Redis URL (``redis://host:6379/0``) for the ``jti`` replay cache shared by replicas; unset: in-process."""

    # Logging and tracing
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    tracing_otlp_endpoint: str | None = None
    """OTLP/HTTP traces endpoint (e.g. ``http://otel-collector:4318/v1/traces``): every hook call becomes a trace
    with its phases (app/tracing.py; ``pip install '.[tracing]'``). Unset: no tracing (the default)."""

    # Clinical data handling (freshness, dose conversion); see app/snapshot/parameters.py
    snapshot: SnapshotParameters = Field(default_factory=SnapshotParameters)
    # Guideline choices where the sources differ (rules.md §2, conflicts.md); see app/rules/parameters.py
    guideline: GuidelineParameters = Field(default_factory=GuidelineParameters)

    @field_validator("fhir_server_allowlist", "cors_allowed_origins", "assessment_frame_ancestors", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("info_snooze_secret", "assessment_key")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < _MIN_SECRET_CHARS:
            raise ValueError(f"a secret needs at least {_MIN_SECRET_CHARS} characters")
        return value

    @field_validator("display_policy")
    @classmethod
    def _known_rules(cls, value: dict[str, Display]) -> dict[str, Display]:
        unknown = sorted(set(value) - {rule.id for rule in OSTEOPOROSIS_RULES})
        if unknown:
            raise ValueError(f"display_policy names rules that do not exist: {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _development_today_only_without_client_auth(self) -> Settings:
        if self.development_today is not None and not self.auth_disabled_for_development:
            raise ValueError(
                "development_today pins the date for development runs only: it needs auth_disabled_for_development "
                "and is never available with client authentication on"
            )
        return self

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if normalized_url(value) is None or "?" in value:
            raise ValueError("public_base_url must be an absolute http(s) URL without query, credentials or fragment")
        return value.rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
