"""Safety properties over generated patients (issue "Guideline rules", acceptance; rules.md §14.1, §14.4).

Across ALL cards of a hook call (every rule of every family), for generated patients, draft orders and hooks:

- no suggestion orders an oral bisphosphonate at renal function < 30 mL/min or zoledronic acid at < 35;
- no suggestion orders teriparatide within 18 months of the last denosumab injection (or with denosumab active
  or ordered); no suggestion orders romosozumab after a myocardial infarction or stroke;
- an order of such a drug in draftOrders gets the contraindication card: CI-EGFR-2 / CI-EGFR-1 / CI-ROMO-1
  critical, CI-TPTD-1 critical while on denosumab (≤ 6 months) and at least a warning up to 18 months
  (conflicts.md C-30);
- no card summary reaches 140 characters, in Dutch or English.

The "no suggestion" property is asserted on the cards of the contraindication and treatment rules (CI-*, TX-*,
DUP-1) and on every card of every rule: the pipeline withholds, on all cards, each suggestion that would create an
order of a drug :func:`~app.rules.osteoporosis.safety.contraindicated_drugs` forbids (rules.md §14.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.hooks.schemas import SUMMARY_MAX_CHARS
from app.snapshot.model import add_months
from tests.builders.cds import PatientRecordBuilder, call_hook, cards_for, indicators
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    atc,
    calcium,
    condition,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    dxa_t_score,
    egfr,
    fracture,
    medication_statement,
    prednisone_statement,
    vitamin_d,
)

AS_OF = date(2025, 6, 1)
ORAL_BP_ATC = {"M05BA04", "M05BA07", "M05BA06"}
ZOLEDRONATE_ATC = "M05BA08"
TERIPARATIDE_ATC = "H05AA02"
ROMOSOZUMAB_ATC = "M05BX06"

DRUGS: dict[str, dict[str, Any]] = {
    "alendronate": atc("M05BA04", "alendronic acid"),
    "risedronate": atc("M05BA07", "risedronic acid"),
    "zoledronate": atc("M05BA08", "zoledronic acid"),
    "denosumab": DENOSUMAB_60MG,
    "teriparatide": atc("H05AA02", "teriparatide"),
    "romosozumab": atc("M05BX06", "romosozumab"),
    "raloxifene": atc("G03XC01", "raloxifene"),
}
CV_EVENTS = {"mi": ("22298006", "Myocardial infarction"), "stroke": ("230690007", "Cerebrovascular accident")}


def iso(days_ago: int) -> str:
    return (AS_OF - timedelta(days=days_ago)).isoformat()


@dataclass(frozen=True)
class Case:
    """One generated patient, its draft orders and the hook, with the facts the properties depend on."""

    record: PatientRecordBuilder
    drafts: tuple[dict[str, Any], ...]
    ordered: frozenset[str]
    hook: str
    renal: float | None
    last_denosumab: date | None
    cv_event: bool


renal_values = st.one_of(
    st.sampled_from([24.0, 29.9, 30.0, 30.1, 34.9, 35.0, 35.1]),
    st.floats(min_value=5, max_value=120, allow_nan=False).map(lambda v: round(v, 1)),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    sex = draw(st.sampled_from(["female", "male"]))
    born = date(draw(st.integers(min_value=1930, max_value=1985)), draw(st.integers(1, 12)), 15)
    record = PatientRecordBuilder(birth_date=born.isoformat(), gender=sex)
    dxa_day = iso(draw(st.integers(min_value=10, max_value=2500)))
    for site in draw(st.sets(st.sampled_from(["lumbar-spine", "femoral-neck", "total-hip"]))):
        value = draw(st.integers(min_value=-45, max_value=5)) / 10
        record.add(dxa_t_score(site=site, value=value, on=dxa_day))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        site = draw(st.sampled_from(["hip", "vertebral", "forearm", "humerus"]))
        record.add(fracture(site=site, on=iso(draw(st.integers(min_value=1, max_value=3000)))))
    renal: float | None = None
    if draw(st.booleans()):
        renal = draw(renal_values)
        build = draw(st.sampled_from([creatinine_clearance, egfr]))
        record.add(build(value=renal, on=iso(draw(st.sampled_from([5, 60, 89, 120, 400])))))
    cv = draw(st.sampled_from([None, "mi", "stroke"]))
    if cv is not None:
        code, display = CV_EVENTS[cv]
        record.add(condition(code=code, display=display, onset=iso(draw(st.integers(100, 4000)))))
    if draw(st.booleans()):
        record.add(condition(code="128053003", display="Deep venous thrombosis", onset="2019"))
    last_denosumab: date | None = None
    if draw(st.booleans()):
        last_ago = draw(st.sampled_from([10, 150, 182, 183, 200, 400, 546, 547, 548, 700]))
        for n in range(draw(st.integers(min_value=1, max_value=6))):
            record.add(denosumab_injection(on=iso(last_ago + 182 * n)))
        last_denosumab = AS_OF - timedelta(days=last_ago)
    if draw(st.booleans()):
        record.add(
            calcium(
                value=draw(st.sampled_from([1.9, 2.35, 2.8])),
                reference_range=(2.2, 2.6),
                on=iso(draw(st.sampled_from([10, 200]))),
            )
        )
    if draw(st.booleans()):
        record.add(vitamin_d(value=draw(st.sampled_from([12, 19.9, 20, 35])), on=iso(30)))
    if draw(st.booleans()):
        drug = draw(st.sampled_from(["alendronate", "risedronate", "raloxifene"]))
        record.add(medication_statement(medication=DRUGS[drug], start=iso(draw(st.integers(30, 3000)))))
    if draw(st.booleans()):
        record.add(
            prednisone_statement(
                mg_per_day=draw(st.sampled_from([2, 5, 7.5, 20])), start=iso(draw(st.integers(30, 900)))
            )
        )
    hook = draw(st.sampled_from(["patient-view", "order-select", "order-sign"]))
    ordered: frozenset[str] = frozenset()
    drafts: list[dict[str, Any]] = []
    if hook != "patient-view":
        ordered = frozenset(draw(st.sets(st.sampled_from(sorted(DRUGS)), min_size=1, max_size=3)))
        drafts = [draft_medication_request(id=f"draft-{name}", medication=DRUGS[name]) for name in sorted(ordered)]
        if draw(st.booleans()) and last_denosumab is not None and "denosumab" not in ordered:
            drafts.append(
                draft_medication_request(id="draft-stop-denosumab", medication=DENOSUMAB_60MG, status="stopped")
            )
    return Case(record, tuple(drafts), ordered, hook, renal, last_denosumab, cv is not None)


def suggested_atc_codes(cards: list[dict[str, Any]]) -> set[str]:
    return {
        coding["code"]
        for card in cards
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action.get("resource", {}).get("resourceType") == "MedicationRequest"
        for coding in action["resource"]["medicationCodeableConcept"]["coding"]
        if coding["system"] == "http://www.whocc.no/atc"
    }


def on_denosumab(case: Case) -> bool:
    return "denosumab" in case.ordered or (
        case.last_denosumab is not None and AS_OF <= add_months(case.last_denosumab, 6)
    )


def within_18_months_of_denosumab(case: Case) -> bool:
    return on_denosumab(case) or (case.last_denosumab is not None and AS_OF <= add_months(case.last_denosumab, 18))


PROPERTY_SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def lapsed_denosumab_at_crcl_24() -> Case:
    """A known counterexample (DMAB-INTERVAL-1 offers zoledronic acid): last denosumab 400 days ago, CrCl 24."""
    record = PatientRecordBuilder(birth_date="1950-01-15", gender="female").add(
        creatinine_clearance(value=24, on=iso(5)), *(denosumab_injection(on=iso(400 + 182 * n)) for n in range(3))
    )
    return Case(record, (), frozenset(), "patient-view", 24, AS_OF - timedelta(days=400), False)


LAPSED_DENOSUMAB_AT_CRCL_24 = lapsed_denosumab_at_crcl_24()

OWN_FAMILIES = ("CI-", "TX-", "DUP-")
"""Topic-code prefixes of the rules of this slice (rules.md §5, §6)."""


def assert_no_contraindicated_suggestion(case: Case, cards: list[dict[str, Any]]) -> None:
    codes = suggested_atc_codes(cards)
    if case.renal is not None and case.renal < 30:
        assert not codes & ORAL_BP_ATC, cards
    if case.renal is not None and case.renal < 35:
        assert ZOLEDRONATE_ATC not in codes, cards
    if within_18_months_of_denosumab(case):
        assert TERIPARATIDE_ATC not in codes, cards
    if case.cv_event:
        assert ROMOSOZUMAB_ATC not in codes, cards


class TestNoContraindicatedSuggestion:
    @PROPERTY_SETTINGS
    @given(case=cases())
    def test_no_contraindication_or_treatment_card_suggests_a_forbidden_drug(
        self, client: TestClient, case: Case
    ) -> None:
        cards = call_hook(client, case.hook, case.record, draft_orders=list(case.drafts), language="en")

        assert_no_contraindicated_suggestion(
            case, [card for card in cards if card["source"]["topic"]["code"].startswith(OWN_FAMILIES)]
        )

    @PROPERTY_SETTINGS
    @given(case=cases())
    @example(case=LAPSED_DENOSUMAB_AT_CRCL_24)
    def test_no_card_of_any_rule_suggests_a_forbidden_drug(self, client: TestClient, case: Case) -> None:
        cards = call_hook(client, case.hook, case.record, draft_orders=list(case.drafts), language="en")

        assert_no_contraindicated_suggestion(case, cards)


class TestContraindicatedOrdersGetTheContraindicationCard:
    @PROPERTY_SETTINGS
    @given(case=cases().filter(lambda c: c.hook != "patient-view"))
    def test_each_contraindicated_draft_order_is_flagged(self, client: TestClient, case: Case) -> None:
        cards = call_hook(client, case.hook, case.record, draft_orders=list(case.drafts))

        if case.renal is not None and case.renal < 30 and case.ordered & {"alendronate", "risedronate"}:
            assert indicators(cards, "CI-EGFR-2") == ["critical"]
        if case.renal is not None and case.renal < 35 and "zoledronate" in case.ordered:
            assert indicators(cards, "CI-EGFR-1") == ["critical"]
        if "teriparatide" in case.ordered and on_denosumab(case):
            assert indicators(cards, "CI-TPTD-1") == ["critical"]
        elif "teriparatide" in case.ordered and within_18_months_of_denosumab(case):
            assert indicators(cards, "CI-TPTD-1") == ["warning"]
        if "romosozumab" in case.ordered and case.cv_event:
            assert indicators(cards, "CI-ROMO-1") == ["critical"]


class TestSummariesStayShort:
    @PROPERTY_SETTINGS
    @given(case=cases())
    def test_no_summary_reaches_140_characters_in_either_language(self, client: TestClient, case: Case) -> None:
        for language in ("nl", "en"):
            cards = call_hook(client, case.hook, case.record, draft_orders=list(case.drafts), language=language)
            for card in cards:
                assert len(card["summary"]) < SUMMARY_MAX_CHARS, card["summary"]
                topic = card["source"]["topic"]["code"]
                if topic.startswith(("CI-", "TX-", "DUP-")):
                    assert not card["summary"].endswith("…"), f"{topic} summary was cut: {card['summary']}"


def test_a_glucocorticoid_user_at_crcl_25_is_not_offered_an_oral_bisphosphonate(client: TestClient) -> None:
    record = PatientRecordBuilder(birth_date="1955-01-15", gender="female").add(
        creatinine_clearance(value=25, on=iso(10)),
        prednisone_statement(mg_per_day=10, start=iso(200)),
    )
    cards = call_hook(client, "patient-view", record)

    assert cards_for(cards, "GC-START-1")  # the GC rule fires for this patient
    assert not suggested_atc_codes(cards) & ORAL_BP_ATC
