"""The assessment page: everything a short card leaves out, one click away (rules.md §0.3 item 9).

A card shows the main finding's action, its key data and a ranked list of the other findings; the page behind its
"Full assessment" link shows every finding of that hook call in full: what it advises, the data it used, what is
missing, the guideline quote and its translation, including the findings folded into a card, the context
reminders that never make a card appear, and the silent-policy findings.

Security, by default:

- The link is a capability URL: ``/assessment/<token>`` with 128 random bits (``secrets.token_urlsafe(16)``). The
  database keeps only the SHA-256 of the token, so a database reader cannot open a page.
- Only the derived assessment is stored (rule texts with the data values they quote): no name, no identifier.
  It is sealed with AES-256-GCM (``cryptography``) under ``OSTEO_ASSESSMENT_KEY``, or, when that is unset, a
  random key generated once and kept in the database (table ``service_secret``, like the snooze key). The token
  hash is the associated data, so a sealed row cannot be moved to another token.
- It is written off the request path with the issued-card records (app/feedback/writer.py), only for a call that
  returned a card, and deleted once ``OSTEO_ASSESSMENT_TTL_HOURS`` (default 12) have passed.
- The page is sent with ``Cache-Control: no-store``, a Content-Security-Policy that allows nothing but its own
  inline style (by hash), no referrer, and ``frame-ancestors`` limited to ``OSTEO_ASSESSMENT_FRAME_ANCESTORS``
  (none by default). It loads nothing from any origin. An unknown or expired link gets a short page in the
  request's language.
- ``OSTEO_ASSESSMENT_PAGE=false`` turns the page and the card link off.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, Engine, LargeBinary, MetaData, String, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from app.config import Settings
from app.feedback.store import FeedbackStore, stored_secret
from app.render import Finding

__all__ = [
    "ASSESSMENT_PATH",
    "AssessmentBook",
    "PendingAssessment",
    "assessment_payload",
    "new_token",
    "render_page",
    "security_headers",
]

ASSESSMENT_PATH: Final = "/assessment"
_TOKEN_BYTES: Final = 16
"""128 random bits per link."""
_KEY_NAME: Final = "assessment-aes-key"
_NONCE_BYTES: Final = 12

_metadata = MetaData()
assessment = Table(
    "assessment",
    _metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("sealed", LargeBinary, nullable=False),
)
"""One row per hook call that returned a card: the sealed assessment, found by the SHA-256 of its link's token."""


def new_token() -> str:
    """A fresh capability token (URL-safe, 128 bits)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PendingAssessment:
    """An assessment waiting in the writer's queue (not sealed yet: sealing happens off the request path)."""

    token: str
    payload: Mapping[str, Any]
    issued_at: datetime


def assessment_payload(
    findings: Sequence[Finding], *, shown: Mapping[tuple[str, str], str], hook: str, language: str, as_of: str
) -> dict[str, Any]:
    """What the page shows, as plain JSON: every finding of the call with its full text, and where it went
    (``shown`` maps (rule, variant) to ``main`` / ``folded`` / ``silent``; anything else was not on a card)."""
    return {
        "hook": hook,
        "language": language,
        "as_of": as_of,
        "findings": [
            {
                "rule": f.rule_id,
                "variant": f.variant,
                "indicator": f.indicator.value,
                "role": f.role.value,
                "display": shown.get((f.rule_id, f.variant), "page"),
                "title": f.title,
                "summary": f.summary,
                "detail": f.full_detail,
                "suggestions": [suggestion.label for suggestion in f.suggestions],
            }
            for f in findings
        ],
    }


class AssessmentBook:
    """Sealed assessments in the service database; open once in the lifespan (:meth:`open`)."""

    def __init__(self, engine: Engine, key: bytes, ttl: timedelta) -> None:
        self._engine = engine
        self._aead = AESGCM(key)
        self.ttl = ttl

    @classmethod
    def open(cls, store: FeedbackStore, settings: Settings) -> AssessmentBook:
        configured = settings.assessment_key
        if configured is not None:
            key = hashlib.sha256(configured.get_secret_value().encode()).digest()
        else:
            key = bytes.fromhex(stored_secret(store.engine, _KEY_NAME))
        with store.engine.begin() as connection:
            connection.execute(CreateTable(assessment, if_not_exists=True))
        return cls(store.engine, key, timedelta(hours=settings.assessment_ttl_hours))

    def record(self, pending: Sequence[PendingAssessment]) -> None:
        """Seal and insert (called from the issued-card writer's thread), and delete what has expired."""
        rows = []
        for item in pending:
            digest = _token_hash(item.token)
            nonce = secrets.token_bytes(_NONCE_BYTES)
            plain = json.dumps(item.payload, ensure_ascii=False).encode()
            sealed = nonce + self._aead.encrypt(nonce, plain, digest.encode())
            rows.append({"token_hash": digest, "expires_at": item.issued_at + self.ttl, "sealed": sealed})
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        with self._engine.begin() as connection:
            if rows:
                connection.execute(dialect.insert(assessment).on_conflict_do_nothing(), rows)
            connection.execute(delete(assessment).where(assessment.c.expires_at < datetime.now(UTC)))

    def read(self, token: str, now: datetime) -> dict[str, Any] | None:
        """The assessment behind ``token``; None when unknown, expired or not ours (a seal that does not open)."""
        digest = _token_hash(token)
        with self._engine.connect() as connection:
            row = connection.execute(
                select(assessment.c.sealed, assessment.c.expires_at).where(assessment.c.token_hash == digest)
            ).first()
        if row is None:
            return None
        sealed, expires_at = bytes(row[0]), row[1]
        if (expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)) <= now:
            return None
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], digest.encode())
        except InvalidTag:
            return None
        payload: dict[str, Any] = json.loads(plain)
        return payload


