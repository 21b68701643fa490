"""How the suite runs on every core (pytest-xdist, ``addopts`` in pyproject.toml): each group of tests that shares a
server started once per test process runs on one worker, every other test wherever a worker is free."""

from __future__ import annotations

import tomllib

from app.main import ROOT
from tests.conftest import SHARED_SESSION_SERVERS, unit_of_work


def test_the_tests_sharing_the_fhir_server_are_one_unit_of_work() -> None:
    units = {
        unit_of_work("tests/integration/test_patient_library.py::TestTheLibraryIsWellFormed::test_ids[01-gc-62f]"),
        unit_of_work("tests/integration/test_assessment_in_a_browser.py::test_the_page[nl-(te laat)]"),
    }
    assert units == {"fhir-server"}


def test_the_integration_tests_against_hapi_fhir_are_a_unit_of_their_own() -> None:
    on_hapi = {
        unit_of_work("tests/integration/test_hooks_against_fhir_server.py::TestPaging::test_pages[hapi]"),
        unit_of_work("tests/integration/test_patient_library.py::TestLoads::test_loads[01-gc-62f-hapi]"),
    }
    assert on_hapi == {"fhir-server-hapi"}
    assert unit_of_work("tests/integration/test_hooks_against_fhir_server.py::TestPaging::test_pages[sekmet]") == (
        "fhir-server"
    )
    assert unit_of_work("tests/integration/test_patient_library.py::TestIds::test_ids[17-chapin-78f]") == "fhir-server"


def test_the_demo_tests_start_their_own_servers_and_are_units_of_their_own() -> None:
    for nodeid in (
        "tests/integration/test_demo.py::test_the_demo_shows_the_cards_of_every_patient_and_stops[hapi]",
        "tests/integration/test_demo.py::test_ctrl_c_with_keep_running_stops_the_fhir_server_and_the_service",
    ):
        assert unit_of_work(nodeid) == nodeid


def test_the_tests_sharing_the_postgresql_cluster_are_one_unit_of_work() -> None:
    assert unit_of_work("tests/feedback/test_report.py::TestSince::test_periods[postgresql]") == "postgresql"
    assert unit_of_work("tests/feedback/test_feedback.py::test_x[sqlite]") == "postgresql"
    assert set(SHARED_SESSION_SERVERS) == {"integration", "feedback"}


def test_every_other_test_is_a_unit_of_its_own() -> None:
    for nodeid in (
        "tests/rules/test_denosumab.py::TestOverdue::test_seven_months",
        "tests/test_serve.py::test_a_port_in_use_fails_at_once",
        "tests/hooks/test_integration_like_name.py::test_feedback",
    ):
        assert unit_of_work(nodeid) == nodeid


def test_the_suite_runs_on_every_core_with_that_grouping() -> None:
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"][
        "addopts"
    ].split()
    assert addopts[addopts.index("-n") + 1] == "auto"
    assert addopts[addopts.index("--dist") + 1] == "loadgroup"  # the grouping of tests/conftest.py applies
