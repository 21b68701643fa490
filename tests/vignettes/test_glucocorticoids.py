"""Glucocorticoid vignettes V06–V16 (shared/clinical/vignettes.md §B) end to end: hook request with complete
prefetch in, cards out. Today is 2025-06-01, profile NL, default configuration unless a vignette says otherwise.

Only the rules of the glucocorticoid family are asserted (other families' cards may appear as well).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.main import create_app
from app.rules.parameters import GuidelineParameters
from tests.builders.cds import (
    PatientRecordBuilder,
    call_hook,
    card_holding,
    cards_for,
    finding_rules,
    findings,
    full_assessment,
    indicators,
)
from tests.builders.fhir import (
    PREDNISONE_5MG,
    atc,
    creatinine_clearance,
    denosumab_injection,
    dosage,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_statement,
    oral_bisphosphonate_intolerance,
    prednisone_statement,
)
from tests.conftest import AS_OF

Json = dict[str, Any]
GC_RULES = (
    "GC-GEN-1",
    "GC-START-1",
    "GC-START-2",
    "GC-START-3",
    "GC-START-4",
    "GC-START-5",
    "GC-PARENT-1",
    "GC-SWITCH-1",
    "GC-STOP-1",
    "GC-LEGACY-1",
)
PREDNISOLONE = atc("H02AB06", "prednisolone")
METHYLPREDNISOLONE = atc("H02AB04", "methylprednisolone")


@pytest.fixture
def client_with(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A client whose guideline parameters differ from the defaults (e.g. ``gc_dose_high_inclusive=False``)."""
    opened: list[TestClient] = []

    def make(**guideline: Any) -> TestClient:
        app = create_app(settings.model_copy(update={"guideline": GuidelineParameters(**guideline)}))
        app.dependency_overrides[get_as_of] = lambda: AS_OF
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def gc_cards(cards: list[Json]) -> list[str]:
    """The glucocorticoid-family rule IDs among the findings the cards hold, in response order."""
    return [rule for rule in finding_rules(cards) if rule in GC_RULES]


def variant(cards: list[Json], rule_id: str) -> str:
    [finding] = [finding for finding in findings(cards) if finding["rule"] == rule_id]
    return str(finding["variant"])


def gc_order(*, medication: Json = PREDNISONE_5MG, mg: float = 10, days: float | None = 180) -> Json:
    return draft_medication_request(
        medication=medication, dosages=[dosage(dose=mg, unit="mg", ucum="mg")], expected_supply_days=days
    )


def gc_statement(*, medication: Json = PREDNISONE_5MG, mg: float = 10, start: str, **kw: Any) -> Json:
    return medication_statement(
        medication=medication, start=start, dosages=[dosage(dose=mg, unit="mg", ucum="mg")], **kw
    )


def alendronate(start: str) -> Json:
    return medication_statement(
        medication=atc("M05BA04", "alendronic acid"),
        start=start,
        dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
    )


def alendronate_order() -> Json:
    return draft_medication_request(
        medication=atc("M05BA04", "alendronic acid"), dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")]
    )


def dxa(
    *, on: str = "2025-05-15", ls: float | None = None, fn: float | None = None, th: float | None = None
) -> list[Json]:
    sites = (("lumbar-spine", ls), ("femoral-neck", fn), ("total-hip", th))
    return [dxa_t_score(site=site, value=value, on=on) for site, value in sites if value is not None]


def dxa_of(sites: dict[str, float]) -> list[Json]:
    return dxa(ls=sites.get("ls"), fn=sites.get("fn"), th=sites.get("th"))


# ----------------------------------------------------------------------------------------------------------------


