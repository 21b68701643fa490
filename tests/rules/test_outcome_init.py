"""The outcome parts the rules create by the dozen construct as their dataclass ``__init__`` would, and stay
frozen (issue 20: ``app.rules.model._SLOT_INIT_CLASSES``, through the snapshot's ``store_fields_through_slots``)."""

from __future__ import annotations

import dataclasses
import inspect
from types import FunctionType
from typing import Any

import pytest

from app.rules.model import _SLOT_INIT_CLASSES, CannotAssess, Evidence, NotApplicable, Recommendation
from tests.builders.compiled import COMPILED, pure_python_only


def _twin(cls: type) -> Any:
    """A class with the ``__init__`` that ``@dataclass(frozen=True, slots=True)`` writes for the same fields."""
    return dataclasses.make_dataclass(
        f"Twin{cls.__name__}",
        [(f.name, Any, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
        frozen=True,
        slots=True,
    )


def test_the_outcome_parts_made_per_rule_have_the_slot_init() -> None:
    """Pure build: the slot ``__init__``; compiled build: their own ``__init__``, native (not a Python function)."""
    assert set(_SLOT_INIT_CLASSES) == {Evidence, NotApplicable}
    for cls in _SLOT_INIT_CLASSES:
        init = vars(cls)["__init__"]
        if COMPILED:
            assert not isinstance(init, FunctionType), cls.__name__
        else:
            assert any(name.startswith("_set_") for name in init.__code__.co_names), cls.__name__
    for keeps_its_own in (Recommendation, CannotAssess):  # a default_factory keeps the dataclass one, in both builds
        assert not any(name.startswith("_set_") for name in vars(keeps_its_own)["__init__"].__code__.co_names)


@pure_python_only(
    "native attributes check each value's type: the untyped sentinels given here cannot be stored; "
    "test_the_usual_constructions and test_outcome_parts_stay_frozen_and_hashable cover the compiled build"
)
@pytest.mark.parametrize("cls", _SLOT_INIT_CLASSES, ids=lambda c: c.__name__)
def test_fields_by_position_and_keyword_signature_and_defaults(cls: type) -> None:
    specs = dataclasses.fields(cls)
    values = {f.name: object() for f in specs}
    by_position, by_keyword = cls(*values.values()), cls(**values)
    for spec in specs:
        assert getattr(by_position, spec.name) is values[spec.name]
        assert getattr(by_keyword, spec.name) is values[spec.name]
    assert by_position == by_keyword
    assert dataclasses.replace(by_keyword) == by_keyword
    ours = inspect.signature(cls).parameters.values()
    theirs = inspect.signature(_twin(cls)).parameters.values()
    assert [(p.name, p.kind, p.default) for p in ours] == [(p.name, p.kind, p.default) for p in theirs]


@pytest.mark.parametrize("cls", _SLOT_INIT_CLASSES, ids=lambda c: c.__name__)
def test_outcome_parts_stay_frozen_and_hashable(cls: type) -> None:
    instance = cls(**{f.name: "x" for f in dataclasses.fields(cls)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(instance, dataclasses.fields(cls)[0].name, "y")
    with pytest.raises(TypeError):
        cls()
    assert hash(instance) == hash(cls(**{f.name: "x" for f in dataclasses.fields(cls)}))


def test_the_usual_constructions() -> None:
    assert Evidence("age", "72") == Evidence(what="age", value="72", on=None, source=None)
    assert NotApplicable("RULE-1", "why not") == NotApplicable(rule_id="RULE-1", reason="why not")
