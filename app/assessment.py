"""The assessment page: everything a short card leaves out, one click away (rules.md §0.3 item 9).

A card shows the main finding's action, its key data and a ranked list of the other findings; the page behind its
"Full assessment" link shows every finding of that hook call in full: what it advises, the data it used, what is
missing, the guideline quote and its translation, including the findings folded into a card, the context
reminders that never make a card appear, and the silent-policy findings.

Security, by default:

- The link is a capability URL: ``/assessment/<token>`` with 128 random bits (``secrets.token_urlsafe(16)``). The
  database keeps only the SHA-256 of the token, so a database reader cannot open a page.
- Only the derived assessment is stored (the rule outcomes with the data values their texts quote, and the picture
  of the record the page draws): no name, no identifier.
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
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Connection, DateTime, Engine, LargeBinary, MetaData, String, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from app.config import Settings
from app.feedback.store import FeedbackStore, stored_secret
from app.render import CardCatalog, Finding, word_in_full
from app.rules.model import CannotAssess, Evidence, Recommendation
from app.rules.osteoporosis.thresholds import DMAB_INTERVAL_MONTHS
from app.snapshot.model import BoneSite, ClinicalSnapshot, Drug, add_months

__all__ = [
    "ASSESSMENT_PATH",
    "AssessmentBook",
    "PendingAssessment",
    "assessment_payload",
    "bone_health_picture",
    "new_token",
    "render_page",
    "security_headers",
    "worded_findings",
]

ASSESSMENT_PATH: Final = "/assessment"
_TOKEN_BYTES: Final = 16
"""128 random bits per link."""
_KEY_NAME: Final = "assessment-aes-key"
_NONCE_BYTES: Final = 12
_PURGE_SECONDS: Final = 60.0
"""How often the writer deletes expired pages."""

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
    findings: Sequence[Finding],
    *,
    shown: Mapping[tuple[str, str], str],
    hook: str,
    language: str,
    as_of: str,
    catalog: CardCatalog,
    picture: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the page is made from, as plain JSON: every finding of the call as its rule outcome (rule, variant, the
    facts its text uses, the data it used, what is missing, the suggestions offered and withheld) and where it went
    (``shown`` maps (rule, variant) to ``main`` / ``folded`` / ``silent``; anything else was not on a card), and
    the record's picture (:func:`bone_health_picture`). The outcomes are worded when the page is opened
    (:func:`worded_findings`), not on every hook call: a call stores a few kB and spends no time on texts that are
    rarely read."""
    return {
        "hook": hook,
        "language": language,
        "as_of": as_of,
        "picture": dict(picture or {}),
        "findings": [
            _stored(finding, shown.get((finding.rule_id, finding.variant), "page"), catalog) for finding in findings
        ],
    }


def _stored(finding: Finding, display: str, catalog: CardCatalog) -> dict[str, Any]:
    outcome = finding.outcome
    facts = outcome.facts
    if facts:
        # the texts never show a reference to an order (a delete suggestion's target): it is not stored
        references = {spec.delete for spec in catalog.templates[outcome.rule_id].suggestions.values() if spec.delete}
        facts = {name: "" if name in references else value for name, value in facts.items()}
    entry: dict[str, Any] = {
        "rule": outcome.rule_id,
        "variant": outcome.variant,
        "display": display,
        "facts": dict(facts),
        "evidence": [[item.what, item.value, item.on] for item in outcome.evidence],  # orjson writes dates
        "offered": list(finding.offered),
    }
    if finding.withheld:
        entry["withheld"] = [list(pair) for pair in finding.withheld]
    if isinstance(outcome, CannotAssess):
        entry["missing"] = list(outcome.missing)
    return entry


