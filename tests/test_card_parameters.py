"""Card text takes its thresholds from the parameter table (issue 16): a card template names ``{GC_DOSE_HIGH}``,
``{T_OSTEOPOROSIS}``, … and never repeats the number. Every card variant is rendered in both languages with
changed parameter values; a literal of the original value left in the text (outside a «verbatim guideline quote»)
fails. The default values render the words the cards had before (bench.golden: responses unchanged)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.render import LANGUAGES, CardCatalog, CardTemplate, load_card_catalog
from app.rules.engine import evaluate
from app.rules.model import CannotAssess, Hook, Recommendation
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules.osteoporosis.thresholds import card_values
from app.rules.parameters import GuidelineParameters
from tests.builders.fhir import fracture
from tests.rules._support import snapshot

ROOT = Path(__file__).resolve().parent.parent
GC_CARDS = frozenset(
    {"GC-START-1", "GC-START-2", "GC-START-3", "GC-START-4", "GC-START-5", "GC-PARENT-1", "GC-STOP-1", "GC-GEN-1"}
)
ALL = None
DMAB_STOP_CARDS = frozenset({"DMAB-STOP-1", "DMAB-STOP-2", "DMAB-STOP-3", "DMAB-FU-1", "DMAB-EVAL-1"})
SEVERE_RENAL = frozenset({"CI-EGFR-3", "CI-TPTD-2"})
ALL_BUT_SEVERE_RENAL = frozenset(path.stem for path in (ROOT / "cards").glob("*.toml")) - SEVERE_RENAL
NOT_NUMBER = r"(?<![\d.,])"
NOT_IN_RANGE = r"(?<![\d.,–-])"  # "8–10 jaar" of a study's follow-up is not the maximum duration


def age(years: int) -> str:
    """A literal age in card text: the number on its own, not part of a dose, a percentage or another number."""
    return rf"(?<![\d.,−-]){years}(?!\d|[.,]\d| ?(?:mg|%|nmol|IE|IU))"


TERIPARATIDE_CARDS = frozenset({"ANABOLIC-2", "ANABOLIC-5", "SWITCH-FAIL-2", "CI-TPTD-3"})
ROMOSOZUMAB_CARDS = frozenset({"ANABOLIC-1", "ANABOLIC-3", "ANABOLIC-5", "SWITCH-FAIL-2"})

TEMPLATED: dict[str, tuple[str, frozenset[str] | None]] = {
    # placeholder: (a literal of the default value as card text writes it, the cards that state this parameter)
    "T_OSTEOPOROSIS": (r"(?<![\d\w])[-−–]\s?2[.,]5(?!\d)", ALL),
    "T_VERY_HIGH": (r"(?<![\d\w])[-−–]\s?3[.,]5(?!\d)", ALL),
    "GC_T_THRESHOLD": (r"(?<![\d\w])[-−–]2[.,]0(?!\d)", GC_CARDS | {"TX-IND-1"}),
    "ROMO_PLAN_T_HIP_TWO_VF": (r"(?<![\d\w])[-−–]\s?2[.,]0(?!\d)", frozenset({"ANABOLIC-1"})),
    "SECONDARY_Z_SCORE": (r"(?<![\d\w])[-−–]2(?![\d.,])", frozenset({"SECONDARY-1"})),
    "GC_DOSE_HIGH": (rf"{NOT_NUMBER}7[.,]5(?!\d)", GC_CARDS),
    "GC_DOSE_LOW": (rf"{NOT_NUMBER}2[.,]5(?!\d)", GC_CARDS),
    "GC_DOSE_VERY_HIGH": (rf"{NOT_NUMBER}15\s?mg", GC_CARDS),
    "GC_MIN_DURATION": (r"(?:≥|ten minste|at least)\s?3\s?(?:maanden|months|mnd)", GC_CARDS),
    "GC_LEGACY_DOSE_LOW": (rf"{NOT_NUMBER}7[.,]5(?!\d)", frozenset({"GC-LEGACY-1"})),
    "GC_LEGACY_DOSE_HIGH": (rf"{NOT_NUMBER}15(?![\d.,])", frozenset({"GC-LEGACY-1"})),
    "DMAB_LONG_TERM_YEARS": (rf"{NOT_NUMBER}2[.,]5(?!\d)", frozenset({"SWITCH-DMAB-ROMO-1"})),
    "BP_EVAL_YEARS_ORAL": (
        rf"{NOT_NUMBER}5(?:\s?(?:jaar|years?|y\b)|-year| \(oraal\))",
        frozenset({"BP-EVAL-1", "BP-HOLIDAY-1", "GC-STOP-1"}),
    ),
    "RECENT_FX_YEARS": (
        r"(?:afgelopen|voorbije|past|[<≤]|minder dan|less than|within)\s?2\s?(?:jaar|years?|y\b)",
        frozenset({"GC-STOP-1", "GC-START-2", "RISK-BBC-1", "SCREEN-NL-1", "ANABOLIC-4", "TX-IND-1"}),
    ),
    "POST_ANABOLIC_AR_MIN_YEARS": (
        r"(?:minimaal|at least|≥)\s?2\s?(?:jaar|years?|y)(?:\)| botafbraakremm| of antiresorpt| antiresorpt)",
        frozenset({"ANABOLIC-1", "ANABOLIC-2", "ANABOLIC-3", "ANABOLIC-5", "ANABOLIC-6", "SWITCH-FAIL-2"}),
    ),
    "EGFR_CI_ZOL": (rf"{NOT_NUMBER}35\s?m[lL]/min", ALL),
    "EGFR_CI_ORAL_BP": (rf"{NOT_NUMBER}30\s?m[lL]/min", ALL_BUT_SEVERE_RENAL),
    "EGFR_SEVERE": (rf"{NOT_NUMBER}30\s?m[lL]/min", SEVERE_RENAL),
    "VITD_DEFICIENT_NGML": (rf"{NOT_NUMBER}20(?:-\d+)?\s?ng/m[lL]", ALL),
    "BP_EVAL_INFUSIONS_ZOLEDRONATE": (
        rf"{NOT_NUMBER}3\s?(?:jaar zoledron|years? (?:of )?zoledron|y zoledron|jaarlijkse infus|yearly zoledron"
        r"|infusies|zoledronic acid infu|jaar \(zoledron)|(?:Zoledroninezuur|Zoledronate) 3\s?(?:jaar|y)\b|3-year",
        frozenset({"BP-EVAL-1", "BP-HOLIDAY-1", "GC-STOP-1"}),
    ),
    "SCHEME_YEARS": (
        r"(?:stopschema|stop scheme) [<≥>] ?3\s?(?:jaar|years?)|[<≥>] ?3\s?(?:jaar|years?|y\b|j\b)",
        frozenset({"DMAB-STOP-1", "DMAB-STOP-2", "DMAB-STOP-3", "DMAB-FU-1"}),
    ),
    "DMAB_EVAL_YEARS": (rf"{NOT_NUMBER}3\s?(?:jaar|years?)\b", frozenset({"DMAB-EVAL-1", "DMAB-START-1"})),
    "DMAB_INTERVAL_MONTHS": (
        rf"(?:elke|every) 6\s(?:maanden|months)|{NOT_NUMBER}6\s(?:maanden|months) (?:na de laatste|after the last)"
        rf"|{NOT_NUMBER}6[–-]18\s(?:maanden|months)|{NOT_NUMBER}6-(?:monthly|month interval|maandelijks)"
        rf"|(?:interval is|interval van|interval of) 6\s|{NOT_NUMBER}6\s(?:mnd|maanden|months) "
        r"(?:na (?:de )?laatste|after the last|na de vorige|after the previous)|(?:Van|From) 6 (?:tot|to) ",
        ALL,
    ),
    "DMAB_LAPSED_MONTHS": (r"(?:[–>-]|tot |to )18\s?(?:maanden|months)", ALL),
    "SCHEME_DXA_MONTHS": (rf"{NOT_NUMBER}12\s(?:maanden|months)", DMAB_STOP_CARDS),
    "SCHEME_LAB_MONTHS": (rf"{NOT_NUMBER}6\s(?:maanden|months)", DMAB_STOP_CARDS),
    "BE_REIMBURSEMENT_DXA_MAX_AGE_MONTHS": (
        r"(?:minder dan|less than) 6\s(?:maanden|months) (?:oud|old)",
        frozenset({"TX-CHOICE-1"}),
    ),
    "BMD_LOSS_PCT": (r"(?:botverlies|bone loss) > ?5\s?%", ALL),
    "BTM_CTX_DROP_PCT": (r"≥ ?31\s?%", frozenset({"SWITCH-ADH-1", "MON-BTM-1"})),
    "BTM_P1NP_DROP_PCT": (r"≥ ?20\s?%", frozenset({"SWITCH-ADH-1", "MON-BTM-1"})),
    "VITD_TARGET_HIGH_NGML": (rf"{NOT_NUMBER}20-50\s?ng/m[lL]", ALL),
    "LIFE_EXPECTANCY_NO_TX": (r"≤ ?1\s?(?:jaar|year)", frozenset({"TX-LE-1"})),
    "SERM_MAX_AGE": (r"≤ ?65(?!\d)", frozenset({"TX-CHOICE-3"})),
    "TPTD_T_MIN": (r"(?<![\d\w])[-−–]\s?1[.,]5(?!\d)", ALL),
    "DXA_STALE_YEARS": (r"(?:[>–-]|meer dan|more than)\s?5\s?(?:jaar|years)", frozenset({"MON-DXA-1"})),
    "DXA_REPEAT_MIN_YEARS": (r"(?:≥\s?2|2[-–])\s?\d?\s?(?:jaar|years)", frozenset({"MON-DXA-1"})),
    "TPTD_MAX_MONTHS": (
        rf"{NOT_NUMBER}(?:24|18)\s?(?:maanden|months)|teriparatide (?:gedurende |for )?2 (?:jaar|years)",
        TERIPARATIDE_CARDS,
    ),
    "ROMO_MAX_MONTHS": (
        rf"{NOT_NUMBER}12\s?(?:maanden|months|maandelijkse|monthly)|romosozumab (?:gedurende |for )?1 (?:jaar|year)",
        ROMOSOZUMAB_CARDS,
    ),
    "FAILURE_MIN_THERAPY_YEARS": (
        r"(?:≥|minstens|ten minste|at least)\s?1\s?(?:jaar|years?|y\b)",
        frozenset(
            {"ANABOLIC-3", "SWITCH-FAIL-1", "GC-SWITCH-1", "GC-START-2", "GC-START-3", "GC-START-4", "SECONDARY-1"}
        ),
    ),
    "BP_MAX_YEARS_ORAL": (
        rf"{NOT_IN_RANGE}10\s?(?:jaar|years?|y\b)",
        frozenset({"BP-CONT-1", "BP-EVAL-1", "BP-MAX-1"}),
    ),
    "BP_MAX_INFUSIONS_ZOLEDRONATE": (
        rf"{NOT_NUMBER}6 (?:infusies|infusions|jaarlijkse infusies|yearly infusions|y zoledron)",
        frozenset({"BP-CONT-1", "BP-EVAL-1", "BP-MAX-1"}),
    ),
    "ZOLEDRONATE_HOLIDAY_START_MONTHS": (
        r"12 (?:maanden|months) (?:na de laatste infusie|after the last (?:zoledronic acid )?infusion)",
        frozenset({"BP-FU-1", "BP-HOLIDAY-1"}),
    ),
    "GC_DIRECT_START_MIN_AGE": (age(50), GC_CARDS),
    "GC_AGE_BAND_A40": (age(40), GC_CARDS),
    "GC_AGE_BAND_A40_TO": (r"[-–]49(?!\d)", GC_CARDS),
    "GC_PARENTERAL_AGE": (r"≥ ?75(?!\d)", GC_CARDS),
    "FALL_ASSESSMENT_MIN_FALLS": (r"≥ ?2 (?:keer|falls)", frozenset({"FALL-1"})),
    "FRAX_MAX_FALLS": (r"(?:maximaal|at most) 5\)", frozenset({"RISK-FRAX-1"})),
    "FRAX_FALL_MULTIPLIER": (rf"{NOT_NUMBER}1[.,]3(?!\d)", frozenset({"RISK-FRAX-1"})),
    "FRAX_CAP_PERCENT": (r"(?:maximaal|capped at) 100\s?%", frozenset({"RISK-FRAX-1"})),
    "LAB_MAX_AGE_DAYS": (
        rf"{NOT_NUMBER}90\s?(?:dagen|days)",
        frozenset({"CI-ROMO-2", "CI-TPTD-2", "CI-HYPOCA-1", "LAB-1"}),
    ),
    "VITD_MAX_AGE_DAYS": (
        rf"{NOT_NUMBER}365\s?(?:dagen|days)|(?:afgelopen|past) (?:jaar|year)|≤ ?1 (?:jaar|year)",
        frozenset({"LAB-1", "VITD-1", "CI-HYPOCA-1"}),
    ),
    "RENAL_MAX_AGE_DAYS": (
        rf"{NOT_NUMBER}365\s?(?:dagen|days)|(?:afgelopen|past) (?:jaar|year)|(?:ouder dan|older than) 1 (?:jaar|year)",
        frozenset({"CI-EGFR-2", "CI-EGFR-3"}),
    ),
    "RENAL_MAX_AGE_BEFORE_ZOLEDRONATE": (rf"{NOT_NUMBER}90\s?(?:dagen|days)", frozenset({"CI-EGFR-1"})),
    "DXA_DECISION_MAX_AGE_MONTHS": (
        r"(?:afgelopen|past) 12 (?:maanden|months)",
        frozenset({"GC-START-2", "GC-START-3", "GC-START-4"}),
    ),
    "CALCIUM_TARGET_MG": (r"1000-1200\s?mg", frozenset({"CALC-1", "GC-GEN-1"})),
    "ROMO_MIN_AGE_NL": (age(50), frozenset({"ANABOLIC-1", "CI-ROMO-3"})),
    "IDENT_MIN_AGE": (age(50), frozenset({"SCREEN-NL-1"})),
    "NL_RISK_ROUTE_MIN_AGE": (age(60), frozenset({"SCREEN-NL-2"})),
    "BBC_SCREEN_MIN_AGE": (age(50), frozenset({"SCREEN-BBC-1"})),
    "BBC_MAJOR_FACTORS_NEEDED": (r"(?:minder dan|fewer than|≥) 1 (?:belangrijke|major)", frozenset({"SCREEN-BBC-1"})),
    "BBC_MINOR_FACTORS_NEEDED": (r"(?:of|or) (?:≥ )?2 (?:bijkomende|additional)", frozenset({"SCREEN-BBC-1"})),
    "SECONDARY_YOUNG_AGE": (r"<\s?50(?!\d)", frozenset({"SECONDARY-1"})),
    "CLINICAL_OP_MALE_MIN_AGE": (age(50), frozenset({"DX-CLIN-1"})),
    "VITD_ADVICE_AGE_HIGH": (age(70), frozenset({"VITD-3"})),
    "VITD_ADVICE_WOMEN_MIN_AGE": (age(50), frozenset({"VITD-3"})),
    "GC_LEGACY_AGE": (age(70), frozenset({"GC-LEGACY-1"})),
    "ASSUME_PM_AGE": (r"(?:man|men) ≥ ?50(?!\d)", frozenset({"TX-IND-1"})),
    "MOF_FOREARM_MIN_AGE": (r"(?:onderarm vanaf|forearm from age) 75(?!\d)", frozenset({"RISK-BBC-1"})),
    "DMAB_MAX_YEARS": (rf"{NOT_IN_RANGE}10\s?(?:jaar|years?)", frozenset({"DMAB-EVAL-1"})),
}
"""The parameters whose card text is templated, each with the cards that state it."""

CHANGED = {name: value for name, value in card_values().items() if name.split("_ABS")[0] in TEMPLATED}
CHANGED = {name: ("-97.25" if value.startswith("-") else "97.25") for name, value in CHANGED.items()} | {
    f"{name}_ABS": "97.25" for name in TEMPLATED if f"{name}_ABS" in card_values()
}


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")


def _texts(template: CardTemplate, language: str, values: dict[str, str]) -> Iterator[tuple[str, str]]:
    patient_facts = {name: f"⟨{name}⟩" for name in template.samples}  # a rule's facts are no literal of the card
    facts = {**card_values(), **patient_facts, **values}
    yield "title", template.title(language).format_map(facts)
    for name, variant in template.variants.items():
        yield f"{name}.summary", variant.summary(language).format_map(facts)
        yield f"{name}.detail", variant.detail(language).format_map(facts)
    for key, suggestion in template.suggestions.items():
        yield f"suggestion {key}", suggestion.label(language).format_map(facts)


def _outside_quotes(text: str) -> str:
    return re.sub(r"«[^»]*»", "«»", text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("parameter", sorted(TEMPLATED))
def test_no_card_repeats_the_value_of_a_templated_parameter(
    catalog: CardCatalog, parameter: str, language: str
) -> None:
    literal, cards = TEMPLATED[parameter]
    leftovers = [
        f"{template.rule_id} {where}: …{match.group(0)}…"
        for template in catalog.templates.values()
        if cards is None or template.rule_id in cards
        for where, text in _texts(template, language, CHANGED)
        for match in re.finditer(literal, _outside_quotes(text))
    ]

    assert leftovers == [], f"{parameter}: a literal of the default value instead of {{{parameter}}}"


@pytest.mark.parametrize("parameter", sorted(TEMPLATED))
def test_a_changed_value_reaches_the_card_text(catalog: CardCatalog, parameter: str) -> None:
    _, cards = TEMPLATED[parameter]
    rendered = " ".join(
        text
        for template in catalog.templates.values()
        if cards is None or template.rule_id in cards
        for language in LANGUAGES
        for _, text in _texts(template, language, CHANGED)
    )

    assert "97.25" in rendered or "97,25" in rendered


def test_the_literal_patterns_find_the_default_values(catalog: CardCatalog) -> None:
    """The check can fail: with the default values, each pattern finds the value the placeholders now render."""
    for parameter, (literal, cards) in TEMPLATED.items():
        found = any(
            re.search(literal, _outside_quotes(text))
            for template in catalog.templates.values()
            if cards is None or template.rule_id in cards
            for language in LANGUAGES
            for _, text in _texts(template, language, {})
        )
        assert found, parameter


def test_the_engine_fills_the_deployment_settings_a_card_states() -> None:
    """A deployment's settings (RECENT_FX_YEARS, EGFR_CI_ZOL, POST_ANABOLIC_AR_MIN_YEARS) reach the card text through
    the engine (here for a woman of 65 with a hip
    fracture 8 months ago: SCREEN-NL-1 and RISK-BBC-1 state the window)."""
    snap = snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15")
    parameters = GuidelineParameters(
        recent_fx_years=1, egfr_ci_zoledronate_ml_min=30, post_anabolic_antiresorptive_min_years=3
    ).for_profile("nl")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="nl", parameters=parameters)
    cards = [o for o in outcomes if isinstance(o, Recommendation | CannotAssess)]

    assert cards and all(card.facts["RECENT_FX_YEARS"] == "1" for card in cards)
    assert all(card.facts["EGFR_CI_ZOL"] == "30" for card in cards)
    assert all(card.facts["POST_ANABOLIC_AR_MIN_YEARS"] == "3" for card in cards)
    assert all("GC_DOSE_HIGH" not in card.facts for card in cards)  # a default value: the renderer fills it in


def test_with_the_default_settings_the_engine_adds_nothing_the_renderer_does_not_know() -> None:
    snap = snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15")
    parameters = GuidelineParameters().for_profile("nl")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="nl", parameters=parameters)

    assert not any(
        name in card_values() for o in outcomes if isinstance(o, Recommendation | CannotAssess) for name in o.facts
    )


def test_a_deployment_setting_of_the_anabolic_course_lengths_reaches_the_card_facts() -> None:
    """A NL deployment that sets teriparatide to 18 months and romosozumab to 6 states those, not 24 and 12."""
    snap = snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15")
    parameters = GuidelineParameters(teriparatide_max_months=18, romosozumab_max_months=6).for_profile("nl")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="nl", parameters=parameters)
    cards = [o for o in outcomes if isinstance(o, Recommendation | CannotAssess)]

    assert cards and all(card.facts["TPTD_MAX_MONTHS"] == "18" for card in cards)
    assert all(card.facts["ROMO_MAX_MONTHS"] == "6" for card in cards)


def test_a_deployment_calcium_target_of_1200_mg_reaches_the_card_facts() -> None:
    """CALCIUM_TARGET_MG (C-33) set to S2's 1200 mg: the CALC-1 title and GC-GEN-1 state 1200, not 1000-1200."""
    snap = snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15")
    parameters = GuidelineParameters(calcium_target="1200").for_profile("nl")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="nl", parameters=parameters)
    cards = [o for o in outcomes if isinstance(o, Recommendation | CannotAssess)]

    assert cards and all(card.facts["CALCIUM_TARGET_MG"] == "1200" for card in cards)