class TestV06PrednisoneStartedIn55YearOldWoman:
    """55-year-old woman starting prednisone 10 mg/day for an expected 6 months; no bone drug, no DXA, CrCl 80."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1970-01-15", gender="female").add(
            creatinine_clearance(value=80, on="2025-05-01")
        )

    def test_start_now_general_measures_and_dxa_needed_for_the_parenteral_criteria(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[gc_order()])

        assert indicators(cards, "GC-START-1") == ["warning"]
        assert indicators(cards, "GC-GEN-1") == ["info"]
        assert indicators(cards, "GC-PARENT-1") == ["info"]
        assert variant(cards, "GC-PARENT-1") == "missing"
        assert sorted(gc_cards(cards)) == ["GC-GEN-1", "GC-PARENT-1", "GC-START-1"]

    def test_first_choice_is_an_oral_bisphosphonate_with_a_baseline_dxa(self, client: TestClient) -> None:
        [card] = cards_for(
            call_hook(client, "order-select", self.record(), draft_orders=[gc_order()], language="en"), "GC-START-1"
        )

        assert card["summary"].startswith("Prednisone-eq. 10 mg/day ≥3 months at age ≥50")
        assert [s["label"] for s in card["suggestions"]] == [
            "Start alendronic acid 70 mg weekly + colecalciferol 800 IU daily",
            "Start risedronic acid 35 mg weekly + colecalciferol 800 IU daily",
            "Start calcium carbonate 1250 mg (500 mg calcium) daily if the diet falls short",
            "Order DXA + VFA as baseline",
        ]

    def test_adding_the_bisphosphonate_ends_the_start_card_and_asks_for_vitamin_d(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[gc_order(), alendronate_order()])

        assert indicators(cards, "GC-START-1") == []
        assert indicators(cards, "VITD-2") == ["info"]

    def test_v06b_the_superseded_s0_rule_only_when_switched_on(
        self, client: TestClient, client_with: Callable[..., TestClient]
    ) -> None:
        default = call_hook(client, "order-select", self.record(), draft_orders=[gc_order()])
        legacy = call_hook(
            client_with(gc_legacy_enabled=True), "order-select", self.record(), draft_orders=[gc_order()]
        )

        assert indicators(default, "GC-LEGACY-1") == []
        assert indicators(legacy, "GC-LEGACY-1") == ["info"]
        assert variant(legacy, "GC-LEGACY-1") == "dxa"  # age < 70, 7.5 < dose < 15: "advies DEXA scan"
        assert indicators(legacy, "GC-START-1") == ["warning"]  # S4 still decides


class TestV07ExactlySevenAndAHalfMilligrams:
    """58-year-old man, prednisolone 7.5 mg for 12 months."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1967-03-10", gender="male")

    def order(self) -> Json:
        return gc_order(medication=PREDNISOLONE, mg=7.5, days=365)

    def test_default_inclusive_threshold_treats_directly(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[self.order()])

        assert indicators(cards, "GC-START-1") == ["warning"]
        assert indicators(cards, "GC-START-4") == []

    def test_strict_plan_wording_puts_7_5_mg_in_the_low_band_never_uncovered(
        self, client_with: Callable[..., TestClient]
    ) -> None:
        cards = call_hook(
            client_with(gc_dose_high_inclusive=False), "order-select", self.record(), draft_orders=[self.order()]
        )

        assert indicators(cards, "GC-START-1") == []
        assert indicators(cards, "GC-START-4") == ["warning"]
        assert variant(cards, "GC-START-4") == "missing"


class TestV09MethylprednisoloneWithRecentRadiusFracture:
    """45-year-old woman, methylprednisolone 8 mg/day (10 mg prednisone-eq.) for 6 months, radius fracture 14 months
    ago, no DXA."""

    def test_starts_directly_and_the_parenteral_rule_does_not_apply_below_50(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1980-02-01", gender="female").add(
            fracture(site="forearm", on="2024-04-01")
        )

        cards = call_hook(
            client, "order-select", record, draft_orders=[gc_order(medication=METHYLPREDNISOLONE, mg=8, days=182)]
        )

        assert indicators(cards, "GC-START-2") == ["warning"]
        assert "Dosis (mg prednison-equivalent per dag): 10" in cards_for(cards, "GC-START-2")[0]["detail"]
        assert indicators(cards, "GC-PARENT-1") == []
        assert indicators(cards, "GC-START-3") == []
        assert indicators(cards, "GC-START-1") == []


class TestV10DxaDrivenDecisionAt45:
    """45-year-old man, prednisone 10 mg/day for 1 year, no fracture."""

    def record(self, *resources: Json) -> PatientRecordBuilder:
        record = PatientRecordBuilder(birth_date="1980-01-20", gender="male")
        return record.add(prednisone_statement(mg_per_day=10, start="2024-06-01"), *resources)

    @pytest.mark.parametrize(
        ("sites", "indicator", "expected"),
        [
            pytest.param({"ls": -2.1, "fn": -1.6}, "warning", "start", id="V10a-T-2.1-start"),
            pytest.param({"ls": -1.9, "fn": -1.5}, "info", "no-drug", id="V10b-T-1.9-no-drug"),
            pytest.param({"ls": -2.0, "fn": -1.5}, "warning", "start", id="V10c-T-exactly-2.0-start"),
        ],
    )
    def test_t_score_decides(self, client: TestClient, sites: dict[str, float], indicator: str, expected: str) -> None:
        cards = call_hook(client, "patient-view", self.record(*dxa_of(sites)))

        assert indicators(cards, "GC-START-3") == [indicator]
        assert variant(cards, "GC-START-3") == expected
        assert indicators(cards, "GC-START-2") == []

    def test_v10d_without_dxa_asks_for_dxa_and_vfa(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(), language="en")

        [card] = cards_for(cards, "GC-START-3")
        assert card["indicator"] == "warning"
        assert (
            card["summary"]
            == "Age 40-49 on prednisone-eq. ≥7.5 mg ≥3 months: DXA + VFA needed to decide on bone protection."
        )
        assert [s["label"] for s in card["suggestions"]] == ["Order DXA + VFA"]


