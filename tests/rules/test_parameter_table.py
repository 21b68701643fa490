"""One parameter table (issue 16): every parameter of the catalog once, with its value per profile, unit, conflict
and source. Copies of one concept in two places had drifted apart (EGFR_CI_ORAL_BP, T_OP_CUTOFF, the GC-STOP-1
T-score, the recent-fracture window, days per month)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from app.fhir.record import PatientRecord
from app.rules.model import Hook, Recommendation, RuleContext, Threshold
from app.rules.osteoporosis import thresholds
from app.rules.osteoporosis.monitoring import MON_DXA_1
from app.rules.osteoporosis.predicates import hypocalcaemia
from app.rules.parameters import GuidelineParameters
from app.rules_reference import parameter_table
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from tests.builders.fhir import calcium, dxa_t_score, medication_statement, patient, rxnorm
from tests.builders.shared import shared_text
from tests.rules._support import AS_OF, catalog

Json = dict[str, Any]
ALENDRONATE = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")

APP_RULES = Path(__file__).resolve().parents[2] / "app" / "rules"
TABLE_MODULE = APP_RULES / "osteoporosis" / "thresholds.py"


def _table() -> list[Threshold]:
    return [value for value in vars(thresholds).values() if isinstance(value, Threshold)]


def test_every_threshold_is_defined_in_the_table_module_and_nowhere_else() -> None:
    defining = sorted(
        path.relative_to(APP_RULES).as_posix()
        for path in APP_RULES.rglob("*.py")
        if path != TABLE_MODULE
        and any(
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Threshold"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )

    assert defining == [], f"thresholds defined outside app/rules/osteoporosis/thresholds.py: {defining}"


def test_each_catalog_parameter_has_one_row() -> None:
    names = Counter(row.name for row in parameter_table())

    assert [name for name, count in names.items() if count > 1] == []


def test_each_threshold_names_its_source_with_a_guideline_quote_or_marks_it_not_in_the_sources() -> None:
    unsourced = [
        t.name
        for t in _table()
        if not t.quotes and not re.search(r"\[NIS|\[INF", t.citation) and "NIS]" not in t.citation
    ]

    assert unsourced == []


def test_a_conflict_named_by_a_row_is_a_conflicts_md_id() -> None:
    known = set(re.findall(r"^\| (C-\d\d) \|", shared_text("clinical/conflicts.md"), re.M))

    for t in _table():
        for conflict in filter(None, (c.strip() for c in t.conflict.split(","))):
            assert conflict in known, (t.name, conflict)


def test_a_threshold_setting_names_a_guideline_setting() -> None:
    for t in _table():
        assert not t.setting or t.setting in GuidelineParameters.model_fields, (t.name, t.setting)


def test_every_parameter_of_the_catalog_section_2_is_in_the_table() -> None:
    section = shared_text("clinical/rules.md").split("## 2. Configuration parameters", 1)[1].split("\n## ", 1)[0]
    catalog = {
        name for cell in re.findall(r"^\| `([^|]+)` \|", section, re.M) for name in re.findall(r"[A-Z_0-9]+", cell)
    }
    catalog -= {
        "JURISDICTION",
        "_LATE_W",
    }  # the profile itself; the second half of "DMAB_TRANSITION_WINDOW_EARLY_W / _LATE_W"
    table_text = " ".join(f"{row.name} {row.setting} {row.source}" for row in parameter_table())

    missing = sorted(name for name in catalog if name not in table_text)

    assert missing == []


class TestProfileValues:
    """The value per profile lives in the table; the guideline settings resolve their ``None`` from it."""

    def test_teriparatide_maximum_is_24_months_in_nl_and_18_in_be(self) -> None:
        assert (thresholds.TPTD_MAX_MONTHS.in_profile("nl"), thresholds.TPTD_MAX_MONTHS.in_profile("be")) == (24, 18)
        assert GuidelineParameters().for_profile("be").teriparatide_max_months == 18
        assert GuidelineParameters().for_profile("nl").teriparatide_max_months == 24

    def test_oral_holiday_follow_up_is_2_years_in_nl_and_5_in_be(self) -> None:
        assert GuidelineParameters().for_profile("nl").bp_holiday_followup_years_oral == 2
        assert GuidelineParameters().for_profile("be").bp_holiday_followup_years_oral == 5

    def test_a_deployment_setting_still_wins_over_the_profile_value(self) -> None:
        assert GuidelineParameters(teriparatide_max_months=24).for_profile("be").teriparatide_max_months == 24


class TestSnapshotSettingsReachTheRules:
    """``DXA_STALE_YEARS`` and ``LAB_MAX_AGE_D`` are snapshot settings; the rules read them from the snapshot instead
    of a second copy of the number (MON-DXA-1 had its own 5 years, LAB-1 and CI-HYPOCA-1 their own 90 days)."""

    def _snapshot(self, parameters: SnapshotParameters, *resources: Json) -> ClinicalSnapshot:
        record = PatientRecord(
            patient=patient(birth_date="1950-01-15", gender="female"),
            resources=(medication_statement(medication=ALENDRONATE, start="2021-06-01"), *resources),
            draft_orders=(),
            selections=(),
            unavailable=(),
        )
        return build_snapshot(record, catalog=catalog(), as_of=AS_OF, parameters=parameters)

    def test_a_four_year_old_dxa_is_overdue_for_a_site_that_calls_a_dxa_stale_after_three_years(self) -> None:
        four_years_old = dxa_t_score(value=-2.6, on="2021-05-01")
        context = partial(RuleContext, hook=Hook.PATIENT_VIEW, parameters=GuidelineParameters().for_profile("nl"))

        default = MON_DXA_1.evaluate(context(snapshot=self._snapshot(SnapshotParameters(), four_years_old)))
        three = MON_DXA_1.evaluate(
            context(snapshot=self._snapshot(SnapshotParameters(dxa_stale_years=3), four_years_old))
        )

        assert isinstance(default, Recommendation) and default.variant == "consider"
        assert isinstance(three, Recommendation) and three.variant == "overdue"

    def test_a_calcium_of_60_days_is_too_old_for_the_hypocalcaemia_check_with_a_30_day_lab_age(self) -> None:
        low_calcium = calcium(value=1.9, on="2025-04-02", reference_range=(2.15, 2.55))

        assert hypocalcaemia(self._snapshot(SnapshotParameters(), low_calcium)) is True
        assert hypocalcaemia(self._snapshot(SnapshotParameters(lab_max_age_days=30), low_calcium)) is None


def test_no_rule_module_hard_codes_the_length_of_a_month_or_year() -> None:
    """Days per month and per year are snapshot settings (terminology.md §6.3 pitfall 4); a rule reads
    ``snapshot.days_per_month`` / ``days_per_year``, never 30.4375 or 365.25 (two rule modules did)."""
    literals = sorted(
        f"{path.relative_to(APP_RULES).as_posix()}:{node.lineno}"
        for path in APP_RULES.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in (30.4375, 365.25, 30.44, 365.2425)
    )

    assert literals == []