def worded_findings(payload: Mapping[str, Any], catalog: CardCatalog) -> list[dict[str, Any]]:
    """The stored outcomes of :func:`assessment_payload` worded in the call's language, as :func:`render_page`
    shows them. A finding whose card template or variant no longer exists (the service was upgraded since the call)
    is left out."""
    language = str(payload.get("language", "en"))
    worded = []
    for entry in payload["findings"]:
        template = catalog.templates.get(entry["rule"])
        if template is None or entry["variant"] not in template.variants:
            continue
        evidence = tuple(
            Evidence(what, value, date.fromisoformat(on) if on else None) for what, value, on in entry["evidence"]
        )
        outcome: Recommendation | CannotAssess
        if "missing" in entry:
            outcome = CannotAssess(
                entry["rule"], tuple(entry["missing"]), entry["variant"], entry["facts"], evidence, ()
            )
        else:
            outcome = Recommendation(entry["rule"], entry["variant"], entry["facts"], evidence, ())
        text = word_in_full(
            outcome,
            offered=entry["offered"],
            withheld=[(label, rule) for label, rule in entry.get("withheld", ())],
            catalog=catalog,
            language=language,
        )
        worded.append(
            {
                "rule": entry["rule"],
                "variant": entry["variant"],
                "display": entry["display"],
                "indicator": text.indicator.value,
                "title": text.title,
                "summary": text.summary,
                "detail": text.detail,
                "suggestions": list(text.suggestions),
            }
        )
    return worded


def bone_health_picture(snapshot: ClinicalSnapshot) -> dict[str, Any]:
    """The record as the page draws it, from the typed snapshot: T-scores per site over time, fractures,
    osteoporosis treatment episodes with their injections or infusions and the next denosumab injection,
    glucocorticoid exposure, and the latest labs with whether they are too old. Plain JSON once serialised: dates
    and enumerations are left to ``orjson`` (ISO dates, values), which writes them faster than Python would."""
    as_of = snapshot.as_of
    series: dict[BoneSite, list[tuple[date, float]]] = {}
    for study in sorted(snapshot.dxa_studies, key=lambda study: study.observed.earliest):
        for score in study.t_scores:
            series.setdefault(score.site, []).append((score.observed.earliest, score.value))
    series.pop(BoneSite.FOREARM, None)  # the chart shows the hip and the spine
    treatment: list[dict[str, Any]] = []
    next_due: list[dict[str, Any]] = []
    for history in snapshot.therapies:
        drug = history.drug
        if not drug.is_osteoporosis_drug:
            continue
        for episode in history.episodes:
            treatment.append({"drug": drug, "start": episode.start, "end": episode.end, "ongoing": episode.is_ongoing})
        if history.administrations:
            treatment.append({"drug": drug, "administrations": [item.on.earliest for item in history.administrations]})
            if drug is Drug.DENOSUMAB and history.is_current:
                due = add_months(history.administrations[-1].on.earliest, int(DMAB_INTERVAL_MONTHS.value))
                next_due.append({"what": "denosumab", "date": due, "overdue": due < as_of})
    glucocorticoids = [
        {
            "drug": exposure.drug,
            "mg_per_day": exposure.prednisone_eq_mg_per_day,
            "start": exposure.start.earliest if exposure.start else None,
            "end": exposure.end.latest if exposure.end else None,
            "current": exposure.is_current,
        }
        for exposure in snapshot.glucocorticoids
    ]
    labs = []
    renal, vitamin_d, calcium = snapshot.renal_function, snapshot.vitamin_d, snapshot.calcium
    if renal is not None:
        labs.append(("renal", f"{renal.ml_per_min:g} mL/min ({renal.kind.value})", renal.observed, renal.is_stale))
    if vitamin_d is not None:
        labs.append(("vitamin-d", f"{vitamin_d.nmol_per_l:g} nmol/L", vitamin_d.observed, vitamin_d.is_stale))
    if calcium is not None:
        labs.append(("calcium", f"{calcium.mmol_per_l:g} mmol/L", calcium.observed, calcium.is_stale))
    return {
        "as_of": as_of,
        "decision_window_start": add_months(as_of, -snapshot.dxa_decision_max_age_months),
        "t_scores": {site.value: points for site, points in sorted(series.items())},
        "fractures": [
            {
                "site": fracture.site,
                "date": fracture.date.earliest if fracture.date else None,
                "grade": fracture.vertebral_grade,
            }
            for fracture in snapshot.fractures
        ],
        "treatment": treatment,
        "next_due": next_due,
        "glucocorticoids": glucocorticoids,
        "labs": [
            {"what": what, "value": value, "date": observed.earliest, "stale": stale}
            for what, value, observed, stale in labs
        ],
    }