class TestV11LowDoseFromAge40:
    @pytest.mark.parametrize(
        ("sites", "indicator"),
        [
            pytest.param({"ls": -2.3}, "warning", id="V11a-T-2.3-start"),
            pytest.param({"ls": -1.5, "th": -1.2}, "info", id="V11b-no-drug"),
        ],
    )
    def test_62_year_old_woman_on_5_mg_for_two_years(
        self, client: TestClient, sites: dict[str, float], indicator: str
    ) -> None:
        record = PatientRecordBuilder(birth_date="1963-01-10", gender="female").add(
            prednisone_statement(mg_per_day=5, start="2023-06-01"), *dxa_of(sites)
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "GC-START-4") == [indicator]
        assert indicators(cards, "GC-START-1") == []  # no direct start at this dose, also at ≥ 50

    def record_v11c(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1983-02-01", gender="female").add(
            prednisone_statement(mg_per_day=2.5, start="2024-06-01"), *dxa(fn=-2.2)
        )

    def test_v11c_exactly_2_5_mg_is_in_the_low_band_by_default(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record_v11c())

        assert indicators(cards, "GC-START-4") == ["warning"]
        assert indicators(cards, "GC-START-5") == []

    def test_v11c_with_the_plan_wording_2_5_mg_is_outside_the_scheme(
        self, client_with: Callable[..., TestClient]
    ) -> None:
        cards = call_hook(client_with(gc_dose_low_inclusive=False), "patient-view", self.record_v11c())

        assert indicators(cards, "GC-START-4") == []
        assert indicators(cards, "GC-START-5") == ["info"]


