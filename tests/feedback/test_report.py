"""``osteo-cds report``: what a hospital's CDS committee reads, per rule and service, from the feedback store.

The clinic: in the last 30 days patient-view showed a bone-health card led by TX-IND-1 (start treatment) with
LIFE-1 (lifestyle advice) folded into it, twice; the prescriber accepted one and overrode the other with a coded
reason. A silent-policy rule (DX-CLIN-1) fired once without a card. Two months ago a card was shown that the report
for the last 30 days must not count. Feedback arrived on a card the store never recorded (lost in an outage).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import format_report, main, parse_since, write_report_csv
from app.feedback import FeedbackStore, IssuedCard, IssuedFinding
from app.hooks.schemas import FeedbackItem

PATIENT_VIEW = "osteoporosis-patient-view"
ORDER_SELECT = "osteoporosis-order-select"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def bone_health_card(uuid: str) -> IssuedCard:
    return IssuedCard(
        uuid,
        "TX-IND-1",
        PATIENT_VIEW,
        "start",
        {},
        findings=(
            IssuedFinding("TX-IND-1", "start", "warning", "main"),
            IssuedFinding("LIFE-1", "advice", "info", "folded"),
        ),
    )


def silent_finding(uuid: str) -> IssuedCard:
    return IssuedCard(
        uuid,
        "DX-CLIN-1",
        PATIENT_VIEW,
        "clinical",
        {},
        findings=(IssuedFinding("DX-CLIN-1", "clinical", "info", "silent"),),
        shown=False,
    )


def feedback(card: str, outcome: str, *, code: str | None = None, minute: int = 0) -> FeedbackItem:
    item: dict[str, object] = {
        "card": card,
        "outcome": outcome,
        "outcomeTimestamp": f"2025-06-01T10:{minute:02d}:00Z",
    }
    if outcome == "accepted":
        item["acceptedSuggestions"] = [{"id": "sugg-1"}]
    elif code:
        item["overrideReason"] = {"reason": {"system": "http://example.org/reasons", "code": code}}
    return FeedbackItem.model_validate(item)


@pytest.fixture
def clinic_store(database_url: str) -> str:
    store = FeedbackStore(database_url)
    store.record_issued([bone_health_card("card-old")], issued_at=NOW - timedelta(days=60))
    store.record_issued(
        [bone_health_card("card-a"), bone_health_card("card-b"), silent_finding("silent-1")],
        issued_at=NOW - timedelta(days=2),
    )
    store.store_feedback(
        PATIENT_VIEW,
        [
            feedback("card-a", "accepted"),
            feedback("card-b", "overridden", code="patient-refuses", minute=1),
            feedback("card-old", "overridden", code="already-treated", minute=2),
        ],
        received_at=NOW - timedelta(days=1),
    )
    store.store_feedback(ORDER_SELECT, [feedback("lost-card", "overridden", minute=3)], received_at=NOW)
    store.close()
    return database_url


def report(database_url: str) -> dict[tuple[str, str], dict[str, str]]:
    store = FeedbackStore(database_url)
    try:
        rows = store.report_per_rule(NOW - timedelta(days=30))
    finally:
        store.close()
    out = io.StringIO()
    write_report_csv(rows, out)
    return {(row["rule_id"], row["service_id"]): row for row in csv.DictReader(io.StringIO(out.getvalue()))}


class TestReportPerRuleAndService:
    def test_the_main_finding_counts_as_fired_shown_accepted_and_overridden_by_reason(self, clinic_store: str) -> None:
        assert report(clinic_store)[("TX-IND-1", PATIENT_VIEW)] == {
            "rule_id": "TX-IND-1",
            "service_id": PATIENT_VIEW,
            "fired": "2",
            "shown": "2",
            "shown_main": "2",
            "shown_folded": "0",
            "silent": "0",
            "accepted": "1",
            "overridden": "1",
            "override_reasons": "patient-refuses=1",
        }

    def test_a_folded_finding_shares_the_feedback_of_the_card_that_held_it(self, clinic_store: str) -> None:
        row = report(clinic_store)[("LIFE-1", PATIENT_VIEW)]

        assert (row["fired"], row["shown_main"], row["shown_folded"]) == ("2", "0", "2")
        assert (row["accepted"], row["overridden"]) == ("1", "1")

    def test_a_silent_policy_finding_fired_but_was_not_shown(self, clinic_store: str) -> None:
        row = report(clinic_store)[("DX-CLIN-1", PATIENT_VIEW)]

        assert (row["fired"], row["shown"], row["silent"]) == ("1", "0", "1")

    def test_cards_issued_before_the_period_are_not_counted(self, clinic_store: str) -> None:
        rows = report(clinic_store)

        assert "already-treated" not in rows[("TX-IND-1", PATIENT_VIEW)]["override_reasons"]
        store = FeedbackStore(clinic_store)
        try:
            everything = {(r.rule_id, r.service_id): r for r in store.report_per_rule(NOW - timedelta(days=90))}
        finally:
            store.close()
        assert everything[("TX-IND-1", PATIENT_VIEW)].fired == 3
        assert everything[("TX-IND-1", PATIENT_VIEW)].override_reasons == {
            "already-treated": 1,
            "patient-refuses": 1,
        }

    def test_feedback_on_a_card_never_recorded_is_reported_as_unknown_without_a_reason(self, clinic_store: str) -> None:
        row = report(clinic_store)[("(unknown)", ORDER_SELECT)]

        assert (row["fired"], row["overridden"], row["override_reasons"]) == ("0", "1", "(none)=1")


class TestTheCommand:
    def test_the_table_lists_each_rule_and_says_that_snoozes_are_not_counted(
        self, clinic_store: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["report", "--since", "3650d", "--database-url", clinic_store]) == 0

        out = capsys.readouterr().out
        lines = out.splitlines()
        assert lines[0].split() == [
            "rule",
            "service",
            "fired",
            "shown",
            "main",
            "folded",
            "silent",
            "accepted",
            "overridden",
            "reasons",
        ]
        tx_ind = next(line for line in lines if line.startswith("TX-IND-1"))
        assert tx_ind.split()[:9] == ["TX-IND-1", PATIENT_VIEW, "3", "3", "3", "0", "0", "1", "2"]
        assert "Snoozed cards are not recorded" in out

    def test_csv_to_a_file(self, clinic_store: str, tmp_path: Path) -> None:
        target = tmp_path / "report.csv"

        arguments = ["report", "--since", "2000-01-01", "--csv", "--database-url", clinic_store, "-o", str(target)]

        assert main(arguments) == 0

        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert {row["rule_id"] for row in rows} == {"TX-IND-1", "LIFE-1", "DX-CLIN-1", "(unknown)"}

    def test_an_empty_period_says_so(self) -> None:
        assert "(nothing recorded in this period)" in format_report([], since=NOW)

    def test_a_period_that_cannot_be_read_is_refused(self, clinic_store: str) -> None:
        assert main(["report", "--since", "last month", "--database-url", clinic_store]) == 2


class TestSince:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("30d", NOW - timedelta(days=30)),
            ("12h", NOW - timedelta(hours=12)),
            ("2w", NOW - timedelta(weeks=2)),
            ("2025-05-01", datetime(2025, 5, 1, tzinfo=UTC)),
        ],
    )
    def test_periods_and_dates(self, value: str, expected: datetime) -> None:
        assert parse_since(value, now=NOW) == expected
