"""Card templates: complete in both languages, short enough, tied to catalog rules, placeholders known."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from app.hooks.schemas import SUMMARY_MAX_CHARS
from app.render import DATA_UNAVAILABLE, LANGUAGES, CardCatalog, load_card_catalog
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules.osteoporosis.thresholds import card_values
from tests.builders.shared import catalog_rule_ids

ROOT = Path(__file__).resolve().parent.parent
PARAMETER_VALUES = card_values()
"""The parameter placeholders every card may use (``{GC_DOSE_HIGH}``, …), filled from the parameter table."""


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")


class TestCardTemplates:
    def test_every_template_is_a_catalog_rule_or_the_data_unavailable_card(self, catalog: CardCatalog) -> None:
        assert set(catalog.templates) - catalog_rule_ids() == {DATA_UNAVAILABLE}

    def test_every_registered_rule_has_a_template(self, catalog: CardCatalog) -> None:
        assert {rule.id for rule in OSTEOPOROSIS_RULES} <= set(catalog.templates)

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_every_summary_stays_under_140_characters_with_long_values(
        self, catalog: CardCatalog, language: str
    ) -> None:
        for template in catalog.templates.values():
            for name, variant in template.variants.items():
                summary = variant.summary(language).format_map({**PARAMETER_VALUES, **template.samples})
                assert len(summary) < SUMMARY_MAX_CHARS, f"{template.rule_id}.{name} ({language}): {summary}"

    def test_every_placeholder_has_a_sample_value_in_its_template(self, catalog: CardCatalog) -> None:
        for template in catalog.templates.values():
            assert template.placeholders() <= set(template.samples) | set(PARAMETER_VALUES), template.rule_id

    def test_summaries_and_details_use_the_same_placeholders_in_both_languages(self, catalog: CardCatalog) -> None:
        def names(text: str) -> set[str]:
            return {name for _, name, _, _ in string.Formatter().parse(text) if name}

        for template in catalog.templates.values():
            for variant in template.variants.values():
                assert names(variant.summary("nl")) == names(variant.summary("en"))
                assert names(variant.detail("nl")) == names(variant.detail("en"))

    def test_every_override_reason_has_a_display_in_both_languages(self, catalog: CardCatalog) -> None:
        for code in catalog.override_default:
            for language in LANGUAGES:
                assert catalog.override_displays[code](language)

    def test_every_suggestion_order_builds_a_resource_for_the_patient(self, catalog: CardCatalog) -> None:
        for template in catalog.templates.values():
            for suggestion in template.suggestions.values():
                for item in suggestion.orders:
                    resource = catalog.orders.build(item, patient_id="p1", language="nl")
                    assert resource["subject"] == {"reference": "Patient/p1"}
                    assert resource["status"] == "draft"


def test_every_medication_order_template_orders_exactly_one_identifiable_drug(catalog: CardCatalog) -> None:
    """The contraindication filter (rules.md §14.4) needs to know which drug each suggested order creates."""
    from datetime import date

    from app.hooks.pipeline import identify_order_drugs
    from app.snapshot.parameters import SnapshotParameters
    from app.terminology import load_catalog

    terminology = load_catalog(ROOT / "fhir_mappings")
    drugs = identify_order_drugs(
        catalog, terminology=terminology, parameters=SnapshotParameters(), as_of=date(2025, 1, 1)
    )

    assert set(drugs) == set(catalog.orders.medications)