class TestV12OutsideTheScheme:
    def test_v12a_35_year_old_man_on_30_mg(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1990-01-01", gender="male")

        cards = call_hook(client, "order-select", record, draft_orders=[gc_order(mg=30, days=122)])

        assert indicators(cards, "GC-START-5") == ["info"]
        assert indicators(cards, "GC-GEN-1") == ["info"]
        assert sorted(gc_cards(cards)) == ["GC-GEN-1", "GC-START-5"]

    def test_v12b_70_year_old_woman_on_2_mg_for_years(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1955-01-01", gender="female").add(
            prednisone_statement(mg_per_day=2, start="2019-01-01")
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "GC-START-5") == ["info"]
        assert variant(cards, "GC-START-5") == "low-dose"
        assert indicators(cards, "GC-START-1") == indicators(cards, "GC-START-4") == []


class TestV13And14ParenteralCriteria:
    def test_v13_78_year_old_woman_age_75_is_a_criterion(
        self, client: TestClient, client_with: Callable[..., TestClient]
    ) -> None:
        record = PatientRecordBuilder(birth_date="1947-01-01", gender="female").add(
            prednisone_statement(mg_per_day=10, start="2024-12-01"), *dxa(ls=-1.9, fn=-1.5)
        )

        cards = call_hook(client, "patient-view", record, language="en")
        without_age = call_hook(client_with(gc_parenteral_age75=False), "patient-view", record)

        assert indicators(cards, "GC-START-1") == ["warning"]
        assert indicators(cards, "GC-PARENT-1") == ["info"]
        assert "Very high risk: age ≥ 75 years: 78" in full_assessment(client, card_holding(cards, "GC-PARENT-1"))
        assert indicators(without_age, "GC-PARENT-1") == []

    def test_v14_60_year_old_man_on_20_mg(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1965-01-01", gender="male").add(
            prednisone_statement(mg_per_day=20, start="2025-02-01"),
            *dxa(ls=-1.0, fn=-1.0),
            creatinine_clearance(value=70, on="2025-05-01"),
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "GC-START-1") == ["warning"]
        [parent] = cards_for(cards, "GC-PARENT-1")
        assert parent["indicator"] == "info"
        page = full_assessment(client, card_holding(cards, "GC-PARENT-1"))
        assert "Zeer hoog risico: prednison-eq. ≥ 15 mg/dag: 20" in page
        # folded into the GC-START-1 card; the parenteral options are listed on the full assessment
        assert all(drug in page for drug in ("zoledroninezuur", "denosumab", "teriparatide"))


class TestV15GlucocorticoidStopped:
    def stopped(self, *, start: str = "2023-02-01", end: str = "2025-02-01") -> Json:
        return gc_statement(start=start, status="completed") | {"effectivePeriod": {"start": start, "end": end}}

    def test_v15a_t_minus_2_6_continue(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1959-01-01", gender="female").add(
            self.stopped(), alendronate("2023-02-15"), *dxa(ls=-2.6)
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "GC-STOP-1") == ["info"]
        assert variant(cards, "GC-STOP-1") == "continue"

    def test_v15b_no_criterion_stop(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1966-01-01", gender="male").add(
            self.stopped(start="2023-06-01"), alendronate("2023-12-01"), *dxa(ls=-2.0, th=-1.7)
        )

        cards = call_hook(client, "patient-view", record, language="en")

        [card] = cards_for(cards, "GC-STOP-1")
        assert (card["indicator"], variant(cards, "GC-STOP-1")) == ("info", "stop")
        assert card["summary"].startswith("GC stopped; no T ≤ -2.5")

    def test_v15c_denosumab_is_never_a_plain_stop(self, client: TestClient) -> None:
        injections = [denosumab_injection(on=day) for day in ("2023-06-15", "2023-12-15", "2024-06-15", "2024-12-15")]
        record = PatientRecordBuilder(birth_date="1966-01-01", gender="male").add(
            self.stopped(start="2023-06-01"), *injections, *dxa(ls=-2.0, th=-1.7)
        )

        cards = call_hook(client, "patient-view", record)

        assert variant(cards, "GC-STOP-1") == "denosumab"
        assert indicators(cards, "GC-STOP-1") == ["warning"]

    def test_v15d_no_dxa_since_the_stop(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1959-01-01", gender="female").add(
            self.stopped(), alendronate("2023-02-15"), *dxa(ls=-2.0, on="2024-10-01")
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "GC-STOP-1") == ["info"]
        assert variant(cards, "GC-STOP-1") == "missing"

    def test_signing_the_stop_order_asks_for_dxa_and_vfa(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1959-01-01", gender="female").add(
            gc_statement(start="2023-02-01"), alendronate("2023-02-15")
        )
        stop = gc_order() | {"status": "stopped"}

        cards = call_hook(client, "order-sign", record, draft_orders=[stop])

        assert indicators(cards, "GC-STOP-1") == ["info"]
        assert indicators(cards, "GC-START-1") == []


class TestV16GcUserWhoCannotTakeTheOralBisphosphonate:
    """70-year-old GC user (prednisone 10 mg) on alendronate."""

    def record(self, *resources: Json) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1955-01-01", gender="female").add(
            prednisone_statement(mg_per_day=10, start="2024-01-01"), alendronate("2024-03-01"), *resources
        )

    def test_upper_gi_intolerance_prescribes_the_second_choice(self, client: TestClient) -> None:
        record = self.record(
            creatinine_clearance(value=60, on="2025-05-01"),
            oral_bisphosphonate_intolerance(id="ai-gi", onset="2025-02-01", manifestation="Upper abdominal pain"),
        )

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "GC-SWITCH-1") == ["warning"]
        [card] = cards_for(cards, "GC-SWITCH-1")
        assert card["summary"].startswith("GC patient does not tolerate the oral bisphosphonate")
        labels = [suggestion["label"] for suggestion in card["suggestions"]]
        assert len(labels) == 2  # the card offers the first two; every option is on the full assessment
        page = full_assessment(client, card)
        assert all(f"Start {drug}" in page for drug in ("teriparatide", "zoledronic", "denosumab"))
        assert "alendronic acid oral solution" in page  # the SWITCH-GI-1 option, in the explanation
        assert "alendronate: Upper abdominal pain (2025-02-01)" in page
        # V16: GC-SWITCH-1 takes precedence over the general SWITCH-GI-1 (and the TX-CHOICE-2 list, C-55)
        assert indicators(cards, "SWITCH-GI-1") == []
        assert indicators(cards, "TX-CHOICE-2") == []

    def test_re_ordering_alendronate_despite_the_intolerance_prescribes_the_second_choice(
        self, client: TestClient
    ) -> None:
        record = self.record(
            creatinine_clearance(value=60, on="2025-05-01"), oral_bisphosphonate_intolerance(onset="2025-02-01")
        )

        cards = call_hook(client, "order-select", record, draft_orders=[alendronate_order()])

        assert indicators(cards, "GC-SWITCH-1") == ["warning"]
        assert indicators(cards, "SWITCH-GI-1") == []

    def test_a_renal_contraindication_prescribes_the_second_choice(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(creatinine_clearance(value=25, on="2025-05-01")))

        assert indicators(cards, "GC-SWITCH-1") == ["warning"]
        page = full_assessment(client, card_holding(cards, "GC-SWITCH-1"))
        assert "Start denosumab 60 mg sc elke 6 maanden + colecalciferol 800 IE per dag" in page
        assert "Start zoledroninezuur" not in page and "Start teriparatide" not in page

    def test_an_oral_bisphosphonate_ordered_for_a_gc_user_with_crcl_25(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1955-01-01", gender="female").add(
            prednisone_statement(mg_per_day=10, start="2024-01-01"), creatinine_clearance(value=25, on="2025-05-01")
        )

        cards = call_hook(client, "order-select", record, draft_orders=[alendronate_order()])

        assert indicators(cards, "GC-SWITCH-1") == ["warning"]
        assert indicators(cards, "GC-START-1") == []  # the drug being ordered counts as bone protection


