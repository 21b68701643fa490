"""Whether the tests run on the compiled build (``.ci/compiled``: ``app/snapshot`` and ``app/rules`` compiled with
mypyc, setup.py ``OSTEO_COMPILE=1``), and the mark of the few tests that can only hold in the pure-Python build."""

from __future__ import annotations

from typing import Final

import pytest

from app.build_info import is_compiled

__all__ = ["COMPILED", "pure_python_only"]

COMPILED: Final = is_compiled()
"""The snapshot model is an extension module: the snapshot and the rules are compiled."""


def pure_python_only(reason: str) -> pytest.MarkDecorator:
    """Skip in the compiled build, saying why the test cannot hold there (it runs in the pure build)."""
    return pytest.mark.skipif(COMPILED, reason=f"compiled build: {reason}")