class AssessmentBook:
    """Sealed assessments in the service database; open once in the lifespan (:meth:`open`)."""

    def __init__(self, engine: Engine, key: bytes, ttl: timedelta) -> None:
        self._engine = engine
        self._aead = AESGCM(key)
        self.ttl = ttl
        self._purged_at = -_PURGE_SECONDS

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
        """Seal and insert in a transaction of its own (:meth:`insert`)."""
        with self._engine.begin() as connection:
            self.insert(connection, pending)

    def insert(self, connection: Connection, pending: Sequence[PendingAssessment]) -> None:
        """Seal and insert in the caller's transaction (the issued-card writer's, in its thread), and delete what
        has expired (at most once per :data:`_PURGE_SECONDS`: an expired page cannot be opened, :meth:`read`
        checks the expiry)."""
        rows = []
        for item in pending:
            digest = _token_hash(item.token)
            nonce = secrets.token_bytes(_NONCE_BYTES)
            plain = orjson.dumps(item.payload)
            sealed = nonce + self._aead.encrypt(nonce, plain, digest.encode())
            rows.append({"token_hash": digest, "expires_at": item.issued_at + self.ttl, "sealed": sealed})
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        if rows:
            connection.execute(dialect.insert(assessment).on_conflict_do_nothing(), rows)
        if time.monotonic() - self._purged_at >= _PURGE_SECONDS:
            connection.execute(delete(assessment).where(assessment.c.expires_at < datetime.now(UTC)))
            self._purged_at = time.monotonic()

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
        payload: dict[str, Any] = orjson.loads(plain)
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
    "svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}.axis{stroke:#999}.grid{stroke:#ddd}"
    ".cut{stroke:#b00020;stroke-dasharray:4 3}.window{fill:#e8f1fb}.overdue{fill:#b00020;color:#b00020}"
    ".due{fill:#2e7d32}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;"
    "text-align:left}.stale{color:#b00020}"
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
    "parameters": {"nl": "Parameters die dit bepaalden", "en": "Parameters that decided it"},
    "t_scores": {"nl": "DXA T-scores", "en": "DXA T-scores"},
    "decision_window": {"nl": "beslisvenster", "en": "decision window"},
    "timeline": {"nl": "Fracturen en behandeling", "en": "Fractures and treatment"},
    "next_due": {"nl": "volgende", "en": "next"},
    "overdue": {"nl": "te laat", "en": "overdue"},
    "fracture": {"nl": "fractuur", "en": "fracture"},
    "labs": {"nl": "Laatste laboratoriumwaarden", "en": "Latest laboratory values"},
    "too_old": {"nl": "te oud", "en": "too old"},
    "current": {"nl": "actueel", "en": "current"},
    "renal": {"nl": "Nierfunctie", "en": "Renal function"},
    "vitamin-d": {"nl": "25-OH-vitamine D", "en": "25-OH vitamin D"},
    "calcium": {"nl": "Calcium", "en": "Calcium"},
    "prednisone_eq": {"nl": "mg prednison-eq./dag", "en": "mg prednisone-eq./day"},
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


_SITE_COLOURS: Final[Mapping[str, str]] = {"lumbar-spine": "#1565c0", "femoral-neck": "#c77700", "total-hip": "#6a1b9a"}
_WIDTH: Final = 760
_LEFT: Final = 60
_RIGHT: Final = 20


