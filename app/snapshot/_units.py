"""Unit normalisation for the snapshot builder (terminology.md §1.5, §2, §3, §6.2, §6.3).

Units are read from ``Quantity.code`` (UCUM) first, then ``Quantity.unit``; comparison is case-insensitive and
ignores spaces. Conversions are by unit, never by LOINC code (terminology.md §2).
"""

from __future__ import annotations

import math

from app.snapshot._json import Json, get_dicts, get_number, get_str

__all__ = [
    "ALBUMIN_REFERENCE_G_PER_L",
    "CORRECTION_MMOL_PER_G",
    "albumin_g_per_l",
    "bmd_g_per_cm2",
    "calcium_mmol_per_l",
    "creatinine_umol_per_l",
    "duration_days",
    "is_count_unit",
    "mass_concentration_ng_per_l",
    "mass_mg",
    "normalised_unit",
    "quantity_value",
    "renal_ml_per_min",
    "t_score_value",
    "unit_days",
    "vitamin_d_ng_per_ml",
    "volume_ml",
]

# terminology.md §3.3, SI formula: corrected Ca (mmol/L) = Ca + 0.02 × (40 − albumin g/L).
CORRECTION_MMOL_PER_G = 0.02
ALBUMIN_REFERENCE_G_PER_L = 40.0

# G-Standaard base-units thesaurus 902, code 245 = "stuk" (terminology.md §0 and §5.3).
_GSTD_UNITS_SYSTEM = "urn:oid:2.16.840.1.113883.2.4.4.1.900.2"
_GSTD_PIECE = "245"

# terminology.md §6.2 / §6.3 pitfalls 1, 2 and 17: count units (and no unit at all, as in Synthea).
_COUNT_UNITS = frozenset(
    {
        "",
        "1",
        "{tbl}",
        "tbl",
        "tab",
        "tabs",
        "{tab}",
        "tablet",
        "tablets",
        "{tablet}",
        "{tablets}",
        "stuk",
        "stuks",
        "{stuk}",
        "{stuks}",
        "capsule",
        "capsules",
        "{capsule}",
        "{capsules}",
        "cap",
        "caps",
        "{cap}",
        "{caps}",
        # Counts of the dose form as clients send them (issue 17): in UCUM an {annotation} is the unit 1, so
        # {pill} (the CDS Hooks Sandbox) and {each} are counts; "pill(s)" / "tab(s)" arrive as unit text only.
        "{pill}",
        "{pills}",
        "pill",
        "pills",
        "pill(s)",
        "{each}",
        "each",
        "tab(s)",
        "tablet(s)",
        "cap(s)",
        "capsule(s)",
    }
)
_MASS_TO_MG = {"mg": 1.0, "ug": 0.001, "µg": 0.001, "μg": 0.001, "mcg": 0.001, "g": 1000.0}


def normalised_unit(quantity: Json | None) -> str:
    """Lower-cased unit without spaces: UCUM ``code`` if present, else ``unit``, else ``""``."""
    if quantity is None:
        return ""
    raw = quantity.get("code")  # get_str, inlined: this runs for every Quantity read
    if not (isinstance(raw, str) and (raw := raw.strip())):
        raw = get_str(quantity, "unit") or ""
    return raw.replace(" ", "").lower()


def quantity_value(quantity: Json | None) -> float | None:
    """``Quantity.value`` as a finite number."""
    if quantity is not None:
        value = quantity.get("value")
        if type(value) is float and math.isfinite(value):  # the common case, without the get_number layer
            return value
    return get_number(quantity, "value")


def _has_gstd_piece_translation(quantity: Json) -> bool:
    for extension in get_dicts(quantity, "extension"):
        for key in ("valueCoding", "valueQuantity"):
            value = extension.get(key)
            if isinstance(value, dict):
                if get_str(value, "system") == _GSTD_UNITS_SYSTEM and get_str(value, "code") == _GSTD_PIECE:
                    return True
    return False


def is_count_unit(quantity: Json | None) -> bool:
    """The dose is a number of units (tablets, "stuk", UCUM ``1``, or no unit at all)."""
    if quantity is None:
        return False
    if _has_gstd_piece_translation(quantity):
        return True
    unit = normalised_unit(quantity)
    if unit in _COUNT_UNITS:
        return True
    # A plain unit text such as "Tablet" / "stuk" may sit in ``unit`` while ``code`` holds a G-Standaard code.
    text = (get_str(quantity, "unit") or "").replace(" ", "").lower()
    return text in _COUNT_UNITS and text != ""


def mass_mg(quantity: Json | None) -> float | None:
    """A mass quantity in mg (mg, µg, mcg, g); ``None`` for any other unit."""
    value = quantity_value(quantity)
    factor = _MASS_TO_MG.get(normalised_unit(quantity))
    if value is None or factor is None:
        return None
    return value * factor


_MASS_CONCENTRATION_TO_NG_PER_L = {
    "pg/ml": 1.0,
    "ng/l": 1.0,
    "ng/ml": 1000.0,
    "ug/l": 1000.0,
    "µg/l": 1000.0,
    "μg/l": 1000.0,
    "mcg/l": 1000.0,
    "ng/dl": 10.0,
    "mg/l": 1_000_000.0,
}


