"""The value classes of the snapshot construct as their dataclass ``__init__`` would, and stay frozen (issue 20:
``model.store_fields_through_slots``)."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from app.snapshot import model
from app.snapshot.model import _SLOT_INIT_CLASSES, store_fields_through_slots


def _reference_init(cls: type) -> Any:
    """The ``__init__`` ``@dataclass(frozen=True, slots=True)`` writes for the same fields."""
    twin = dataclasses.make_dataclass(
        f"Twin{cls.__name__}",
        [(f.name, Any, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
        frozen=True,
        slots=True,
    )
    return twin


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
