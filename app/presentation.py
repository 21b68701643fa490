"""Findings → cards: one short card per clinical problem, and no card when there is nothing to do.

rules.md §0.3 item 9 (issue "Alert burden"). The rules give one finding per rule; a prescriber should not get one
card per finding. The layout, per hook:

- **patient-view**: a *critical* finding (a contraindicated current drug, denosumab overdue or stopped without a
  transition, a maximum duration exceeded: the catalog's ``critical`` indicator) stands on a card of its own, so
  it is never missed among others. Every other finding goes into **one bone-health card**: its main finding is the
  most urgent finding that may lead a card (warning before info, then the registry order of the rules), whose
  summary, suggestions (the first two; a critical card keeps all) and source the card takes; the card's indicator
  is the most urgent of what it holds; the other findings are a short ranked list in its detail.
- **order-select / order-sign**: only findings about the drug being ordered or stopped and the safety of that
  order reach the order hooks (the rules that declare those hooks fire on the draft orders only). The critical
  ones share one card (the order is unsafe; the first is its summary, the others are listed), everything else
  goes into a second card: at most two cards. An order card keeps all its main finding's suggestions (the
  orders that complete the one being placed).
- **Nothing leads, no card.** A finding with the ``context`` role (``role = "context"`` on its variant in
  ``cards/<rule>.toml``: data the record cannot carry, or a statement with nothing to act on) never makes a card
  appear; it becomes one "also check" line inside a card that shows for another reason. All of them are on the
  assessment page.
- **Per-site display policy** (``OSTEO_DISPLAY_POLICY``, rule ID → policy): ``show`` (the default: as above),
  ``fold`` (never leads a card and never stands alone, even when critical: listed inside a card that shows for
  another reason and on the page), ``silent`` (evaluated and recorded with the issued-card records, never shown:
  to measure how often a new rule would fire before showing it).

Every card carries the extension ``org.osteo-cds.findings``: ``[{"rule", "variant", "indicator", "summary"}]``,
the main finding first, then each folded finding, so that ``source.topic.code`` (the main rule) is never the only
trace. The detail is at most :data:`DETAIL_MAX_WORDS` words in either language: the main finding's key data with
their dates, what is missing where it changes the decision, the contraindicated suggestions withheld, the other
findings by title, and the "also check" line; what does not fit is counted ("+2 more") and is on the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from app.feedback import IssuedCard, IssuedFinding
from app.hooks.schemas import Card, Indicator, Link, SelectionBehavior
from app.render import FINDINGS_EXTENSION, CardCatalog, Finding, Role, label
from app.rules.model import Hook

__all__ = [
    "DETAIL_MAX_WORDS",
    "FINDINGS_EXTENSION",
    "TRACE_EXTENSION",
    "DisplayPolicy",
    "Presentation",
    "present",
    "word_count",
]

TRACE_EXTENSION: Final = "org.osteo-cds.trace"
DETAIL_MAX_WORDS: Final = 60
"""Longest card detail, in words (whitespace-separated), in either language."""
MAX_DATA_LINES: Final = 3
"""Key data of the main finding shown on the card (the rule lists the decisive datum first)."""
MAX_SUGGESTIONS: Final = 2
"""Suggestions on a patient-view bone-health card: the one or two actions that matter now (the rest is on the
page)."""
URGENCY: Final[Mapping[Indicator, int]] = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}


class DisplayPolicy(StrEnum):
    """How a site shows a rule's findings (``OSTEO_DISPLAY_POLICY``)."""

    SHOW = "show"
    FOLD = "fold"
    SILENT = "silent"


def word_count(text: str) -> int:
    """Words as a reader counts them: whitespace-separated tokens (the detail limit and the benchmark use this)."""
    return len(text.split())


@dataclass(frozen=True, slots=True)
class Presentation:
    """The cards of one answer and the records to keep of them (and of the silent findings)."""

    cards: tuple[Card, ...]
    issued: tuple[IssuedCard, ...]


@dataclass(frozen=True, slots=True)
class _Layout:
    main: Finding
    folded: tuple[Finding, ...]


def _leads(finding: Finding, policy: Mapping[str, DisplayPolicy]) -> bool:
    return finding.role is Role.ACTION and policy.get(finding.rule_id, DisplayPolicy.SHOW) is DisplayPolicy.SHOW


def _layout(findings: Sequence[Finding], hook: Hook, policy: Mapping[str, DisplayPolicy]) -> list[_Layout]:
    """Which findings share a card, main finding first. Findings arrive in registry order; sorting is stable."""
    may_lead = [f for f in findings if _leads(f, policy)]
    ranked = sorted(findings, key=lambda finding: (finding not in may_lead, URGENCY[finding.indicator]))
    critical = [f for f in ranked if f in may_lead and f.indicator is Indicator.CRITICAL]
    rest = [f for f in ranked if f not in critical]
    if hook is Hook.PATIENT_VIEW:
        layouts = [_Layout(finding, ()) for finding in critical]
    else:
        layouts = [_Layout(critical[0], tuple(critical[1:]))] if critical else []
    leading = [f for f in rest if f in may_lead]
    if leading:
        layouts.append(_Layout(leading[0], tuple(f for f in rest if f is not leading[0])))
    elif layouts and rest:
        last = layouts[-1]
        layouts[-1] = _Layout(last.main, (*last.folded, *rest))
    return layouts