def mass_concentration_ng_per_l(quantity: Json | None) -> float | None:
    """A mass concentration in ng/L (pg/mL = ng/L; ng/mL = µg/L = 1000 ng/L: terminology.md §1.4 s-CTX and P1NP
    units); ``None`` for any other unit."""
    value = quantity_value(quantity)
    factor = _MASS_CONCENTRATION_TO_NG_PER_L.get(normalised_unit(quantity))
    if value is None or factor is None:
        return None
    return value * factor


def volume_ml(quantity: Json | None) -> float | None:
    """A volume in mL (mL, L); ``None`` for any other unit."""
    value = quantity_value(quantity)
    unit = normalised_unit(quantity)
    if value is None:
        return None
    if unit == "ml":
        return value
    if unit == "l":
        return value * 1000.0
    return None


def vitamin_d_ng_per_ml(value: float, unit: str, *, nmol_per_ng: float) -> float | None:
    """25-OH vitamin D in ng/mL (terminology.md §2: ng/mL = µg/L; nmol/L ÷ 2.496); ``None`` for unknown units
    (conflicts.md C-35: unknown unit = missing). ``unit`` as :func:`normalised_unit` gives it, here and below."""
    if unit in ("ng/ml", "ug/l", "µg/l", "μg/l", "mcg/l"):
        return value
    if unit == "nmol/l":
        return value / nmol_per_ng
    return None


def creatinine_umol_per_l(value: float, unit: str, *, umol_per_mg: float) -> float | None:
    """Creatinine in µmol/L (terminology.md §3.2: µmol/L = mg/dL × 88.4)."""
    if unit in ("umol/l", "µmol/l", "μmol/l"):
        return value
    if unit == "mmol/l":
        return value * 1000.0
    if unit == "mg/dl":
        return value * umol_per_mg
    return None


def calcium_mmol_per_l(value: float, unit: str, *, mmol_per_mg: float) -> float | None:
    """Calcium in mmol/L (terminology.md §3.3: mmol/L = mg/dL × 0.2495)."""
    if unit == "mmol/l":
        return value
    if unit == "mg/dl":
        return value * mmol_per_mg
    return None


def albumin_g_per_l(value: float, unit: str) -> float | None:
    """Albumin in g/L (terminology.md §3.3: US g/dL, NL/BE g/L)."""
    if unit == "g/l":
        return value
    if unit == "g/dl":
        return value * 10.0
    return None


def renal_ml_per_min(value: float, unit: str) -> float | None:
    """Creatinine clearance or eGFR as a number of mL/min (terminology.md §3.1: ``mL/min/{1.73_m2}``,
    ``mL/min/1.73m2``, ``ml/min/1,73m²`` are all seen; normalise by the numbers)."""
    return value if unit.startswith("ml/min") else None


def t_score_value(value: float, unit: str) -> float | None:
    """A T-score (terminology.md §1.5: ``{T-score}``, ``T-Score``, ``1`` or no unit; case-insensitive)."""
    return value if unit.strip("{}") in ("t-score", "1", "") else None


def bmd_g_per_cm2(value: float, unit: str) -> float | None:
    """Areal BMD in g/cm² (terminology.md §1.5: ``g/cm2``, ``g/cm^2``, and the wrong ``g/cm-2``)."""
    return value if unit in ("g/cm2", "g/cm^2", "g/cm-2", "g/cm²") else None


# terminology.md §6.2 to_days: h/24, d, wk*7, mo*30.4375, a*365.25, min/1440, s/86400 (mo and a configurable).
_UNIT_ALIASES = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "min": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "dag": "d",
    "dagen": "d",
    "wk": "wk",
    "week": "wk",
    "weeks": "wk",
    "weken": "wk",
    "mo": "mo",
    "month": "mo",
    "months": "mo",
    "maand": "mo",
    "maanden": "mo",
    "a": "a",
    "yr": "a",
    "year": "a",
    "years": "a",
    "jaar": "a",
}


_FIXED_UNIT_DAYS: dict[str | None, float] = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}


def unit_days(unit: str | None, *, days_per_month: float, days_per_year: float) -> float | None:
    """Days in one ``unit`` (UCUM or common words)."""
    if unit is None:
        return None
    canonical = _UNIT_ALIASES.get(unit.strip().lower())
    if canonical == "mo":
        return days_per_month
    if canonical == "a":
        return days_per_year
    return _FIXED_UNIT_DAYS.get(canonical)


def duration_days(quantity: Json | None, *, days_per_month: float, days_per_year: float) -> float | None:
    """A FHIR Duration in days."""
    value = quantity_value(quantity)
    if value is None or quantity is None:
        return None
    per = unit_days(
        get_str(quantity, "code") or get_str(quantity, "unit"),
        days_per_month=days_per_month,
        days_per_year=days_per_year,
    )
    return None if per is None else value * per
