"""Build hook: the wheel carries ``cards/`` and ``fhir_mappings/`` (the clinical knowledge the service loads at
start-up) as package data under ``app/_data/``, so an installed ``osteo-cds`` works outside the source tree
(:func:`app.catalogs.data_root`). Everything else is configured in ``pyproject.toml``.

With ``OSTEO_COMPILE=1`` the snapshot builder and the rules (:data:`COMPILED_PACKAGES`), and the reading of the
prefetch (:data:`COMPILED_MODULES`), are compiled with mypyc into C extension modules (about 29 % fewer instructions
per hook call than the pure build, see docs/benchmark.md; the Docker image is built so). The build then needs a C
compiler and, importable beside setuptools, mypy (pinned in ``.ci/constraints.txt``) and the project's
dependencies (mypy type-checks against them): build with ``pip wheel --no-build-isolation``. Without it the build
is pure Python, as before. ``.ci/compiled`` builds a compiled copy of the tree and runs the tests on it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = ("cards", "fhir_mappings")

COMPILED_PACKAGES = ("app/snapshot", "app/rules", "app/rules/osteoporosis")
"""Every module of these packages is compiled, except :data:`NOT_COMPILED`."""
NOT_COMPILED = {
    "app/snapshot/parameters.py": "pydantic models (mypyc cannot compile a pydantic BaseModel subclass)",
    "app/rules/parameters.py": "pydantic models (mypyc cannot compile a pydantic BaseModel subclass)",
}
"""Modules of :data:`COMPILED_PACKAGES` left pure Python, with the reason."""
COMPILED_MODULES = ("app/fhir/prefetch.py",)
"""Single modules compiled besides the packages: the prefetch's per-entry checks, deduplication and medication
references (−2 % instructions per call on the benchmark patient, −4 % at 1,000 resources; docs/benchmark.md)."""


def compiled_modules(root: Path) -> list[str]:
    """The source files mypyc compiles (relative to ``root``), in a fixed order."""
    found = sorted(
        str(path.relative_to(root)) for package in COMPILED_PACKAGES for path in (root / package).glob("*.py")
    )
    return [path for path in found if path not in NOT_COMPILED] + list(COMPILED_MODULES)


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads them from the checkout
            return
        root = Path(__file__).resolve().parent
        for name in CATALOGS:
            self.copy_tree(str(root / name), str(Path(self.build_lib) / "app" / "_data" / name))


def extension_modules() -> list[Any]:
    """The mypyc extension modules with ``OSTEO_COMPILE=1``, else none. One C file per module (``separate``), so
    that ``build_ext -j`` compiles them in parallel and a module that fails names itself."""
    if os.environ.get("OSTEO_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # noqa: PLC0415 (only the compiled build needs mypy)

    # Paths relative to the project directory, where pip runs this file: mypycify reads pyproject.toml there too.
    return list(mypycify(compiled_modules(Path.cwd()), separate=True, opt_level="3"))


extensions = extension_modules()
setup(
    cmdclass={"build_py": BuildWithCatalogs},
    ext_modules=extensions,
    # The C files compile in parallel on every core (pip builds without build_ext -j).
    options={"build_ext": {"parallel": os.cpu_count() or 1}} if extensions else {},
)