# ---------------------------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------------------------

_STYLE: Final = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:52rem;padding:0 1rem;color:#1b1b1b}"
    "h1{font-size:1.3rem}h2{font-size:1.05rem;margin:1.4rem 0 .3rem}"
    ".finding{border-left:4px solid #888;padding:.2rem .8rem;margin:.8rem 0}"
    ".critical{border-color:#b00020}.warning{border-color:#c77700}.info{border-color:#1565c0}"
    ".meta{color:#555;font-size:.85rem}blockquote{margin:.4rem 0;color:#333}ul{margin:.3rem 0}"
)
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "title": {"nl": "Volledige beoordeling botgezondheid", "en": "Full bone-health assessment"},
    "on_card": {"nl": "Op de kaart", "en": "On the card"},
    "not_on_card": {"nl": "Niet op een kaart", "en": "Not on a card"},
    "main": {"nl": "hoofdbevinding", "en": "main finding"},
    "folded": {"nl": "samengevoegd in de kaart", "en": "folded into the card"},
    "silent": {"nl": "stil (alleen geregistreerd)", "en": "silent (recorded only)"},
    "page": {"nl": "alleen hier", "en": "only here"},
    "as_of": {"nl": "Beoordeeld op", "en": "Assessed on"},
    "suggested": {"nl": "Voorgestelde orders", "en": "Suggested orders"},
    "gone_title": {"nl": "Beoordeling niet beschikbaar", "en": "Assessment not available"},
    "gone": {
        "nl": "Deze link is onbekend of verlopen. Open het dossier opnieuw voor een actuele beoordeling.",
        "en": "This link is unknown or has expired. Open the chart again for a current assessment.",
    },
}
_BOLD: Final = re.compile(r"\*\*(.+?)\*\*")
_ITALIC: Final = re.compile(r"(?:^|(?<=[\s(]))\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?=$|[\s.,;:)])")
"""``*text*`` opened at a word start and closed at a word end: "CI-ROMO-*, CI-TPTD-*" stays as written."""


def _inline(text: str) -> str:
    escaped = html.escape(text)
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escaped))


def _markdown(text: str) -> str:
    """The small Markdown subset of the card texts (paragraphs, ``- `` lists, bold, italics), escaped."""
    out = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            tag = "blockquote" if lines[0].startswith("«") else "p"
            out.append(f"<{tag}>{'<br>'.join(_inline(line) for line in lines)}</{tag}>")
    return "".join(out)


def _suggestions(labels: Sequence[str], heading: str) -> str:
    if not labels:
        return ""
    items = "".join(f"<li>{html.escape(label)}</li>" for label in labels)
    return f"<p><strong>{html.escape(heading)}</strong></p><ul>{items}</ul>"


def _page(language: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def render_page(payload: Mapping[str, Any]) -> str:
    """The assessment as one self-contained HTML page (no script, no request to any origin)."""
    language = str(payload.get("language", "en"))

    def text(key: str) -> str:
        return _TEXT[key][language]

    sections: dict[bool, list[str]] = {True: [], False: []}
    for finding in payload["findings"]:
        display = finding["display"]
        on_card = display in ("main", "folded")
        sections[on_card].append(
            f'<section class="finding {html.escape(finding["indicator"])}">'
            f"<h2>{html.escape(finding['summary'])}</h2>"
            f'<div class="meta">{html.escape(finding["rule"])} · {html.escape(finding["title"])} · '
            f"{html.escape(finding['indicator'])} · {html.escape(text(display))}</div>"
            f"{_markdown(finding['detail'])}{_suggestions(finding.get('suggestions', ()), text('suggested'))}</section>"
        )
    body = [f"<h1>{html.escape(text('title'))}</h1>"]
    body.append(f'<p class="meta">{html.escape(text("as_of"))} {html.escape(str(payload.get("as_of", "")))}</p>')
    for on_card in (True, False):
        if sections[on_card]:
            body.append(f"<h2>{html.escape(text('on_card' if on_card else 'not_on_card'))}</h2>")
            body.extend(sections[on_card])
    return _page(language, text("title"), "".join(body))


def render_gone(language: str) -> str:
    """The page for an unknown or expired link."""
    title = _TEXT["gone_title"][language]
    return _page(language, title, f"<h1>{title}</h1><p>{_TEXT['gone'][language]}</p>")


def security_headers(frame_ancestors: Sequence[str]) -> dict[str, str]:
    """The headers of every assessment page (found or not)."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    headers = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors {ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    if not frame_ancestors:
        headers["X-Frame-Options"] = "DENY"
    return headers
