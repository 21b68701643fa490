"""The rule reference a CDS committee reviews: docs/rules.md is exactly what `osteo-cds rules` writes, and
GET /rules serves the same reference as a self-contained HTML page with the deployment's parameter values."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.catalogs import CARDS_DIR
from app.cli import main
from app.config import Settings
from app.main import create_app
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules.parameters import GuidelineParameters
from app.rules_reference import render_markdown, rule_reference

REPOSITORY = Path(__file__).resolve().parent.parent
COMMITTED = REPOSITORY / "docs" / "rules.md"


def _generated(profile: str = "nl") -> str:
    return render_markdown(rule_reference(profile, GuidelineParameters()), profile)


def test_committed_rule_reference_matches_the_generated_one() -> None:
    committed = COMMITTED.read_text(encoding="utf-8")

    assert committed == _generated(), "docs/rules.md is stale: run `.venv/bin/osteo-cds rules -o docs/rules.md`"


def test_the_command_writes_the_reference_to_a_file_and_to_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "rules.md"

    assert main(["rules", "--profile", "nl", "-o", str(target)]) == 0
    assert main(["rules", "--profile", "nl"]) == 0

    assert target.read_text(encoding="utf-8") == capsys.readouterr().out == _generated()


def test_every_rule_has_its_section_with_id_family_and_every_card_variant_in_both_languages() -> None:
    reference = _generated()

    for rule in OSTEOPOROSIS_RULES:
        section = reference.split(f"\n### {rule.id}: ", 1)[1].split("\n### ", 1)[0]
        assert "**Family:** " in section and "**Population and logic**" in section, rule.id
        template = tomllib.loads((CARDS_DIR / f"{rule.id}.toml").read_text(encoding="utf-8"))
        for name, variant in template["variants"].items():
            assert f"- variant `{name}` ({variant['indicator']}" in section, (rule.id, name)
        assert section.count("  - nl: ") == section.count("  - en: ") == len(template["variants"]), rule.id


def test_a_rule_shows_the_thresholds_and_parameters_its_code_uses_with_their_sources() -> None:
    # DMAB-INTERVAL-1 compares against the 6-month dosing interval (S2) and the 7-month critical delay
    dmab_interval = next(entry for entry in rule_reference("nl") if entry.id == "DMAB-INTERVAL-1")

    names = {threshold.name for threshold in dmab_interval.thresholds}
    assert {"DMAB_INTERVAL_M", "DMAB_CRITICAL_M"} <= names
    assert all(threshold.citation for threshold in dmab_interval.thresholds)


def test_parameter_values_follow_the_profile() -> None:
    # TPTD_MAX_M (C-14): 24 months in NL (S4/S0), 18 in BE (S2)
    def teriparatide_max(profile: str) -> str:
        entry = next(entry for entry in rule_reference(profile) if entry.id == "ANABOLIC-5")
        return next(use.value for use in entry.parameters if use.name == "teriparatide_max_months")

    assert (teriparatide_max("nl"), teriparatide_max("be")) == ("24", "18")


def test_tests_are_listed_by_the_files_that_name_the_rule_id(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text('"""DMAB-STOP-1: a vignette."""\n', encoding="utf-8")
    (tests / "test_b.py").write_text('"""DMAB-STOP-10 and xDMAB-STOP-1 are other names."""\n', encoding="utf-8")

    entry = next(entry for entry in rule_reference("nl", tests_dir=tests) if entry.id == "DMAB-STOP-1")

    assert entry.tests == ("tests/test_a.py",)


def test_the_reference_holds_no_machine_paths() -> None:
    reference = _generated()

    assert str(REPOSITORY) not in reference
    assert not re.search(r"(?m)(^|[\s(`])/(home|tmp|work|usr|Users)/", reference)


@pytest.fixture
def belgian_client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"profile": "be"})))


def test_get_rules_serves_the_reference_as_a_self_contained_page_with_strict_headers(client: TestClient) -> None:
    response = client.get("/rules")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    page = response.text
    assert "<script" not in page and not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    for rule in OSTEOPOROSIS_RULES:
        assert f'<section id="{rule.id}">' in page, rule.id


def test_get_rules_shows_the_deployments_profile_values(belgian_client: TestClient) -> None:
    with belgian_client as client:
        page = client.get("/rules").text

    anabolic_5 = page.split('<section id="ANABOLIC-5">', 1)[1].split("</section>", 1)[0]
    assert "<code>teriparatide_max_months</code> = <code>18</code>" in anabolic_5


def test_development_notes_in_a_docstring_are_not_shown_as_logic() -> None:
    from app.rules.model import Hook, NotApplicable, Rule, RuleContext
    from app.rules_reference import _logic

    def evaluate(ctx: RuleContext) -> NotApplicable:
        """When: a stopped course (issue 16). Then: one critical card."""
        return NotApplicable("X-1", "never")

    rule = Rule("X-1", "x", frozenset({Hook.PATIENT_VIEW}), frozenset({"nl"}), (), evaluate)

    assert _logic(rule) == "When: a stopped course. Then: one critical card."
