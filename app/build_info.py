"""Which build of the service runs: pure Python, or the snapshot, the rules and the prefetch reading compiled with
mypyc (``setup.py`` with ``OSTEO_COMPILE=1``, as the Docker image is built; ``.ci/compiled`` tests a compiled
copy)."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

from app.snapshot import model

__all__ = ["build_name", "is_compiled"]


def is_compiled() -> bool:
    """The snapshot model is an extension module: the compiled build (its modules are built together)."""
    return (model.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))


def build_name() -> str:
    """``compiled (mypyc)`` or ``pure Python``, as the benchmarks print it."""
    return "compiled (mypyc)" if is_compiled() else "pure Python"
