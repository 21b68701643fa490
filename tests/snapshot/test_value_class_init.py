"""The value classes of the snapshot construct as their dataclass ``__init__`` would, and stay frozen (issue 20:
``model.store_fields_through_slots``)."""

from __future__ import annotations

import dataclasses
import inspect
from types import FunctionType
from typing import Any

import pytest

from app.snapshot import model
from app.snapshot.model import _SLOT_INIT_CLASSES, store_fields_through_slots
from tests.builders.compiled import COMPILED, pure_python_only


def _reference_init(cls: type) -> Any:
    """The ``__init__`` ``@dataclass(frozen=True, slots=True)`` writes for the same fields."""
    twin = dataclasses.make_dataclass(
        f"Twin{cls.__name__}",
        [(f.name, Any, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
        frozen=True,
        slots=True,
    )
    return twin


_SENTINELS_NEED_PURE_PYTHON = pure_python_only(
    "native attributes check each value's type (and store a float unboxed): the untyped sentinels given here "
    "cannot be stored; test_value_classes_rebuild_from_their_fields covers the compiled build"
)


@_SENTINELS_NEED_PURE_PYTHON
@pytest.mark.parametrize("cls", _SLOT_INIT_CLASSES, ids=lambda c: c.__name__)
def test_slot_init_sets_every_field_positionally_and_by_keyword(cls: type) -> None:
    assert vars(cls)["__init__"].__code__.co_filename == "<string>"  # the slot __init__ is in place
    specs = dataclasses.fields(cls)
    values = {f.name: object() for f in specs}
    by_position = cls(*values.values())
    by_keyword = cls(**values)
    for spec in specs:
        assert getattr(by_position, spec.name) is values[spec.name]
        assert getattr(by_keyword, spec.name) is values[spec.name]
    assert by_position == by_keyword
    assert dataclasses.replace(by_keyword) == by_keyword


@_SENTINELS_NEED_PURE_PYTHON
@pytest.mark.parametrize("cls", _SLOT_INIT_CLASSES, ids=lambda c: c.__name__)
def test_slot_init_has_the_dataclass_signature_and_defaults(cls: type) -> None:
    twin = _reference_init(cls)
    ours = inspect.signature(vars(cls)["__init__"]).parameters
    theirs = inspect.signature(twin.__init__).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
    required = {f.name: object() for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING}
    built = cls(**required)
    for spec in dataclasses.fields(cls):
        assert getattr(built, spec.name) is required.get(spec.name, spec.default)


@_SENTINELS_NEED_PURE_PYTHON
@pytest.mark.parametrize("cls", _SLOT_INIT_CLASSES, ids=lambda c: c.__name__)
def test_value_classes_stay_frozen(cls: type) -> None:
    instance = cls(**{f.name: None for f in dataclasses.fields(cls)})
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(instance, first, 1)
    with pytest.raises(TypeError):
        cls()  # required fields stay required
    with pytest.raises(TypeError):
        cls(**{f.name: None for f in dataclasses.fields(cls)}, not_a_field=1)


def test_classes_the_generated_init_treats_specially_keep_theirs() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithPostInit:
        value: int

        def __post_init__(self) -> None:
            object.__setattr__(self, "value", self.value + 1)

    @dataclasses.dataclass(frozen=True)
    class WithoutSlots:
        value: int

    for cls in (WithFactory, WithPostInit, WithoutSlots):
        before = cls.__init__
        store_fields_through_slots(cls)
        assert cls.__init__ is before
    assert WithPostInit(1).value == 2
    value_classes: tuple[type, ...] = _SLOT_INIT_CLASSES
    assert model.ClinicalSnapshot not in value_classes


def _instances(value: object, found: dict[type, list[object]]) -> None:
    """Every value-class instance reachable from ``value`` (a snapshot), by class."""
    if isinstance(value, tuple | list):
        for item in value:
            _instances(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value) in _SLOT_INIT_CLASSES:
            found.setdefault(type(value), []).append(value)
        for spec in dataclasses.fields(value):
            _instances(getattr(value, spec.name), found)


def test_value_classes_rebuild_from_their_fields() -> None:
    """In both builds (pure and compiled): the instances the builder made construct again from their field values,
    by position and by keyword, to equal instances, and stay frozen."""
    from tests.builders.fhir import (  # noqa: PLC0415
        calcium,
        dosage,
        dxa_bmd,
        dxa_t_score,
        egfr,
        fracture,
        medication_statement,
        prednisone_statement,
        rxnorm,
        vitamin_d,
    )
    from tests.rules._support import snapshot  # noqa: PLC0415

    built = snapshot(
        prednisone_statement(mg_per_day=15, start="2024-09-01"),
        medication_statement(
            medication=rxnorm("904431", "alendronic acid 70 MG Oral Tablet"),
            start="2020-06-01",
            dosages=[dosage(dose=70, frequency=1, period=1, period_unit="wk")],
        ),
        dxa_t_score(site="lumbar-spine", value=-2.2, on="2025-01-15"),
        dxa_bmd(site="lumbar-spine", g_per_cm2=0.80, on="2025-01-15"),
        fracture(site="vertebral", on="2024-11-02"),
        calcium(value=2.35, reference_range=(2.2, 2.6), on="2025-05-01"),
        egfr(value=28, on="2025-05-01"),
        vitamin_d(value=18, on="2024-02-01"),
        born="1950-03-10",
    )
    found: dict[type, list[object]] = {}
    _instances(built, found)
    expected = {"SourceRef", "ClinicalDate", "DataGap", "TScore", "DxaStudy", "Fracture", "TherapyHistory"}
    assert expected <= {cls.__name__ for cls in found}, sorted(cls.__name__ for cls in found)
    for cls, instances in found.items():
        for instance in instances:
            values = {spec.name: getattr(instance, spec.name) for spec in dataclasses.fields(cls)}
            assert cls(*values.values()) == instance, cls.__name__
            assert cls(**values) == instance, cls.__name__
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(instance, next(iter(values)), values[next(iter(values))])


def test_each_value_class_writes_its_init_out_and_the_compiled_build_keeps_it_native() -> None:
    """The class's own ``__init__`` is what the compiled build runs (native: not a Python function); the pure build
    runs the slot ``__init__`` in its place (checked above)."""
    for cls in _SLOT_INIT_CLASSES:
        assert "__init__" in vars(cls), cls.__name__
        init = vars(cls)["__init__"]
        if COMPILED:
            assert not isinstance(init, FunctionType), cls.__name__
        else:
            assert init.__code__.co_filename == "<string>", cls.__name__


@pytest.mark.parametrize(
    ("signature", "fault"),
    [
        ("self, value: int, unit: str = 'g'", "a default that differs"),
        ("self, unit: str, value: int", "the fields in another order"),
        ("self, value: int", "a field left out"),
        ("self, value: int, *, unit: str = 'mg'", "a field by keyword only"),
    ],
)
def test_an_init_written_out_that_does_not_take_the_fields_fails_at_import(signature: str, fault: str) -> None:
    namespace: dict[str, Any] = {}
    exec(  # a class as a module would write it, with an __init__ that has drifted from its fields
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True, slots=True)\n"
        "class Drifted:\n"
        "    value: int\n"
        "    unit: str = 'mg'\n"
        f"    def __init__({signature}) -> None:\n"
        "        object.__setattr__(self, 'value', value)\n",
        namespace,
    )
    with pytest.raises(TypeError, match="Drifted.__init__ takes"):
        store_fields_through_slots(namespace["Drifted"])