def _fit(parts: list[str], heading: str | None, items: Sequence[str], budget: int, more: str) -> int:
    """Append ``heading items…`` to ``parts`` with as many items as fit in ``budget`` words; the rest are counted
    (``more``, e.g. "+2 more"). Returns the words used."""
    prefix = f"**{heading}:** " if heading else ""
    taken: list[str] = []
    for index, item in enumerate(items):
        left = len(items) - index - 1
        tail = more.format(count=left) if left else ""
        line = prefix + "; ".join([*taken, item]) + (f"; {tail}" if tail else "")
        if word_count(line) > budget:
            break
        taken.append(item)
    if not taken:
        if not items:
            return 0
        line = prefix + more.format(count=len(items))
        if word_count(line) > budget:
            return 0
    else:
        left = len(items) - len(taken)
        line = prefix + "; ".join(taken) + (f"; {more.format(count=left)}" if left else "")
    parts.append(line)
    return word_count(line)


def _detail(layout: _Layout, catalog: CardCatalog, language: str) -> str | None:
    def text(key: str) -> str:
        return label(catalog, "card", key, language)

    main = layout.main
    more = text("more")
    also = [f for f in layout.folded if f.role is Role.ACTION]
    also_check = [f for f in layout.folded if f.role is Role.CONTEXT]
    parts: list[str] = []
    budget = DETAIL_MAX_WORDS
    budget -= _fit(parts, None, main.data(MAX_DATA_LINES), budget, more)
    budget -= _fit(parts, text("missing"), main.missing, budget, more)
    withheld = [f"{suggestion} ({rule})" for suggestion, rule in main.withheld]
    budget -= _fit(parts, text("not-suggested"), withheld, budget, more)
    # Critical findings sharing an order card are listed by their summary: each is a reason the order is unsafe.
    listed = [f.summary if f.indicator is Indicator.CRITICAL else f.title for f in also]
    budget -= _fit(parts, text("also"), listed, budget, more)
    titles = list(dict.fromkeys(f.check for f in also_check if f.check))
    _fit(parts, text("also-check"), titles, budget, more)
    return "\n\n".join(parts) or None


def _card(
    layout: _Layout,
    *,
    hook: Hook,
    catalog: CardCatalog,
    language: str,
    links: Sequence[Link],
) -> Card:
    main = layout.main
    held = (main, *layout.folded)
    if hook is Hook.PATIENT_VIEW and main.indicator is not Indicator.CRITICAL:
        # the one or two actions that matter now; the rest is on the page
        suggestions = list(main.first_suggestions(MAX_SUGGESTIONS))
    else:
        suggestions = list(main.suggestions)
    findings: list[dict[str, Any]] = [
        {"rule": f.rule_id, "variant": f.variant, "indicator": f.indicator.value, "summary": f.summary} for f in held
    ]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=main.summary,
        detail=_detail(layout, catalog, language),
        indicator=min((f.indicator for f in held), key=URGENCY.__getitem__),
        source=main.source,
        suggestions=suggestions or None,
        selection_behavior=SelectionBehavior.ANY if suggestions else None,
        override_reasons=list(main.override_reasons),
        links=list(links) or None,
        extension={FINDINGS_EXTENSION: findings, TRACE_EXTENSION: dict(main.trace)},
    )


def present(
    findings: Sequence[Finding],
    *,
    hook: Hook,
    service_id: str,
    catalog: CardCatalog,
    language: str,
    policy: Mapping[str, DisplayPolicy],
    links: Sequence[Link] = (),
    patient_key: str | None = None,
) -> Presentation:
    """The cards for ``findings`` (most urgent first) and their issued-card records, with a record of each silent
    finding. ``links`` go on every card (the assessment page); ``patient_key`` links the records to the patient
    (the snooze and the order-sign override memory)."""
    silent: list[Finding] = []
    shown: list[Finding] = []
    for finding in findings:
        (silent if policy.get(finding.rule_id) is DisplayPolicy.SILENT else shown).append(finding)
    cards: list[Card] = []
    issued: list[IssuedCard] = []
    for layout in _layout(shown, hook, policy):
        card = _card(layout, hook=hook, catalog=catalog, language=language, links=links)
        cards.append(card)
        issued.append(
            IssuedCard(
                card_uuid=card.uuid,
                rule_id=layout.main.rule_id,
                service_id=service_id,
                variant=layout.main.variant,
                suggestions={s.uuid: s.label for s in card.suggestions or ()},
                patient_key=patient_key,
                findings=tuple(
                    IssuedFinding(f.rule_id, f.variant, f.indicator.value, "main" if f is layout.main else "folded")
                    for f in (layout.main, *layout.folded)
                ),
            )
        )
    for finding in silent:
        issued.append(
            IssuedCard(
                card_uuid=str(uuid.uuid4()),
                rule_id=finding.rule_id,
                service_id=service_id,
                variant=finding.variant,
                suggestions={},
                findings=(IssuedFinding(finding.rule_id, finding.variant, finding.indicator.value, "silent"),),
                shown=False,
            )
        )
    return Presentation(cards=tuple(cards), issued=tuple(issued))
