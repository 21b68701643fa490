"""The clinical source texts beside the repository (``../shared``): the rule catalog the tests hold the code against.

A clone of this repository alone does not have them; the tests that read them then skip with the reason (CI has
``../shared`` beside its clone and runs them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

__all__ = ["SHARED", "catalog_rule_ids", "shared_text"]

SHARED = Path(__file__).resolve().parents[3] / "shared"
"""``../shared`` of the repository this test suite belongs to."""


def shared_text(relative: str) -> str:
    """The text of ``../shared/<relative>``; skips the calling test when ``../shared`` is not there."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"needs the clinical source texts in ../shared beside the repository ({relative} not found)")
    return path.read_text(encoding="utf-8")


def catalog_rule_ids() -> set[str]:
    """Every rule ID of the catalog (``### ID — title`` headings of ``clinical/rules.md``)."""
    text = shared_text("clinical/rules.md")
    return set(re.findall(r"^### ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+) — ", text, re.M))
