"""Outcome → CDS Hooks card, from the templates in ``cards/``.

Rules return facts; this module owns every word a clinician reads. It loads the templates once at start-up
(and fails fast on a bad one), fills placeholders, localises numbers, lists the data used (value and date)
and what is missing, quotes the guideline, and adds uuids, ``source.topic`` (the rule ID), override reasons
and suggestions with ``selectionBehavior``.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import CardTemplateError
from app.fhir.orders import OrderCatalog, load_order_catalog, read_site_codings
from app.fhir.record import UnavailableData
from app.hooks.schemas import (
    SUMMARY_MAX_CHARS,
    Action,
    Card,
    Coding,
    Indicator,
    SelectionBehavior,
    Source,
    Suggestion,
)
from app.rules.model import CannotAssess, Evidence, Outcome, Recommendation

__all__ = [
    "DATA_UNAVAILABLE",
    "LANGUAGES",
    "RULE_TOPIC_SYSTEM",
    "CardCatalog",
    "CardTemplate",
    "load_card_catalog",
    "render_cards",
]

RULE_TOPIC_SYSTEM = "urn:osteo-cds:rule"
DATA_UNAVAILABLE = "DATA-UNAVAILABLE"
"""Topic code of the service card that reports data the EHR could not deliver (not a catalog rule)."""
LANGUAGES = ("nl", "en")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Localized:
    """One text in every supported language."""

    texts: Mapping[str, str]

    def __call__(self, language: str) -> str:
        return self.texts[language]


@dataclass(frozen=True, slots=True)
class VariantTemplate:
    indicator: Indicator
    summary: Localized
    detail: Localized


@dataclass(frozen=True, slots=True)
class SuggestionTemplate:
    """``[suggestions.<key>]``: ``orders`` to create; ``dates`` maps an order key to the fact holding its ISO start
    date; ``delete`` names the fact holding a resource reference to delete (e.g. a draft stop order). The label may
    use the card's ``{placeholders}``."""

    label: Localized
    orders: tuple[str, ...]
    recommended: bool
    dates: Mapping[str, str] = field(default_factory=dict)
    delete: str | None = None


@dataclass(frozen=True, slots=True)
class CardTemplate:
    """``cards/<rule id>.toml``."""

    rule_id: str
    title: Localized
    source_label: Localized
    quote: str
    translation: str
    variants: Mapping[str, VariantTemplate]
    suggestions: Mapping[str, SuggestionTemplate]
    override_reasons: tuple[str, ...] | None
    samples: Mapping[str, str]
    """Longest realistic value per placeholder: tests render every summary with them (< 140 characters)."""

    def placeholders(self) -> frozenset[str]:
        """Every ``{name}`` used in the summaries and details of all variants and in the suggestion labels."""
        names: set[str] = set()
        texts = [
            text
            for variant in self.variants.values()
            for text in (*variant.summary.texts.values(), *variant.detail.texts.values())
        ]
        texts += [text for suggestion in self.suggestions.values() for text in suggestion.label.texts.values()]
        for text in texts:
            names.update(name for _, name, _, _ in string.Formatter().parse(text) if name)
        return frozenset(names)


