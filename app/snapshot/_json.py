"""Small typed accessors for FHIR JSON. They never raise: a value of the wrong shape reads as absent.

Part of the snapshot builder (the only code that reads FHIR fields).
"""

from __future__ import annotations

import math
from typing import Any

from app.fhir.record import ParsedJson

__all__ = [
    "CodingKey",
    "codings",
    "concept_texts",
    "get_bool",
    "get_dict",
    "get_dicts",
    "get_number",
    "get_str",
    "get_strs",
    "resource_id",
    "resource_type",
    "status_code",
]

Json = ParsedJson
"""A JSON object as parsing gives it: a ``dict`` (:data:`app.fhir.record.ParsedJson`; the snapshot reads some 1,000
fields per call). ``build.py`` admits only ``dict`` resources."""
CodingKey = tuple[str | None, str | None]


def get_dict(obj: Json | None, key: str) -> Json | None:
    """``obj[key]`` when it is a JSON object."""
    if obj is None:
        return None
    value = obj.get(key)
    # The exact type first: parsed JSON is never a subclass.
    return value if type(value) is dict or isinstance(value, dict) else None


def get_dicts(obj: Json | None, key: str) -> list[Json]:
    """The JSON objects in the list ``obj[key]`` (other items are skipped)."""
    if obj is None:
        return []
    value = obj.get(key)
    if value is None or (type(value) is not list and not isinstance(value, list)):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, dict)]


def get_str(obj: Json | None, key: str) -> str | None:
    """``obj[key]`` when it is a non-empty string (stripped)."""
    if obj is None:
        return None
    value = obj.get(key)
    if type(value) is str or isinstance(value, str):  # the exact type first: parsed JSON is never a subclass
        return value.strip() or None
    return None


def get_strs(obj: Json | None, key: str) -> list[str]:
    """The non-empty strings in the list ``obj[key]``."""
    if obj is None:
        return []
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def get_number(obj: Json | None, key: str) -> float | None:
    """``obj[key]`` when it is a finite JSON number (booleans are not numbers)."""
    if obj is None:
        return None
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is float:  # the common case first: parsed JSON gives exact floats and ints (bool is not int here)
        return value if math.isfinite(value) else None
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int | float)):
        return None  # (an exact int, the other common case, is a number: no further type checks)
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def get_bool(obj: Json | None, key: str) -> bool | None:
    """``obj[key]`` when it is a JSON boolean."""
    if obj is None:
        return None
    value = obj.get(key)
    return value if isinstance(value, bool) else None


def codings(concept: Json | None) -> list[CodingKey]:
    """``(system, code)`` of every coding of a CodeableConcept (a bare Coding is accepted too)."""
    if concept is None:
        return []
    # get_dicts(concept, "coding") and get_str of each "code" and "system", inlined: this runs for every coding of
    # every resource.
    listed = concept.get("coding")
    items: list[Any] = listed if isinstance(listed, list) else []  # of anything: only the objects are codings
    found: list[CodingKey] = []
    any_coding = False
    for coding in items:
        if type(coding) is not dict and not isinstance(coding, dict):
            continue
        any_coding = True
        code = coding.get("code")
        if isinstance(code, str) and (code := code.strip()):
            system = coding.get("system")
            found.append(((system.strip() or None) if isinstance(system, str) else None, code))
    if not any_coding and ("code" in concept or "system" in concept):
        return codings({"coding": [concept]})  # a bare Coding
    return found


def status_code(concept: Json | None) -> str | None:
    """The code of the first coding of a status CodeableConcept (``clinicalStatus``, ``verificationStatus``)."""
    for _, code in codings(concept):
        return code
    return None


def concept_texts(concept: Json | None) -> list[str]:
    """``text`` and every coding ``display`` of a CodeableConcept."""
    if concept is None:
        return []
    text = get_str(concept, "text")
    texts = [text] if text else []
    items = get_dicts(concept, "coding")
    for coding in items:
        display = coding.get("display")  # get_str, inlined: this runs for every coding of every medication
        if isinstance(display, str) and (display := display.strip()):
            texts.append(display)
    if not items and (d := get_str(concept, "display")):
        texts.append(d)
    return texts


def resource_type(resource: Json) -> str:
    """``resourceType`` (``"Unknown"`` when absent or not a string)."""
    return get_str(resource, "resourceType") or "Unknown"


def resource_id(resource: Json) -> str | None:
    """``id`` when it is a string."""
    return get_str(resource, "id")
