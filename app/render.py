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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Generic, Self, TypeVar, overload

from app.errors import CardTemplateError
from app.fhir.orders import OrderCatalog, load_order_catalog, read_site_codings
from app.fhir.record import UnavailableData
from app.hooks.schemas import (
    SUMMARY_MAX_CHARS,
    Action,
    Card,
    Coding,
    Indicator,
    Source,
    Suggestion,
)
from app.rules.model import GIVES_CARD, CannotAssess, Evidence, Outcome, Recommendation
from app.rules.osteoporosis.thresholds import card_values

__all__ = [
    "DATA_UNAVAILABLE",
    "FINDINGS_EXTENSION",
    "LANGUAGES",
    "RULE_TOPIC_SYSTEM",
    "CardCatalog",
    "CardTemplate",
    "Finding",
    "Role",
    "label",
    "load_card_catalog",
    "render_findings",
    "unavailable_card",
    "word_in_full",
    "Worded",
]

RULE_TOPIC_SYSTEM = "urn:osteo-cds:rule"
FINDINGS_EXTENSION = "org.osteo-cds.findings"
"""Card extension listing the findings a card holds, main first (app/presentation.py)."""
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


class Role(StrEnum):
    """What a finding may do on screen (``role`` of a variant in ``cards/<rule>.toml``; rules.md §0.3 item 9)."""

    ACTION = "action"
    """Something to do now: it may be the reason a card appears (the default)."""
    CONTEXT = "context"
    """A standing reminder whose data the record cannot carry, or a statement with nothing to act on (falls,
    dietary calcium, lifestyle, the risk class as such, "no drug indicated"): never the reason a card appears; an
    "also check" line inside a card that shows for another reason, and in full on the assessment page."""


