"""What a rule is and what it returns.

A rule reads the typed :class:`~app.snapshot.model.ClinicalSnapshot` (never FHIR) and returns exactly one
:class:`Outcome`:

- :class:`Recommendation`: the rule's population is met and its criteria hold; ``variant`` names the card
  template variant in ``cards/<rule id>.toml``;
- :class:`NotApplicable`: inputs are known and the rule does not apply (with the reason, for logs and tests);
- :class:`CannotAssess`: the patient is in the rule's population but a decision input is missing, stale or
  unmappable: it names what is missing and renders the catalog's "missing / stale data" card, never silence.

Rules hold no wording: facts fill the placeholders of the card templates in ``cards/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import wraps
from typing import Any, Final, TypeVar

# At run time, not only for the type checker: the compiled build (mypyc) reads RuleContext's field types.
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot, store_fields_through_slots

__all__ = [
    "CannotAssess",
    "Citation",
    "Evidence",
    "GIVES_CARD",
    "Hook",
    "NotApplicable",
    "Outcome",
    "Recommendation",
    "Rule",
    "RuleContext",
    "Threshold",
    "context_fact",
]


class Hook(StrEnum):
    """The CDS hooks the service answers."""

    PATIENT_VIEW = "patient-view"
    ORDER_SELECT = "order-select"
    ORDER_SIGN = "order-sign"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from: a seed document of ``shared/seeds`` and the section it is quoted from.

    ``source`` is the catalog's tag (S0–S4), ``seed`` the seed file, ``section`` the recommendation's place,
    ``catalog`` the section of ``shared/clinical/rules.md`` that specifies the logic.
    """

    source: str
    seed: str
    section: str
    catalog: str


@dataclass(frozen=True, slots=True)
class Threshold:
    """A named clinical threshold with its unit and citation; rules compare against these, never literals.

    One row of the parameter table (:mod:`app.rules.osteoporosis.thresholds`): ``value`` holds in the NL profile
    and, unless ``be`` gives another value, in the BE profile; ``conflict`` is the ``conflicts.md`` id the value
    settles (empty when no conflict applies); ``setting`` names the :class:`~app.rules.parameters.GuidelineParameters`
    field that chooses the reading where the sources disagree (e.g. inclusive or strict).
    ``citation`` is the source: the catalog section, then the guideline tag (S0–S4), its section and a verbatim
    «quote» of the guideline text.
    """

    name: str
    value: int | float
    """As the table writes it: ``50`` or ``-2.0`` (card text shows it so). ``int | float``, not ``float``: the
    compiled build (mypyc) would store a ``float`` field as a C double, ``50`` as ``50.0``."""
    unit: str
    citation: str
    conflict: str = ""
    be: int | float | None = None
    setting: str = ""

    def in_profile(self, profile: str) -> int | float:
        """The value in ``profile`` (``nl`` or ``be``)."""
        return self.be if profile == "be" and self.be is not None else self.value

    @property
    def quotes(self) -> tuple[str, ...]:
        """The verbatim guideline quotes of the citation (the «…» passages)."""
        return tuple(re.findall(r"«([^»]*)»", self.citation))

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}".strip()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One datum a card is based on: what (a key of ``cards/labels.toml``), its value, its date and source."""

    what: str
    value: str
    on: date | None = None
    source: str | None = None

    def __init__(self, what: str, value: str, on: date | None = None, source: str | None = None) -> None:
        # written out: native in the compiled build (app.snapshot.model.store_fields_through_slots)
        object.__setattr__(self, "what", what)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "on", on)
        object.__setattr__(self, "source", source)


@dataclass(frozen=True, slots=True)
class Recommendation:
    rule_id: str
    variant: str
    facts: Mapping[str, str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NotApplicable:
    rule_id: str
    reason: str

    def __init__(self, rule_id: str, reason: str) -> None:
        # written out: native in the compiled build (app.snapshot.model.store_fields_through_slots)
        object.__setattr__(self, "rule_id", rule_id)
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True, slots=True)
class CannotAssess:
    rule_id: str
    missing: tuple[str, ...]
    variant: str = "missing"
    facts: Mapping[str, str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    suggestions: tuple[str, ...] = ()


Outcome = Recommendation | NotApplicable | CannotAssess

GIVES_CARD: Final = (Recommendation, CannotAssess)
"""The outcomes that give a card: a recommendation or a missing-data card (a tuple for ``isinstance``: testing
against ``Recommendation | CannotAssess`` builds the union on every call)."""


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may read: the snapshot (which carries ``as_of``), the hook, the guideline parameters and profile."""

    snapshot: ClinicalSnapshot
    hook: Hook
    parameters: GuidelineParameters
    profile: str = "nl"
    """The guideline profile (``nl`` or ``be``): for rules that are optional in one profile, e.g. SCREEN-BBC-1
    [BE; optional in NL] runs in NL only when ``parameters.screen_bbc_in_nl`` is set."""

    _facts: dict[Callable[[RuleContext], object], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    """The answers of :func:`context_fact` functions for this context, computed on first use."""

    @property
    def as_of(self) -> date:
        return self.snapshot.as_of


_T = TypeVar("_T")


def context_fact(derive: Callable[[RuleContext], _T]) -> Callable[[RuleContext], _T]:
    """A fact derived from the rule context (snapshot, hook, parameters, profile) that several rules of a family
    read, e.g. the glucocorticoid course of rules.md §8.0: computed on first use, then remembered for this context
    (one evaluation of the rules). Remembered answers are shared between the rules: they must be immutable."""

    @wraps(derive)
    def remembered(ctx: RuleContext) -> _T:
        facts = ctx._facts
        try:
            value: _T = facts[derive]
        except KeyError:
            value = facts[derive] = derive(ctx)
        return value

    return remembered


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of ``shared/clinical/rules.md``; ``id`` is the catalog's ID and the card's ``source.topic.code``."""

    id: str
    title: str
    hooks: frozenset[Hook]
    profiles: frozenset[str]
    citations: tuple[Citation, ...]
    evaluate: Callable[[RuleContext], Outcome]


_SLOT_INIT_CLASSES: Final = (Evidence, NotApplicable)
"""The outcome parts every evaluation creates by the dozen (about 50 :class:`NotApplicable` outcomes and 35
:class:`Evidence` lines per patient-view call of the benchmark patient): their ``__init__`` stores each field
through its slot, as the snapshot's value classes do (:func:`app.snapshot.model.store_fields_through_slots`).
:class:`Recommendation` and :class:`CannotAssess` (a ``default_factory``) keep the dataclass ``__init__``."""
for _outcome_class in _SLOT_INIT_CLASSES:
    store_fields_through_slots(_outcome_class)
