"""Build hook: the wheel carries ``cards/`` and ``fhir_mappings/`` (the clinical knowledge the service loads at
start-up) as package data under ``app/_data/``, so an installed ``osteo-cds`` works outside the source tree
(:func:`app.catalogs.data_root`). Everything else is configured in ``pyproject.toml``."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = ("cards", "fhir_mappings")


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads them from the checkout
            return
        root = Path(__file__).resolve().parent
        for name in CATALOGS:
            self.copy_tree(str(root / name), str(Path(self.build_lib) / "app" / "_data" / name))


setup(cmdclass={"build_py": BuildWithCatalogs})
