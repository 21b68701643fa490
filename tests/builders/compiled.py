"""Whether the tests run on the compiled build (``.ci/compiled``: ``app/snapshot`` and ``app/rules`` compiled with
mypyc, setup.py ``OSTEO_COMPILE=1``), and the mark of the few tests that can only hold in the pure-Python build."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from typing import Final

import pytest

from app.snapshot import model

__all__ = ["COMPILED", "pure_python_only"]

COMPILED: Final = (model.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
"""The snapshot model is an extension module: the snapshot and the rules are compiled."""


def pure_python_only(reason: str) -> pytest.MarkDecorator:
    """Skip in the compiled build, saying why the test cannot hold there (it runs in the pure build)."""
    return pytest.mark.skipif(COMPILED, reason=f"compiled build: {reason}")
