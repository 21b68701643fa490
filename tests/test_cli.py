"""``osteo-cds evaluate``: a patient Bundle through the service's pipeline, offline, as readable cards or JSON.

The patients are those of ``examples/patients/``, evaluated as of the library's reference date (2025-06-01).
Only GC-START-1 is asserted by ID (the rule that exists); other rules may add cards. ``osteo-cds demo`` needs a
FHIR server and runs end to end in ``tests/integration/test_demo.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import respx

from app.cli import EXIT_BAD_INPUT, main
from app.devtools.evaluate import format_card_lines, format_cards
from app.devtools.patients import LIBRARY_DIR, REFERENCE_DATE
from app.hooks.schemas import CdsResponse

AS_OF = REFERENCE_DATE.isoformat()
GC_62F = LIBRARY_DIR / "01-gc-62f-prednisolone-10mg.json"
GC_45F = LIBRARY_DIR / "04-gc-45f-methylprednisolone-fracture.json"
GC_ORDER_55F = LIBRARY_DIR / "03-gc-55f-prednisone-order.json"
PREDNISONE_ORDER = LIBRARY_DIR / "draft-orders" / "03-gc-55f-prednisone-order.json"
NO_DOSAGE_58M = LIBRARY_DIR / "09-gc-58m-prednisone-without-dosage.json"


def _evaluate_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> list[tuple[str, str]]:
    assert main(["evaluate", *map(str, args), "--as-of", AS_OF, "--json"]) == 0
    cards = CdsResponse.model_validate_json(capsys.readouterr().out).cards
    return [(card.source.topic.code if card.source.topic else "", card.indicator.value) for card in cards]


def _gc_start_1(cards: list[tuple[str, str]]) -> list[str]:
    return [indicator for rule, indicator in cards if rule == "GC-START-1"]


def _as_post_transaction(bundle: dict[str, Any]) -> dict[str, Any]:
    """The same patient as a transaction of POSTs whose references are urn:uuid fullUrls (no ids)."""
    urns = {
        f"{entry['resource']['resourceType']}/{entry['resource']['id']}": f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
        for i, entry in enumerate(bundle["entry"])
    }
    text = json.dumps(bundle)
    for reference, urn in urns.items():
        text = text.replace(f'"reference": "{reference}"', f'"reference": "{urn}"')
    posted: dict[str, Any] = json.loads(text)
    for entry in posted["entry"]:
        resource = entry["resource"]
        entry["fullUrl"] = urns[f"{resource['resourceType']}/{resource.pop('id')}"]
        entry["request"] = {"method": "POST", "url": resource["resourceType"]}
    return posted


class TestEvaluateAPatientBundle:
    def test_a_woman_of_62_on_prednisolone_10_mg_gets_the_gc_start_1_warning(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert _gc_start_1(_evaluate_json(capsys, GC_62F)) == ["warning"]

    def test_a_woman_of_45_gets_no_gc_start_1(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert _gc_start_1(_evaluate_json(capsys, GC_45F)) == []

    def test_a_glucocorticoid_without_dosage_gets_the_conditional_card(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert _gc_start_1(_evaluate_json(capsys, NO_DOSAGE_58M)) == ["info"]

    def test_the_complete_prefetch_leaves_no_data_unavailable(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert [rule for rule, _ in _evaluate_json(capsys, GC_62F) if rule == "DATA-UNAVAILABLE"] == []

    @pytest.mark.parametrize("hook", ["order-select", "order-sign"])
    def test_the_draft_prednisone_order_fires_at_the_order_hooks(
        self, capsys: pytest.CaptureFixture[str], hook: str
    ) -> None:
        cards = _evaluate_json(capsys, GC_ORDER_55F, "--hook", hook, "--draft-order", PREDNISONE_ORDER)

        assert _gc_start_1(cards) == ["warning"]

    def test_without_the_draft_order_the_same_patient_gets_no_gc_card(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert _gc_start_1(_evaluate_json(capsys, GC_ORDER_55F, "--hook", "order-sign")) == []

    def test_the_as_of_date_decides(self, capsys: pytest.CaptureFixture[str]) -> None:
        # The prednisolone started 2024-11-04: on 2024-11-10 it is six days old and no end is known, so whether
        # it will last 3 months is missing data (the conditional card), not yet the start-now warning.
        assert main(["evaluate", str(GC_62F), "--as-of", "2024-11-10", "--json"]) == 0
        cards = CdsResponse.model_validate_json(capsys.readouterr().out).cards
        indicators = [c.indicator.value for c in cards if c.source.topic and c.source.topic.code == "GC-START-1"]

        assert indicators == ["info"]

    def test_a_post_and_urn_uuid_transaction_evaluates_like_the_put_one(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        posted = tmp_path / "posted.json"
        posted.write_text(json.dumps(_as_post_transaction(json.loads(GC_62F.read_text()))), encoding="utf-8")

        assert _evaluate_json(capsys, posted) == _evaluate_json(capsys, GC_62F)

    def test_a_searchset_bundle_is_accepted(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bundle = json.loads(GC_62F.read_text())
        searchset = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": e["resource"]} for e in bundle["entry"]],
        }
        path = tmp_path / "searchset.json"
        path.write_text(json.dumps(searchset), encoding="utf-8")

        assert _gc_start_1(_evaluate_json(capsys, path)) == ["warning"]

    def test_nothing_goes_over_the_network(self, capsys: pytest.CaptureFixture[str]) -> None:
        with respx.mock(assert_all_mocked=True, assert_all_called=False) as network:
            _evaluate_json(capsys, GC_62F)

        assert network.calls.call_count == 0


class TestReadableOutput:
    def test_each_card_shows_indicator_rule_summary_detail_suggestions_and_source(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["evaluate", str(GC_62F), "--as-of", AS_OF, "--lang", "en"]) == 0
        out = capsys.readouterr().out

        assert out.startswith(f"01-gc-62f-prednisolone-10mg · patient-view · as of {AS_OF} · patient osteo-gc-62f\n")
        assert "[WARNING] GC-START-1: " in out
        # the short detail, indented, Markdown emphasis gone: key data and the "also check" line
        assert "    Glucocorticoid: prednisolone (2024-11-04); Dose (mg prednisone-equivalent per day): 10" in out
        assert "Also check: general measures with glucocorticoids" in out
        assert "    -> suggestion: Start alendronic acid 70 mg" in out
        assert "    source: " in out
        assert "**" not in out

    def test_cards_in_dutch_by_default(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["evaluate", str(GC_62F), "--as-of", AS_OF]) == 0

        assert "alendroninezuur" in capsys.readouterr().out

    def test_in_brief_each_card_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["evaluate", str(GC_62F), "--as-of", AS_OF, "--lang", "en", "--json"]) == 0
        cards = CdsResponse.model_validate_json(capsys.readouterr().out).cards
        about = "Woman 62, rheumatoid arthritis, **prednisolone 10 mg/day** " + "and a long story " * 20

        text = format_card_lines(cards, title="01-gc-62f · patient-view", about=about)

        lines = text.splitlines()
        assert lines[0] == "01-gc-62f · patient-view"
        assert lines[1].startswith("  Woman 62, rheumatoid arthritis, prednisolone 10 mg/day and a long story")
        assert len(lines[1]) <= 102
        assert len(lines) == 2 + len(cards)
        assert any(line.startswith("  [WARNING] GC-START-1: ") for line in lines[2:])

    def test_in_brief_no_cards_is_said_in_words(self) -> None:
        assert (
            format_card_lines([], title="osteo-gc-45f · patient-view") == "osteo-gc-45f · patient-view\n  (no cards)\n"
        )

    def test_no_cards_is_said_in_words(self) -> None:
        assert format_cards([], title="osteo-gc-45f · patient-view") == (
            "osteo-gc-45f · patient-view\n===========================\n(no cards)\n"
        )


class TestBadInput:
    def test_a_file_that_is_not_json(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        path = tmp_path / "broken.json"
        path.write_text("{not json", encoding="utf-8")

        assert main(["evaluate", str(path)]) == EXIT_BAD_INPUT
        assert "not JSON" in capsys.readouterr().err

    def test_json_that_is_not_a_bundle(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        path = tmp_path / "patient.json"
        path.write_text(json.dumps({"resourceType": "Patient", "id": "x"}), encoding="utf-8")

        assert main(["evaluate", str(path)]) == EXIT_BAD_INPUT
        assert "expected a FHIR Bundle" in capsys.readouterr().err

    def test_a_bundle_without_a_patient(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bundle = json.loads(GC_62F.read_text())
        bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
        path = tmp_path / "no-patient.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")

        assert main(["evaluate", str(path)]) == EXIT_BAD_INPUT
        assert "exactly one Patient, found 0" in capsys.readouterr().err

    def test_a_missing_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        assert main(["evaluate", str(tmp_path / "nowhere.json")]) == EXIT_BAD_INPUT
        assert "cannot read" in capsys.readouterr().err

    @pytest.mark.parametrize(
        "args",
        [
            pytest.param(["evaluate", str(GC_62F), "--as-of", "01-06-2025"], id="as-of-not-iso"),
            pytest.param(["evaluate", str(GC_62F), "--hook", "order-dispatch"], id="unknown-hook"),
            pytest.param(["evaluate", str(GC_62F), "--lang", "fr"], id="unsupported-language"),
            pytest.param(["demo", "--port", "70000"], id="port-out-of-range"),
        ],
    )
    def test_bad_arguments_exit_with_2(self, args: list[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            main(args)

        assert exited.value.code == 2
