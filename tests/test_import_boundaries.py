"""FHIR stays at the edge (house style §2.1.1, §2.7): an AST scan of every import under ``app/``.

- only ``app/fhir/**``, ``app/snapshot/build.py`` and the builder's private helpers ``app/snapshot/_*.py`` may
  import ``fhir.resources`` (the ValueSet files are validated in ``app/fhir/conformance.py``);
- nothing under ``app/rules/`` imports ``httpx`` or ``fhir.resources``;
- only ``app/fhir/**`` imports ``httpx``, apart from the explicit exceptions in ``HTTPX_EXCEPTIONS`` (each with
  its reason; adding one is a reviewed decision, not a silent drift);
- a rule family (``app/rules/osteoporosis/<family>.py``) never imports another family: what two families share is a
  named clause of ``predicates.py``, an evidence line of ``evidence.py`` or a row of the parameter table
  ``thresholds.py``, and those shared modules import no family (copies in two families had drifted apart).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
OSTEOPOROSIS = APP / "rules" / "osteoporosis"
SHARED_RULE_MODULES = frozenset({"predicates", "evidence", "thresholds"})
"""The modules of ``app/rules/osteoporosis/`` every family may import; every other module there is a family."""

HTTPX_EXCEPTIONS = {
    "app/main.py": "the lifespan creates the one shared httpx.AsyncClient (house style §2.1.5, §2.2)",
    "app/hooks/pipeline.py": "receives the shared AsyncClient (type only) to bind a FhirClient per request",
    "app/security/": "JWT verification: issuer JWKS fetch and URL parsing, not FHIR",
    "app/devtools/": "developer tools (FHIR test server launcher, demo client), never on the request path",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _uses(path: Path, package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in _imports(path))


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(APP.parent).as_posix()


def _may_use_fhir_resources(path: Path) -> bool:
    relative = _relative(path)
    if relative.startswith("app/fhir/"):
        return True
    return relative == "app/snapshot/build.py" or (relative.startswith("app/snapshot/_") and relative.endswith(".py"))


class TestImportBoundaries:
    def test_the_scan_sees_the_snapshot_builder(self) -> None:
        assert "app/snapshot/build.py" in {_relative(p) for p in _modules()}

    def test_the_scan_detects_an_import(self, tmp_path: Path) -> None:
        probe = tmp_path / "probe.py"
        probe.write_text("from fhir.resources.R4B.observation import Observation\nimport httpx\n")
        assert _uses(probe, "fhir.resources") and _uses(probe, "httpx")

    @pytest.mark.parametrize("path", _modules(), ids=_relative)
    def test_only_the_fhir_edge_and_the_snapshot_builder_import_fhir_resources(self, path: Path) -> None:
        if not _may_use_fhir_resources(path):
            assert not _uses(path, "fhir.resources"), f"{_relative(path)} imports fhir.resources"

    @pytest.mark.parametrize("path", _modules(), ids=_relative)
    def test_only_the_fhir_client_imports_httpx(self, path: Path) -> None:
        relative = _relative(path)
        allowed = relative.startswith("app/fhir/") or any(relative.startswith(p) for p in HTTPX_EXCEPTIONS)
        if not allowed:
            assert not _uses(path, "httpx"), f"{relative} imports httpx"

    def test_rules_import_neither_httpx_nor_fhir_resources(self) -> None:
        offenders = [
            _relative(p)
            for p in sorted((APP / "rules").rglob("*.py"))
            if _uses(p, "httpx") or _uses(p, "fhir.resources")
        ]
        assert offenders == []

    def test_the_snapshot_model_knows_no_fhir(self) -> None:
        model = APP / "snapshot" / "model.py"
        assert not _uses(model, "fhir.resources") and not _uses(model, "app.fhir")


def _rule_modules_imported(path: Path) -> set[str]:
    prefix = "app.rules.osteoporosis."
    return {name.removeprefix(prefix).split(".")[0] for name in _imports(path) if name.startswith(prefix)}


_FAMILIES = sorted(p for p in OSTEOPOROSIS.glob("*.py") if p.stem not in SHARED_RULE_MODULES | {"__init__"})


class TestRuleFamiliesAreIndependent:
    def test_the_scan_sees_the_families(self) -> None:
        assert {"diagnosis", "denosumab", "glucocorticoids"} <= {p.stem for p in _FAMILIES}

    def test_the_scan_detects_a_family_import(self, tmp_path: Path) -> None:
        probe = tmp_path / "probe.py"
        probe.write_text("from app.rules.osteoporosis.bisphosphonates import t_scores_at_or_below\n")
        assert _rule_modules_imported(probe) == {"bisphosphonates"}

    @pytest.mark.parametrize("path", _FAMILIES, ids=_relative)
    def test_a_rule_family_imports_no_other_family(self, path: Path) -> None:
        assert _rule_modules_imported(path) <= SHARED_RULE_MODULES, f"{_relative(path)} imports another family"

    @pytest.mark.parametrize("stem", sorted(SHARED_RULE_MODULES))
    def test_the_shared_modules_import_no_family(self, stem: str) -> None:
        assert _rule_modules_imported(OSTEOPOROSIS / f"{stem}.py") <= SHARED_RULE_MODULES
