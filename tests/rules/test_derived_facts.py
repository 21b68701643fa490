"""Remembered derived facts: a :func:`~app.snapshot.model.derived_fact` of a snapshot and a
:func:`~app.rules.model.context_fact` of a rule context answer exactly what the direct computation answers, on
snapshots of other dates and settings too, and each snapshot or context remembers its own answers.

The remembered functions are found by inspection (every ``derived_fact`` / ``context_fact`` of the snapshot model
and the rule modules), so that a new one is covered without being listed here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from app.rules import osteoporosis
from app.rules.model import Hook, RuleContext, context_fact
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot, DxaStatus, derived_fact, derived_property
from tests.builders.fhir import (
    calcium,
    denosumab_injection,
    dosage,
    dxa_bmd,
    dxa_t_score,
    egfr,
    fracture,
    medication_statement,
    prednisone_statement,
    rxnorm,
    vitamin_d,
    zoledronate_infusion,
)
from tests.rules._support import snapshot

ALENDRONATE_70MG = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


def _code(function: object) -> object:
    """What tells the remembering wrappers apart: a function's code; in the compiled build (mypyc), where a wrapper
    has no code object, its type (one per wrapper function)."""
    return getattr(function, "__code__", type(function))


_DERIVED_CODE = frozenset(
    {
        _code(derived_fact(lambda snapshot: snapshot)),
        _code(derived_fact(lambda snapshot, parameters: parameters)),
    }
)
_CONTEXT_CODE = frozenset({_code(context_fact(lambda ctx: ctx))})


def _remembered(function: object, codes: frozenset[object]) -> bool:
    return _code(function) in codes and hasattr(function, "__wrapped__")


def _modules() -> list[ModuleType]:
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    return [
        importlib.import_module(f"{osteoporosis.__name__}.{info.name}")
        for info in pkgutil.iter_modules(osteoporosis.__path__)
    ]


def _snapshot_facts() -> dict[str, Callable[[ClinicalSnapshot], Any]]:
    """Every remembered property or no-argument method of the snapshot, by name → its direct computation."""
    facts: dict[str, Callable[[ClinicalSnapshot], Any]] = {}
    for name, member in vars(ClinicalSnapshot).items():
        function = member.fget if isinstance(member, property | derived_property) else member
        if function is not None and _remembered(function, _DERIVED_CODE):
            facts[name] = function
    return facts


def _rule_facts(codes: frozenset[object]) -> dict[str, Callable[..., Any]]:
    """Every remembered function of the rule modules, by qualified name."""
    return {
        f"{function.__module__}.{function.__qualname__}": function
        for module in _modules()
        for function in vars(module).values()
        if _remembered(function, codes)
    }


def _patients() -> dict[str, ClinicalSnapshot]:
    """Snapshots that give the derived facts something to derive (GC user with DXA and fractures; courses of
    alendronate, zoledronate and denosumab; labs), and an empty record."""
    gc_user = snapshot(
        prednisone_statement(mg_per_day=15, start="2024-09-01"),
        dxa_t_score(site="lumbar-spine", value=-2.2, on="2025-01-15"),
        dxa_t_score(site="femoral-neck", value=-2.6, on="2025-01-15"),
        dxa_bmd(site="lumbar-spine", g_per_cm2=0.80, on="2025-01-15"),
        fracture(site="vertebral", on="2024-11-02"),
        fracture(site="forearm", on="2019-03-02"),
        calcium(value=2.35, reference_range=(2.2, 2.6), on="2025-05-01"),
        egfr(value=28, on="2025-05-01"),
        vitamin_d(value=18, on="2024-02-01"),
        born="1950-03-10",
    )
    alendronate = snapshot(
        medication_statement(
            medication=ALENDRONATE_70MG,
            start="2020-06-01",
            dosages=[dosage(dose=70, frequency=1, period=1, period_unit="wk")],
        ),
        dxa_t_score(site="lumbar-spine", value=-2.1, on="2020-05-01"),
        dxa_bmd(site="lumbar-spine", g_per_cm2=0.90, on="2020-05-01"),
        dxa_t_score(site="lumbar-spine", value=-2.4, on="2025-05-15"),
        dxa_bmd(site="lumbar-spine", g_per_cm2=0.84, on="2025-05-15"),
        fracture(site="hip", on="2023-04-01"),
        born="1948-07-01",
        sex="male",
    )
    parenteral = snapshot(
        zoledronate_infusion(on="2021-02-01"),
        zoledronate_infusion(on="2022-02-01"),
        zoledronate_infusion(on="2023-02-01"),
        denosumab_injection(on="2024-12-01"),
        dxa_t_score(site="total-hip", value=-3.6, on="2019-01-15"),
        born="1940-01-01",
    )
    return {"gc-user": gc_user, "alendronate": alendronate, "parenteral": parenteral, "empty": snapshot()}


def _variants(base: ClinicalSnapshot) -> dict[str, ClinicalSnapshot]:
    """The snapshot, and copies of it on other dates and with other settings (each starts with its own memo)."""
    return {
        "as built": base,
        "a year later": replace(base, as_of=date(2026, 6, 1)),
        "six years later": replace(base, as_of=date(2031, 6, 1)),
        "other settings": replace(
            base, dxa_stale_years=2, dxa_decision_max_age_months=6, therapy_gap_days=30, assume_postmenopausal_age=60
        ),
    }


PATIENTS = _patients()
SNAPSHOTS = [
    pytest.param(variant, id=f"{patient}-{label}")
    for patient, base in PATIENTS.items()
    for label, variant in _variants(base).items()
]
PARAMETERS = [
    GuidelineParameters(),
    GuidelineParameters(bbc_apply_to_men=False, egfr_ci_zoledronate_ml_min=30, failure_definition="bbc"),
]


def _fresh(snap: ClinicalSnapshot) -> ClinicalSnapshot:
    """An equal snapshot with empty memos: what the direct computation runs on."""
    return replace(snap)


class TestTheMemosAreFound:
    def test_the_snapshot_and_the_rules_have_remembered_facts(self) -> None:
        assert {"dxa_status", "latest_dxa", "current_glucocorticoid", "_therapy_by_drug"} <= set(_snapshot_facts())
        assert any(name.endswith(".contraindicated_drugs") for name in _rule_facts(_DERIVED_CODE))
        assert any(name.endswith("._course") for name in _rule_facts(_CONTEXT_CODE))


class TestSnapshotFacts:
    @pytest.mark.parametrize("snap", SNAPSHOTS)
    def test_each_remembered_fact_equals_its_direct_computation(self, snap: ClinicalSnapshot) -> None:
        snap = _fresh(snap)
        for name, direct in _snapshot_facts().items():
            expected = direct(_fresh(snap))
            first = getattr(snap, name)
            answer = first() if callable(first) else first
            again = getattr(snap, name)
            assert answer == expected, name
            assert (again() if callable(again) else again) is answer, name  # remembered, not recomputed

    @pytest.mark.parametrize("snap", SNAPSHOTS)
    def test_therapy_and_is_on_answer_for_every_drug_as_the_histories_say(self, snap: ClinicalSnapshot) -> None:
        from app.snapshot.model import Drug  # noqa: PLC0415

        for drug in Drug:
            histories = [h for h in snap.therapies if h.drug is drug]
            assert snap.therapy(drug) is (histories[0] if histories else None)
            assert snap.is_on(drug) is (bool(histories) and histories[0].is_current)

    def test_a_copy_on_another_date_does_not_share_the_answers(self) -> None:
        base = _fresh(PATIENTS["gc-user"])
        assert base.dxa_status is DxaStatus.DECISION_OK
        later = replace(base, as_of=date(2031, 6, 1))

        assert later.dxa_status is DxaStatus.STALE
        assert base.dxa_status is DxaStatus.DECISION_OK
        shorter = replace(base, dxa_decision_max_age_months=3)
        assert shorter.dxa_status is DxaStatus.USABLE_FOR_CONTEXT


class TestRuleFacts:
    @pytest.mark.parametrize("snap", SNAPSHOTS)
    @pytest.mark.parametrize("parameters", PARAMETERS)
    def test_each_remembered_fact_of_a_snapshot_equals_its_direct_computation(
        self, snap: ClinicalSnapshot, parameters: GuidelineParameters
    ) -> None:
        snap = _fresh(snap)
        for name, function in _rule_facts(_DERIVED_CODE).items():
            direct: Callable[..., Any] = function.__wrapped__  # type: ignore[attr-defined]
            arguments = (parameters,) if "parameters" in inspect.signature(direct).parameters else ()
            expected = direct(_fresh(snap), *arguments)
            answer = function(snap, *arguments)
            assert answer == expected, name
            assert function(snap, *arguments) is answer, name

    def test_the_parameters_are_part_of_the_key(self) -> None:
        from app.rules.osteoporosis.predicates import contraindicated_drugs  # noqa: PLC0415
        from app.snapshot.model import Drug  # noqa: PLC0415

        snap = _fresh(PATIENTS["gc-user"])  # eGFR 28: below both zoledronate thresholds
        moderate = replace(snap, renal_function=replace(snap.renal_function, ml_per_min=32))  # type: ignore[type-var]

        assert Drug.ZOLEDRONATE in contraindicated_drugs(moderate, GuidelineParameters(egfr_ci_zoledronate_ml_min=35))
        assert Drug.ZOLEDRONATE not in contraindicated_drugs(
            moderate, GuidelineParameters(egfr_ci_zoledronate_ml_min=30)
        )
        assert Drug.ZOLEDRONATE in contraindicated_drugs(moderate, GuidelineParameters(egfr_ci_zoledronate_ml_min=35))

    def test_equal_but_distinct_parameters_give_the_same_answer(self) -> None:
        from app.rules.osteoporosis.predicates import contraindicated_drugs  # noqa: PLC0415

        snap = _fresh(PATIENTS["gc-user"])
        first = contraindicated_drugs(snap, GuidelineParameters())

        assert contraindicated_drugs(snap, GuidelineParameters()) == first
        assert contraindicated_drugs(snap, GuidelineParameters(egfr_ci_zoledronate_ml_min=35)) == first

    def test_a_derived_fact_takes_its_arguments_by_position(self) -> None:
        from app.rules.osteoporosis.predicates import contraindicated_drugs  # noqa: PLC0415

        with pytest.raises(TypeError, match="by position"):
            contraindicated_drugs(_fresh(PATIENTS["gc-user"]), parameters=GuidelineParameters())

    @pytest.mark.parametrize("snap", SNAPSHOTS)
    @pytest.mark.parametrize("parameters", PARAMETERS)
    @pytest.mark.parametrize("hook", list(Hook))
    def test_each_remembered_fact_of_a_context_equals_its_direct_computation(
        self, snap: ClinicalSnapshot, parameters: GuidelineParameters, hook: Hook
    ) -> None:
        resolved = parameters.for_profile("nl")
        ctx = RuleContext(snapshot=_fresh(snap), hook=hook, parameters=resolved, profile="nl")
        for name, function in _rule_facts(_CONTEXT_CODE).items():
            direct: Callable[[RuleContext], Any] = function.__wrapped__  # type: ignore[attr-defined]
            fresh = RuleContext(snapshot=_fresh(snap), hook=hook, parameters=resolved, profile="nl")
            answer = function(ctx)
            assert answer == direct(fresh), name
            assert function(ctx) is answer, name