def _days(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def _x(day: int, first: int, last: int) -> float:
    return _LEFT + (day - first) * (_WIDTH - _LEFT - _RIGHT) / max(last - first, 1)


def _t_score_chart(picture: Mapping[str, Any]) -> str:
    """T-scores per site over time, with the −1 and −2.5 cut-offs and the decision-grade window shaded."""
    series: Mapping[str, list[list[Any]]] = picture.get("t_scores") or {}
    points = [(site, day, value) for site, items in series.items() for day, value in items]
    if not points:
        return ""
    as_of = _days(picture["as_of"])
    window = _days(picture["decision_window_start"])
    first = min(min(_days(day) for _, day, _ in points), window) - 60
    last = as_of + 30
    top = max(1.0, max(value for *_, value in points) + 0.5)
    bottom = min(-4.0, min(value for *_, value in points) - 0.5)
    height, margin = 220, 20

    def y(value: float) -> float:
        return float(margin + (top - value) * (height - 2 * margin) / (top - bottom))

    parts = [f'<svg class="chart t-scores" viewBox="0 0 {_WIDTH} {height}" role="img">']
    parts.append(
        f'<rect class="window" x="{_x(window, first, last):.1f}" y="{margin}" '
        f'width="{_x(as_of, first, last) - _x(window, first, last):.1f}" height="{height - 2 * margin}"/>'
    )
    for cut in (-1.0, -2.5):
        parts.append(
            f'<line class="cut" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(cut):.1f}" y2="{y(cut):.1f}"/>'
            f'<text x="4" y="{y(cut) + 4:.1f}">T {cut:g}</text>'
        )
    parts.append(f'<line class="axis" x1="{_LEFT}" x2="{_LEFT}" y1="{margin}" y2="{height - margin}"/>')
    for site, items in series.items():
        colour = _SITE_COLOURS.get(site, "#333")
        coords = [(_x(_days(day), first, last), y(value), day, value) for day, value in items]
        if len(coords) > 1:
            line = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, *_ in coords)
            parts.append(f'<polyline fill="none" stroke="{colour}" points="{line}"/>')
        for cx, cy, day, value in coords:
            parts.append(
                f'<circle class="point" data-site="{html.escape(site)}" cx="{cx:.1f}" cy="{cy:.1f}" r="4" '
                f'fill="{colour}"><title>{html.escape(site)} {html.escape(day)}: T {value:g}</title></circle>'
            )
    legend_x = _LEFT + 8
    for site in series:
        parts.append(
            f'<text x="{legend_x}" y="{height - 4}" fill="{_SITE_COLOURS.get(site, "#333")}">{html.escape(site)}</text>'
        )
        legend_x += 110
    parts.append("</svg>")
    return "".join(parts)


