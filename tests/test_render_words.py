"""A finding is worded when first read (app/render.py ``Finding``): a call renders every finding of its rules but a
card shows the words of a few. What is read is what wording every finding at once gave, and it is made once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.render import (
    _PARAMETER_VALUES,
    DATA_UNAVAILABLE,
    LANGUAGES,
    CardCatalog,
    _localize_number,
    _shown_facts,
    label,
    load_card_catalog,
    render_findings,
    word_in_full,
)
from app.rules.model import CannotAssess, Evidence, Recommendation

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = (
    Evidence("age", "71.5"),
    Evidence("t-score-lumbar-spine", "-2.6", date(2025, 3, 1), "Observation/dxa-1"),
    Evidence("t-score-total-hip", "-2.1", date(2025, 3, 1), "Observation/dxa-2"),
)


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")


def every_outcome(catalog: CardCatalog) -> Iterator[Recommendation | CannotAssess]:
    """Every variant of every card, with its sample facts, all its suggestions and some evidence."""
    for rule_id, template in catalog.templates.items():
        if rule_id == DATA_UNAVAILABLE:
            continue
        facts = dict(template.samples)
        for spec in template.suggestions.values():
            facts |= dict.fromkeys(spec.dates.values(), "2025-06-15")
            if spec.delete is not None:
                facts[spec.delete] = "MedicationRequest/draft-stop"
        for variant in template.variants:
            yield Recommendation(rule_id, variant, facts, EVIDENCE, tuple(template.suggestions))
        yield CannotAssess(rule_id, ("dxa", "egfr"), next(iter(template.variants)), facts, EVIDENCE[:1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_words_read_are_those_of_the_outcome_worded_in_full(catalog: CardCatalog, language: str) -> None:
    for outcome in every_outcome(catalog):
        [finding] = render_findings([outcome], catalog=catalog, language=language, patient_id="p1")
        worded = word_in_full(
            outcome, offered=finding.offered, withheld=finding.withheld, catalog=catalog, language=language
        )
        where = (outcome.rule_id, outcome.variant)
        assert (finding.summary, finding.title, finding.indicator) == (worded.summary, worded.title, worded.indicator)
        assert tuple(suggestion.label for suggestion in finding.suggestions) == worded.suggestions, where
        assert finding.offered == tuple(outcome.suggestions), where
        assert len(finding.data()) == len(outcome.evidence), where
        assert all(f"- {line}" in worded.detail for line in finding.data()), where
        assert finding.data(2) == finding.data()[:2]
        assert finding.source.topic is not None and finding.source.topic.display == finding.title


@pytest.mark.parametrize("language", LANGUAGES)
def test_shown_facts_fill_a_text_as_the_facts_over_the_parameter_defaults_do(
    catalog: CardCatalog, language: str
) -> None:
    """The shown facts look a parameter up instead of copying all hundred: every text reads the same."""
    for outcome in every_outcome(catalog):
        template = catalog.templates[outcome.rule_id]
        unknown = label(catalog, "card", "unknown", language)
        merged = {
            **_PARAMETER_VALUES[language],
            **{name: _localize_number(value, language) or unknown for name, value in outcome.facts.items()},
        }
        shown = _shown_facts(outcome, catalog, language)
        variant = template.variants[outcome.variant]
        texts = [template.title, variant.summary, variant.detail, *(s.label for s in template.suggestions.values())]
        for text in texts:
            assert text(language).format_map(shown) == text(language).format_map(merged), outcome.rule_id


def test_a_placeholder_that_is_neither_fact_nor_parameter_is_still_an_error(catalog: CardCatalog) -> None:
    shown = _shown_facts(Recommendation("TX-IND-1", "start"), catalog, "en")

    with pytest.raises(KeyError, match="no_such_placeholder"):
        "{no_such_placeholder}".format_map(shown)


def test_each_suggestion_is_made_once_and_keeps_its_uuid(catalog: CardCatalog) -> None:
    outcome = next(o for o in every_outcome(catalog) if len(o.suggestions) >= 3)
    [finding] = render_findings([outcome], catalog=catalog, language="en", patient_id="p1")

    first_two = finding.first_suggestions(2)

    assert len(first_two) == 2
    assert finding.suggestions[:2] == first_two
    assert [s.uuid for s in finding.suggestions] == [s.uuid for s in finding.suggestions]
    assert len({s.uuid for s in finding.suggestions}) == len(finding.suggestions) == len(outcome.suggestions)


def test_a_withheld_suggestion_is_worded_with_the_rules_that_forbid_it(catalog: CardCatalog) -> None:
    outcome = next(o for o in every_outcome(catalog) if len(o.suggestions) >= 2)
    template = catalog.templates[outcome.rule_id]
    first = outcome.suggestions[0]
    blocked = {template.suggestions[first].orders[0]: "CI-TEST-1"}

    [finding] = render_findings([outcome], catalog=catalog, language="en", patient_id="p1", blocked_orders=blocked)

    def labels(keys: tuple[str, ...]) -> tuple[str, ...]:
        return word_in_full(outcome, offered=keys, withheld=(), catalog=catalog, language="en").suggestions

    offered = tuple(key for key in outcome.suggestions if not set(template.suggestions[key].orders) & set(blocked))
    assert first not in finding.offered and finding.offered == offered
    assert finding.withheld[0] == (labels((first,))[0], "CI-TEST-1")
    assert tuple(suggestion.label for suggestion in finding.suggestions) == labels(offered)