@dataclass(frozen=True, slots=True)
class VariantTemplate:
    indicator: Indicator
    summary: Localized
    detail: Localized
    role: Role = Role.ACTION


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
    check: Localized | None = None
    """``[check]``: what to check, as the "also check" line of a card its context finding is folded into."""

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

    def source(self, template: CardTemplate, language: str, title: str | None = None) -> Source:
        """A card's ``source``: the template's label, and the rule as ``topic`` (``title``: the card title with its
        parameter values filled in; by default the default profile's values)."""
        if title is None:
            title = template.title(language).format_map(_PARAMETER_VALUES.get(language, _PARAMETER_VALUES["en"]))
        display = title
        key = ("source", template.rule_id, language, display)
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = Source(
                label=template.source_label(language),
                topic=Coding(system=RULE_TOPIC_SYSTEM, code=template.rule_id, display=display),
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
        try:
            role = Role(variant.get("role", Role.ACTION))
        except ValueError as exc:
            raise CardTemplateError(f"{where}: role must be action or context") from exc
        variants[name] = VariantTemplate(
            indicator=indicator,
            summary=_localized(variant.get("summary"), f"{where} summary"),
            detail=_localized(variant.get("detail"), f"{where} detail"),
            role=role,
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
        check=_localized(data["check"], f"{path.name} check") if "check" in data else None,
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


_PARAMETER_VALUES: Final = {
    language: {name: _localize_number(value, language) for name, value in card_values().items()}
    for language in LANGUAGES
}
"""The default values of the card parameter placeholders, per language (the engine adds a deployment's values
where they differ)."""


def _fit_summary(text: str) -> str:
    limit = SUMMARY_MAX_CHARS - 1
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label(catalog: CardCatalog, group: str, key: str, language: str) -> str:
    """The text of ``cards/labels/*.toml`` ``[group] key`` in ``language`` (the key itself when there is none)."""
    entry = catalog.labels.get(group, {}).get(key)
    return entry(language) if entry else key


def _evidence_line(item: Evidence, catalog: CardCatalog, language: str) -> str:
    """``- label: value (date)``; derived values (age, a computed dose) carry no date of their own."""
    line = f"- {label(catalog, 'evidence', item.what, language)}: {_localize_number(item.value, language)}"
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
        lines = "\n".join(f"- {text} ({reason})" for text, reason in withheld)
        parts.append(f"**{label(catalog, 'headings', 'not-suggested', language)}**\n\n{lines}")
    if outcome.evidence:
        lines = "\n".join(_evidence_line(item, catalog, language) for item in outcome.evidence)
        parts.append(f"**{label(catalog, 'headings', 'data-used', language)}**\n\n{lines}")
    if isinstance(outcome, CannotAssess) and outcome.missing:
        lines = "\n".join(f"- {label(catalog, 'missing', key, language)}" for key in outcome.missing)
        parts.append(f"**{label(catalog, 'headings', 'missing', language)}**\n\n{lines}")
    quote = template.quote if language == "nl" else f"{template.quote}\n\n*{template.translation}*"
    parts.append(f"**{label(catalog, 'headings', 'source', language)}:** {template.source_label(language)}\n\n{quote}")
    return "\n\n".join(parts)


def _fact(template: CardTemplate, key: str, facts: Mapping[str, str], name: str) -> str:
    if name not in facts:
        raise CardTemplateError(f"{template.rule_id} [suggestions.{key}]: the outcome has no fact {name!r}")
    return facts[name]


_T = TypeVar("_T")


class _once(Generic[_T]):  # lower case: a decorator, like functools.cached_property
    """A property computed the first time it is read and kept in the instance: ``functools.cached_property``
    without the lock that Python 3.11 takes on every first read (three times the cost of the read itself). A
    finding is read only by the request that made it."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Self | _T:
        if instance is None:
            return self
        value = instance.__dict__[self._name] = self._compute(instance)
        return value


@dataclass(eq=False)
class Finding:
    """One rule outcome, to be worded in one language: what a card shows of it, and in full what the assessment page
    shows. Which card it lands on (its own, folded into another, or none) is decided by ``app/presentation.py``.

    What decides the layout (rule, variant, indicator, role) is known at once; every text, and the suggestions with
    their order resources, is made the first time it is read and kept: a call renders every finding but shows the
    words of a few (one or two cards; the assessment page stores the outcomes and words them when it is opened).
    Read-only once made, though not a frozen dataclass (that would cost a call 2 µs per finding, for nothing: no
    code sets a field); each is its own (``eq=False``: compared by identity).
    """

    outcome: Recommendation | CannotAssess
    """The rule outcome it words: what the assessment page stores, and words again when it is opened."""
    rule_id: str
    variant: str
    indicator: Indicator
    role: Role
    template: CardTemplate = field(repr=False)
    catalog: CardCatalog = field(repr=False)
    language: str
    patient_id: str = field(repr=False)
    offered: tuple[str, ...]
    """The keys of the suggestions offered (``suggestions``, in order; the withheld ones are not among them)."""
    withheld: tuple[tuple[str, str], ...]
    """Suggestions not offered because contraindicated: (label, the contraindication rule)."""
    _made: dict[str, Suggestion] = field(default_factory=dict, init=False, repr=False)
    """The suggestions made so far, by key."""

    @_once
    def facts(self) -> Mapping[str, str]:
        """The outcome's facts as the texts show them (:func:`_shown_facts`)."""
        return _shown_facts(self.outcome, self.catalog, self.language)

    @_once
    def title(self) -> str:
        return self.template.title(self.language).format_map(self.facts)

    @_once
    def check(self) -> str | None:
        """What to check, for the "also check" line (context findings; ``[check]`` of the card template)."""
        return self.template.check(self.language) if self.template.check else None

    @_once
    def summary(self) -> str:
        return _fit_summary(self.template.variants[self.variant].summary(self.language).format_map(self.facts))

    def data(self, limit: int | None = None) -> tuple[str, ...]:
        """The data it used, ``label: value (date)``, in the rule's order (the decisive datum first): the first
        ``limit`` of them (a card shows a few), or all."""
        evidence = self.outcome.evidence if limit is None else self.outcome.evidence[:limit]
        return tuple(_evidence_line(item, self.catalog, self.language).removeprefix("- ") for item in evidence)

    @_once
    def missing(self) -> tuple[str, ...]:
        """What it could not assess for lack of data (a :class:`CannotAssess`): data that changes the decision."""
        if not isinstance(self.outcome, CannotAssess):
            return ()
        return tuple(label(self.catalog, "missing", key, self.language) for key in self.outcome.missing)

    @property
    def suggestions(self) -> tuple[Suggestion, ...]:
        """The suggestions offered, with the orders they create (or the resource they delete)."""
        return self.first_suggestions(len(self.offered))

    def first_suggestions(self, limit: int) -> tuple[Suggestion, ...]:
        """The first ``limit`` suggestions offered (a bone-health card shows two): each is made once, so that it
        keeps its uuid."""
        made = self._made
        for key in self.offered[:limit]:
            if key not in made:
                made[key] = self._suggestion(key)
        return tuple(made[key] for key in self.offered[:limit])

    def _suggestion(self, key: str) -> Suggestion:
        spec = self.template.suggestions[key]
        language, facts = self.language, self.outcome.facts
        text = spec.label(language).format_map(self.facts)
        actions = []
        for item in spec.orders:
            name = spec.dates.get(item)
            start = None if name is None else date.fromisoformat(_fact(self.template, key, facts, name))
            resource = self.catalog.orders.build(item, patient_id=self.patient_id, language=language, start=start)
            actions.append(
                Action(type="create", description=self.catalog.orders.describe(item, language), resource=resource)
            )
        if spec.delete is not None:
            target = _fact(self.template, key, facts, spec.delete)
            actions.append(Action(type="delete", description=text, resource_id=target))
        return Suggestion(label=text, uuid=str(uuid.uuid4()), is_recommended=spec.recommended or None, actions=actions)

    @_once
    def override_reasons(self) -> tuple[Coding, ...]:
        codes = self.template.override_reasons or self.catalog.override_default
        return tuple(self.catalog.override_reasons(codes, self.language))

    @_once
    def source(self) -> Source:
        return self.catalog.source(self.template, self.language, self.title)

    @_once
    def trace(self) -> Mapping[str, Any]:
        trace: dict[str, Any] = {"ruleId": self.rule_id, "variant": self.variant}
        sources = sorted({item.source for item in self.outcome.evidence if item.source})
        if sources:
            trace["evidence"] = sources
        if isinstance(self.outcome, CannotAssess):
            trace["missing"] = list(self.outcome.missing)
        return trace


def _offer(
    template: CardTemplate,
    outcome: Recommendation | CannotAssess,
    blocked_orders: Mapping[str, str],
    catalog: CardCatalog,
    language: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The keys of the outcome's suggestions offered, and those withheld because they would create an order in
    ``blocked_orders``: (label, the contraindication rules that forbid it). A suggestion offered must find the facts
    it dates its orders by, or names a resource to delete by: a template error raises now, on every call."""
    offered: list[str] = []
    withheld: list[tuple[str, str]] = []
    for key in outcome.suggestions:
        spec = template.suggestions[key]
        blocking = sorted({blocked_orders[item] for item in spec.orders if item in blocked_orders})
        if blocking:
            text = spec.label(language).format_map(_shown_facts(outcome, catalog, language))
            withheld.append((text, ", ".join(blocking)))
            continue
        for name in (*spec.dates.values(), *([spec.delete] if spec.delete is not None else [])):
            _fact(template, key, outcome.facts, name)
        offered.append(key)
    return tuple(offered), tuple(withheld)


def _finding(
    outcome: Recommendation | CannotAssess,
    catalog: CardCatalog,
    language: str,
    patient_id: str,
    blocked_orders: Mapping[str, str],
) -> Finding:
    template = catalog.templates[outcome.rule_id]
    variant = template.variants[outcome.variant]
    offered, withheld = _offer(template, outcome, blocked_orders, catalog, language)
    return Finding(
        outcome=outcome,
        rule_id=outcome.rule_id,
        variant=outcome.variant,
        indicator=variant.indicator,
        role=variant.role,
        template=template,
        catalog=catalog,
        language=language,
        patient_id=patient_id,
        offered=offered,
        withheld=withheld,
    )


class _ShownFacts(dict[str, str]):
    """Facts over default values: a placeholder that is not a fact is looked up in ``defaults`` (not copied: the
    card parameters are a hundred, a text uses a few)."""

    __slots__ = ("defaults",)

    def __init__(self, facts: Mapping[str, str], defaults: Mapping[str, str]) -> None:
        super().__init__(facts)
        self.defaults = defaults

    def __missing__(self, name: str) -> str:
        return self.defaults[name]


def _shown_facts(outcome: Recommendation | CannotAssess, catalog: CardCatalog, language: str) -> Mapping[str, str]:
    """The outcome's facts as the card's text shows them (numbers localised; an empty fact is "unknown"), over the
    default values of the parameters the card texts state (a deployment's own values come as facts)."""
    defaults = _PARAMETER_VALUES.get(language, _PARAMETER_VALUES["en"])
    if not outcome.facts:
        return defaults
    unknown = label(catalog, "card", "unknown", language)
    return _ShownFacts(
        {name: _localize_number(value, language) or unknown for name, value in outcome.facts.items()}, defaults
    )


@dataclass(frozen=True, slots=True)
class Worded:
    """A finding worded in full for the assessment page (:func:`word_in_full`)."""

    indicator: Indicator
    title: str
    summary: str
    detail: str
    """The rule's explanation, the data used, what is missing and the guideline quote (and its translation)."""
    suggestions: tuple[str, ...]


def word_in_full(
    outcome: Recommendation | CannotAssess,
    *,
    offered: Sequence[str],
    withheld: Sequence[tuple[str, str]],
    catalog: CardCatalog,
    language: str,
) -> Worded:
    """An outcome worded in full, with the suggestions that were ``offered`` (keys) and those ``withheld``
    ((label, contraindication rule)): what the assessment page shows. Worded when the page is opened, not on
    every hook call."""
    template = catalog.templates[outcome.rule_id]
    variant = template.variants[outcome.variant]
    facts = _shown_facts(outcome, catalog, language)
    return Worded(
        indicator=variant.indicator,
        title=template.title(language).format_map(facts),
        summary=_fit_summary(variant.summary(language).format_map(facts)),
        detail=_detail(template, variant.detail(language).format_map(facts), outcome, catalog, language, withheld),
        suggestions=tuple(template.suggestions[key].label(language).format_map(facts) for key in offered),
    )


def unavailable_card(unavailable: Sequence[UnavailableData], catalog: CardCatalog, language: str) -> Card:
    """The service card saying which data the EHR could not deliver (errors, timeouts, incomplete searches)."""
    template = catalog.templates[DATA_UNAVAILABLE]
    variant = template.variants["unavailable"]
    lines = "\n".join(
        f"- {label(catalog, 'resources', item.resource_type, language)}: {item.reason}" for item in unavailable
    )
    summary = _fit_summary(variant.summary(language))
    finding = {
        "rule": DATA_UNAVAILABLE,
        "variant": "unavailable",
        "indicator": variant.indicator.value,
        "summary": summary,
    }
    return Card(
        uuid=str(uuid.uuid4()),
        summary=summary,
        detail=f"{variant.detail(language)}\n\n{lines}",
        indicator=variant.indicator,
        source=catalog.source(template, language),
        override_reasons=catalog.override_reasons(template.override_reasons or catalog.override_default, language),
        extension={FINDINGS_EXTENSION: [finding]},
    )


def render_findings(
    outcomes: Sequence[Outcome],
    *,
    catalog: CardCatalog,
    language: str,
    patient_id: str,
    blocked_orders: Mapping[str, str] | None = None,
) -> list[Finding]:
    """One finding per Recommendation and per CannotAssess, in the order given (the registry order).
    ``blocked_orders`` (order key → contraindication rule) removes every suggestion that would create a
    contraindicated order, on every finding (rules.md §14.4)."""
    return [
        _finding(outcome, catalog, language, patient_id, blocked_orders or {})
        for outcome in outcomes
        if isinstance(outcome, GIVES_CARD)
    ]