def _timeline(picture: Mapping[str, Any], text: Callable[[str], str]) -> str:
    """Fractures, osteoporosis treatment (episodes, injections or infusions, the next due date) and glucocorticoid
    exposure on one time axis, up to the assessment date."""
    rows: list[tuple[str, list[str]]] = []
    as_of = _days(picture["as_of"])
    dates = [as_of]
    for item in picture.get("treatment", ()):
        dates += [_days(day) for day in item.get("administrations", ())]
        dates += [_days(item[key]) for key in ("start", "end") if item.get(key)]
    dates += [_days(item["date"]) for item in picture.get("fractures", ()) if item.get("date")]
    dates += [_days(item["date"]) for item in picture.get("next_due", ())]
    dates += [_days(item["start"]) for item in picture.get("glucocorticoids", ()) if item.get("start")]
    if len(dates) == 1:
        return ""
    first, last = min(dates) - 30, max(dates) + 30
    row_height = 26

    def x(day: str) -> float:
        return _x(_days(day), first, last)

    by_drug: dict[str, list[str]] = {}
    for item in picture.get("treatment", ()):
        shapes = by_drug.setdefault(item["drug"], [])
        if "administrations" in item:
            shapes += [
                f'<line class="dose" x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{{top}}" y2="{{bottom}}" stroke="#1565c0" '
                f'stroke-width="2"><title>{html.escape(day)}</title></line>'
                for day in item["administrations"]
            ]
        else:
            shapes.append(
                f'<rect class="episode" x="{x(item["start"]):.1f}" y="{{top}}" '
                f'width="{max(x(item["end"]) - x(item["start"]), 2):.1f}" height="{{height}}" fill="#bbdefb">'
                f"<title>{html.escape(item['start'])} – {html.escape(item['end'])}</title></rect>"
            )
    for item in picture.get("next_due", ()):
        css = "overdue" if item["overdue"] else "due"
        label = f"{text('next_due')} {item['what']} {item['date']}" + (
            f" ({text('overdue')})" if item["overdue"] else ""
        )
        at = x(item["date"])
        anchor = f'x="{at - 9:.1f}" text-anchor="end"' if at > _WIDTH * 0.6 else f'x="{at + 9:.1f}"'
        by_drug.setdefault(item["what"], []).append(
            f'<circle class="{css} next-due" cx="{at:.1f}" cy="{{middle}}" r="6"/>'
            f'<text class="{css}" {anchor} y="{{baseline}}">{html.escape(label)}</text>'
        )
    rows += sorted(by_drug.items())
    for item in picture.get("glucocorticoids", ()):
        if not item.get("start"):
            continue
        end = item.get("end") or picture["as_of"]
        dose = f"{item['mg_per_day']:g} {text('prednisone_eq')}" if item.get("mg_per_day") is not None else ""
        rows.append(
            (
                item["drug"],
                [
                    f'<rect class="glucocorticoid" x="{x(item["start"]):.1f}" y="{{top}}" '
                    f'width="{max(x(end) - x(item["start"]), 2):.1f}" height="{{height}}" fill="#ffe0b2"/>'
                    f'<text x="{x(item["start"]) + 4:.1f}" y="{{baseline}}">{html.escape(dose)}</text>'
                ],
            )
        )
    fractures = [
        f'<path class="fracture" d="M{x(item["date"]):.1f} {{top}} l6 {{height}} h-12 z" fill="#b00020">'
        f"<title>{html.escape(item['site'])} {html.escape(item['date'])}"
        + (f" (grade {item['grade']})" if item.get("grade") else "")
        + "</title></path>"
        for item in picture.get("fractures", ())
        if item.get("date")
    ]
    if fractures:
        rows.append((text("fracture"), fractures))
    height = row_height * len(rows) + 30
    parts = [f'<svg class="chart timeline" viewBox="0 0 {_WIDTH} {height}" role="img">']
    for index, (name, shapes) in enumerate(rows):
        top = 6 + index * row_height
        values = {"top": top + 4, "bottom": top + row_height - 4, "height": row_height - 8}
        values |= {"middle": top + row_height // 2, "baseline": top + row_height // 2 + 4}
        parts.append(f'<text x="2" y="{top + row_height // 2 + 4}">{html.escape(name[:10])}</text>')
        parts += [shape.format(**values) for shape in shapes]
    now = _x(as_of, first, last)
    parts.append(f'<line class="axis" x1="{now:.1f}" x2="{now:.1f}" y1="0" y2="{height - 18}"/>')
    parts.append(f'<text x="{now - 30:.1f}" y="{height - 4}">{html.escape(picture["as_of"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _labs(picture: Mapping[str, Any], text: Callable[[str], str]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(text(item['what']))}</td><td>{html.escape(item['value'])}</td>"
        f"<td>{html.escape(item['date'])}</td>"
        + (
            f'<td class="stale">{html.escape(text("too_old"))}</td>'
            if item["stale"]
            else f"<td>{html.escape(text('current'))}</td>"
        )
        + "</tr>"
        for item in picture.get("labs", ())
    )
    return f"<table>{rows}</table>" if rows else ""


def _parameter_list(lines: Sequence[str], heading: str) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<details><summary>{html.escape(heading)}</summary><ul class="meta">{items}</ul></details>'


def render_page(payload: Mapping[str, Any], parameters: Mapping[str, Sequence[str]] | None = None) -> str:
    """The assessment as one self-contained HTML page (no script, no request to any origin). ``parameters``: per
    rule ID, the guideline parameters and thresholds its logic uses with their values and sources (the deployment's
    rule reference), shown with each finding as what decided it."""
    parameters = parameters or {}
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
            f"{_markdown(finding['detail'])}{_suggestions(finding.get('suggestions', ()), text('suggested'))}"
            f"{_parameter_list(parameters.get(finding['rule'], ()), text('parameters'))}</section>"
        )
    body = [f"<h1>{html.escape(text('title'))}</h1>"]
    body.append(f'<p class="meta">{html.escape(text("as_of"))} {html.escape(str(payload.get("as_of", "")))}</p>')
    picture = payload.get("picture") or {}
    if picture:
        for heading, drawing in (
            ("t_scores", _t_score_chart(picture)),
            ("timeline", _timeline(picture, text)),
            ("labs", _labs(picture, text)),
        ):
            if drawing:
                body.append(f"<h2>{html.escape(text(heading))}</h2>{drawing}")
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