def prednisone_with(dose: Json, *, birth_date: str = "1958-04-01") -> PatientRecordBuilder:
    """A 67-year-old woman on prednisone since 2024-09-01 (9 months) with the given dosage."""
    record = PatientRecordBuilder(birth_date=birth_date, gender="female")
    record.add(medication_statement(medication=PREDNISONE_5MG, status="active", start="2024-09-01", dosages=[dose]))
    return record


class TestInvalidDoseDataIsNeverTreatedAsReal:
    """Issue 16 defect 4: a frequency or dose of zero or below, or an implausible period, makes the dose unknown
    (the card says so), never a low-dose band; an absurd computed dose is implausible, never "very high risk"."""

    @pytest.mark.parametrize(
        "dose",
        [
            pytest.param(dosage(dose=10, frequency=0), id="frequency-zero-per-day"),
            pytest.param(dosage(dose=10, frequency=-1), id="frequency-negative"),
            pytest.param(dosage(dose=0), id="dose-zero-mg"),
            pytest.param(dosage(dose=-10), id="dose-negative"),
            pytest.param(dosage(dose=10, period=1000, period_unit="a"), id="once-per-thousand-years"),
        ],
    )
    def test_prednisone_with_an_invalid_dosage_gets_the_dose_unknown_card(self, client: TestClient, dose: Json) -> None:
        cards = call_hook(client, "patient-view", prednisone_with(dose), language="en")

        assert indicators(cards, "GC-GEN-1") == ["info"]
        page = full_assessment(client, card_holding(cards, "GC-GEN-1"))
        assert "glucocorticoid daily dose (prednisone-equivalent)" in page  # listed as missing
        for rule_id in ("GC-START-4", "GC-START-5"):  # the dose bands
            assert indicators(cards, rule_id) == [], rule_id
        assert indicators(cards, "GC-START-1") in ([], ["info"])  # at most "if ≥ 7.5 mg/day is expected…"

    def test_prednisone_every_millisecond_is_implausible_not_very_high_risk(self, client: TestClient) -> None:
        record = prednisone_with(dosage(dose=10, period=0.001, period_unit="s"))

        cards = call_hook(client, "patient-view", record, language="en")

        assert "glucocorticoid daily dose (prednisone-equivalent)" in full_assessment(
            client, card_holding(cards, "GC-GEN-1")
        )
        assert indicators(cards, "GC-START-1") in ([], ["info"])  # not "start bone protection now"
        assert indicators(cards, "GC-PARENT-1") == []  # no "≥ 15 mg/day" very-high-risk criterion

    def test_prednisone_50_grams_a_day_is_implausible_not_very_high_risk(self, client: TestClient) -> None:
        record = prednisone_with(dosage(dose=50000))

        cards = call_hook(client, "patient-view", record, language="en")

        assert "glucocorticoid daily dose (prednisone-equivalent)" in full_assessment(
            client, card_holding(cards, "GC-GEN-1")
        )
        assert indicators(cards, "GC-START-1") in ([], ["info"])  # not "start bone protection now"
        assert indicators(cards, "GC-PARENT-1") == []  # no "≥ 15 mg/day" very-high-risk criterion

    def test_a_start_date_written_in_arabic_indic_digits_is_invalid_not_parsed(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1958-04-01", gender="female")
        record.add(
            medication_statement(
                medication=PREDNISONE_5MG, status="active", start="٢٠٢٤-٠٩-٠١", dosages=[dosage(dose=10)]
            )
        )

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "GC-START-1") in ([], ["info"])  # start unknown: not "≥ 3 months, start now"
        assert "2024-09-01" not in str(cards)