def test_a_belgian_teriparatide_card_states_18_months_as_the_limit_not_24(catalog: CardCatalog) -> None:
    """ANABOLIC-2 in the BE profile: "maximaal 18 maanden", and the NL limit of 24 months is not in the text."""
    template = catalog.templates["ANABOLIC-2"]
    patient_facts = {name: f"⟨{name}⟩" for name in template.samples}
    for language in LANGUAGES:
        text = " ".join(
            variant.detail(language).format_map({**card_values("be"), **patient_facts})
            for variant in template.variants.values()
        )
        assert "18" in text and "24" not in text, language


def test_a_belgian_profile_value_reaches_the_card_facts() -> None:
    """TPTD_MAX_M is 18 months in the BE profile (the table's ``be`` value), 24 in NL."""
    snap = snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15")
    parameters = GuidelineParameters().for_profile("be")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="be", parameters=parameters)
    cards = [o for o in outcomes if isinstance(o, Recommendation | CannotAssess)]

    assert cards and all(card.facts["TPTD_MAX_MONTHS"] == "18" for card in cards)


def test_the_deployment_ages_of_vitamin_d_and_renal_function_reach_the_card_facts() -> None:
    """OSTEO_SNAPSHOT__VITAMIN_D_MAX_AGE_DAYS / RENAL_MAX_AGE_DAYS at 180: a woman with a hip fracture and no labs gets
    the vitamin D card (VITD-1) stating 180 days, not "the past year"."""
    snap = replace(
        snapshot(fracture(site="hip", on="2024-10-01"), born="1960-01-15"),
        vitamin_d_max_age_days=180,
        renal_max_age_days=180,
    )
    parameters = GuidelineParameters().for_profile("nl")

    outcomes = evaluate(OSTEOPOROSIS_RULES, snap, hook=Hook.PATIENT_VIEW, profile="nl", parameters=parameters)
    cards = {o.rule_id: o for o in outcomes if isinstance(o, Recommendation | CannotAssess)}

    assert "VITD-1" in cards
    assert cards["VITD-1"].facts["VITD_MAX_AGE_DAYS"] == "180"
    assert all(card.facts["RENAL_MAX_AGE_DAYS"] == "180" for card in cards.values())