@dataclass(frozen=True, slots=True)
class CardCatalog:
    """Everything needed to word a card, loaded once."""

    templates: Mapping[str, CardTemplate]
    labels: Mapping[str, Mapping[str, Localized]]
    override_system: str
    override_default: tuple[str, ...]
    override_displays: Mapping[str, Localized]
    orders: OrderCatalog
    _parts: dict[tuple[str, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    """Card parts that depend only on the template and the language, built once: the wire models are frozen, so
    every card can share them."""

    def source(self, template: CardTemplate, language: str) -> Source:
        """A card's ``source``: the template's label, and the rule as ``topic``."""
        key = ("source", template.rule_id, language)
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = Source(
                label=template.source_label(language),
                topic=Coding(system=RULE_TOPIC_SYSTEM, code=template.rule_id, display=template.title(language)),
            )
        return found

    def override_reasons(self, codes: tuple[str, ...], language: str) -> list[Coding]:
        """``overrideReasons`` for ``codes``, worded in ``language`` (a new list; the Codings are shared)."""
        key = ("override", language, *codes)
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = tuple(
                Coding(system=self.override_system, code=code, display=self.override_displays[code](language))
                for code in codes
            )
        return list(found)


def _localized(table: object, where: str) -> Localized:
    if not isinstance(table, Mapping) or any(not isinstance(table.get(lang), str) for lang in LANGUAGES):
        raise CardTemplateError(f"{where}: needs a text for each of {', '.join(LANGUAGES)}")
    return Localized({lang: str(table[lang]).strip() for lang in LANGUAGES})


def _load_template(path: Path, orders: OrderCatalog, override_codes: Mapping[str, Localized]) -> CardTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CardTemplateError(f"{path.name}: {exc}") from exc
    rule_id = data.get("rule")
    if rule_id != path.stem:
        raise CardTemplateError(f"{path.name}: 'rule' must equal the file name ({path.stem})")
    variants: dict[str, VariantTemplate] = {}
    for name, variant in dict(data.get("variants", {})).items():
        where = f"{path.name} [variants.{name}]"
        try:
            indicator = Indicator(variant["indicator"])
        except (KeyError, ValueError) as exc:
            raise CardTemplateError(f"{where}: indicator must be info, warning or critical") from exc
        variants[name] = VariantTemplate(
            indicator=indicator,
            summary=_localized(variant.get("summary"), f"{where} summary"),
            detail=_localized(variant.get("detail"), f"{where} detail"),
        )
    if not variants:
        raise CardTemplateError(f"{path.name}: no [variants.*]")
    suggestions: dict[str, SuggestionTemplate] = {}
    for name, suggestion in dict(data.get("suggestions", {})).items():
        where = f"{path.name} [suggestions.{name}]"
        items = tuple(suggestion.get("orders", ()))
        unknown = [item for item in items if item not in orders.keys()]
        delete = suggestion.get("delete")
        if delete is not None and not isinstance(delete, str):
            raise CardTemplateError(f"{where}: delete must name the fact holding the reference to delete")
        if (not items and delete is None) or unknown:
            raise CardTemplateError(f"{where}: orders must name order templates (unknown: {unknown})")
        dates = suggestion.get("dates", {})
        if not isinstance(dates, Mapping) or any(k not in items or not isinstance(v, str) for k, v in dates.items()):
            raise CardTemplateError(f"{where}: dates must map orders of this suggestion to fact names")
        suggestions[name] = SuggestionTemplate(
            label=_localized(suggestion.get("label"), f"{where} label"),
            orders=items,
            recommended=bool(suggestion.get("recommended", False)),
            dates={str(k): str(v) for k, v in dates.items()},
            delete=delete,
        )
    reasons = data.get("override_reasons")
    if reasons is not None and any(code not in override_codes for code in reasons):
        raise CardTemplateError(f"{path.name}: override_reasons must be codes of override-reasons.json")
    source = data.get("source", {})
    if not isinstance(source.get("quote"), str) or not isinstance(source.get("translation"), str):
        raise CardTemplateError(f"{path.name}: [source] needs quote and translation")
    return CardTemplate(
        rule_id=rule_id,
        title=_localized(data.get("title"), f"{path.name} title"),
        source_label=_localized(source.get("label"), f"{path.name} source.label"),
        quote=source["quote"].strip(),
        translation=source["translation"].strip(),
        variants=variants,
        suggestions=suggestions,
        override_reasons=tuple(reasons) if reasons is not None else None,
        samples={str(key): str(value) for key, value in dict(data.get("samples", {})).items()},
    )


def load_card_catalog(cards_dir: Path, orders_dir: Path, order_codings_file: Path | None = None) -> CardCatalog:
    """Load ``cards/*.toml``, ``cards/labels/*.toml``, ``cards/override-reasons.json`` and the order templates
    (with the site's national product codes from ``order_codings_file``, when configured)."""
    orders = load_order_catalog(orders_dir, read_site_codings(order_codings_file) if order_codings_file else None)
    try:
        reasons = json.loads((cards_dir / "override-reasons.json").read_text(encoding="utf-8"))
        label_files = {
            path.name: tomllib.loads(path.read_text(encoding="utf-8"))
            for path in sorted((cards_dir / "labels").glob("*.toml"))
        }
    except (OSError, ValueError) as exc:
        raise CardTemplateError(f"cards: {exc}") from exc
    label_data: dict[str, dict[str, Any]] = {}
    for name, groups in label_files.items():
        for group, entries in groups.items():
            merged = label_data.setdefault(group, {})
            for key, texts in entries.items():
                if key in merged:
                    raise CardTemplateError(f"cards/labels/{name}: [{group}] {key} is already defined in another file")
                merged[key] = texts
    override_displays = {
        code: _localized(texts, f"override-reasons.json {code}") for code, texts in reasons["concepts"].items()
    }
    labels = {
        group: {key: _localized(texts, f"labels.toml [{group}] {key}") for key, texts in entries.items()}
        for group, entries in label_data.items()
    }
    templates = {
        path.stem: _load_template(path, orders, override_displays) for path in sorted(cards_dir.glob("*.toml"))
    }
    return CardCatalog(
        templates=templates,
        labels=labels,
        override_system=str(reasons["system"]),
        override_default=tuple(reasons["default"]),
        override_displays=override_displays,
        orders=orders,
    )


def _localize_number(value: str, language: str) -> str:
    return value.replace(".", ",") if language == "nl" and _NUMBER.match(value) else value


def _fit_summary(text: str) -> str:
    limit = SUMMARY_MAX_CHARS - 1
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(catalog: CardCatalog, group: str, key: str, language: str) -> str:
    entry = catalog.labels.get(group, {}).get(key)
    return entry(language) if entry else key


def _evidence_line(item: Evidence, catalog: CardCatalog, language: str) -> str:
    """``- label: value (date)``; derived values (age, a computed dose) carry no date of their own."""
    line = f"- {_label(catalog, 'evidence', item.what, language)}: {_localize_number(item.value, language)}"
    return f"{line} ({item.on.isoformat()})" if item.on else line


def _detail(
    template: CardTemplate,
    body: str,
    outcome: Recommendation | CannotAssess,
    catalog: CardCatalog,
    language: str,
    withheld: Sequence[tuple[str, str]] = (),
) -> str:
    parts = [body.strip()]
    if withheld:
        lines = "\n".join(f"- {label} ({reason})" for label, reason in withheld)
        parts.append(f"**{_label(catalog, 'headings', 'not-suggested', language)}**\n\n{lines}")
    if outcome.evidence:
        lines = "\n".join(_evidence_line(item, catalog, language) for item in outcome.evidence)
        parts.append(f"**{_label(catalog, 'headings', 'data-used', language)}**\n\n{lines}")
    if isinstance(outcome, CannotAssess) and outcome.missing:
        lines = "\n".join(f"- {_label(catalog, 'missing', key, language)}" for key in outcome.missing)
        parts.append(f"**{_label(catalog, 'headings', 'missing', language)}**\n\n{lines}")
    quote = template.quote if language == "nl" else f"{template.quote}\n\n*{template.translation}*"
    parts.append(f"**{_label(catalog, 'headings', 'source', language)}:** {template.source_label(language)}\n\n{quote}")
    return "\n\n".join(parts)


def _fact(template: CardTemplate, key: str, facts: Mapping[str, str], name: str) -> str:
    if name not in facts:
        raise CardTemplateError(f"{template.rule_id} [suggestions.{key}]: the outcome has no fact {name!r}")
    return facts[name]


def _suggestions(
    template: CardTemplate,
    keys: Sequence[str],
    catalog: CardCatalog,
    language: str,
    patient_id: str,
    facts: Mapping[str, str],
    localized: Mapping[str, str],
    blocked_orders: Mapping[str, str],
    withheld: list[tuple[str, str]],
) -> list[Suggestion]:
    """``facts`` as the rule returned them (ISO dates, references); ``localized`` as shown in the card's text.

    A suggestion that would create an order in ``blocked_orders`` (order key → the contraindication rule that
    forbids it, rules.md §14.4) is not offered; it is added to ``withheld`` with that reason instead.
    """
    suggestions = []
    for key in keys:
        spec = template.suggestions[key]
        label = spec.label(language).format_map(localized)
        blocking = sorted({blocked_orders[item] for item in spec.orders if item in blocked_orders})
        if blocking:
            withheld.append((label, ", ".join(blocking)))
            continue
        actions = []
        for item in spec.orders:
            name = spec.dates.get(item)
            start = None if name is None else date.fromisoformat(_fact(template, key, facts, name))
            resource = catalog.orders.build(item, patient_id=patient_id, language=language, start=start)
            actions.append(
                Action(type="create", description=catalog.orders.describe(item, language), resource=resource)
            )
        if spec.delete is not None:
            target = _fact(template, key, facts, spec.delete)
            actions.append(Action(type="delete", description=label, resource_id=target))
        suggestions.append(
            Suggestion(
                label=label,
                uuid=str(uuid.uuid4()),
                is_recommended=spec.recommended or None,
                actions=actions,
            )
        )
    return suggestions


def _card(
    outcome: Recommendation | CannotAssess,
    catalog: CardCatalog,
    language: str,
    patient_id: str,
    blocked_orders: Mapping[str, str],
) -> Card:
    template = catalog.templates[outcome.rule_id]
    variant = template.variants[outcome.variant]
    facts = {name: _localize_number(value, language) for name, value in outcome.facts.items()}
    withheld: list[tuple[str, str]] = []
    suggestions = _suggestions(
        template, outcome.suggestions, catalog, language, patient_id, outcome.facts, facts, blocked_orders, withheld
    )
    reasons = template.override_reasons or catalog.override_default
    trace: dict[str, Any] = {"ruleId": outcome.rule_id, "variant": outcome.variant}
    sources = sorted({item.source for item in outcome.evidence if item.source})
    if sources:
        trace["evidence"] = sources
    if isinstance(outcome, CannotAssess):
        trace["missing"] = list(outcome.missing)
    return Card(
        uuid=str(uuid.uuid4()),
        summary=_fit_summary(variant.summary(language).format_map(facts)),
        detail=_detail(template, variant.detail(language).format_map(facts), outcome, catalog, language, withheld),
        indicator=variant.indicator,
        source=catalog.source(template, language),
        suggestions=suggestions or None,
        selection_behavior=SelectionBehavior.ANY if suggestions else None,
        override_reasons=catalog.override_reasons(reasons, language),
        extension={"org.osteo-cds.trace": trace},
    )


def _unavailable_card(unavailable: Sequence[UnavailableData], catalog: CardCatalog, language: str) -> Card:
    template = catalog.templates[DATA_UNAVAILABLE]
    variant = template.variants["unavailable"]
    lines = "\n".join(
        f"- {_label(catalog, 'resources', item.resource_type, language)}: {item.reason}" for item in unavailable
    )
    return Card(
        uuid=str(uuid.uuid4()),
        summary=_fit_summary(variant.summary(language)),
        detail=f"{variant.detail(language)}\n\n{lines}",
        indicator=variant.indicator,
        source=catalog.source(template, language),
        override_reasons=catalog.override_reasons(template.override_reasons or catalog.override_default, language),
    )


def render_cards(
    outcomes: Sequence[Outcome],
    *,
    catalog: CardCatalog,
    language: str,
    patient_id: str,
    unavailable: Sequence[UnavailableData] = (),
    blocked_orders: Mapping[str, str] | None = None,
) -> list[Card]:
    """One card per Recommendation and per CannotAssess, most urgent first (critical, warning, info; stable within
    an indicator), plus a data-unavailable card when data could not be obtained (errors, timeouts, incomplete
    searches; not for optional data the EHR does not offer). ``blocked_orders`` (order key → contraindication rule)
    removes every suggestion that would create a contraindicated order, on every card (rules.md §14.4)."""
    cards = [
        _card(outcome, catalog, language, patient_id, blocked_orders or {})
        for outcome in outcomes
        if isinstance(outcome, Recommendation | CannotAssess)
    ]
    cards.sort(key=lambda card: _URGENCY[card.indicator])
    failed = [item for item in unavailable if item.failed]
    if failed:
        cards.append(_unavailable_card(failed, catalog, language))
    return cards


_URGENCY = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}
