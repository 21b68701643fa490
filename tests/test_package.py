"""The ``osteo-cds`` command from an installed wheel, in a clean virtualenv, run outside the source tree: what the
Docker image does. The wheel must carry ``cards/`` and ``fhir_mappings/`` (package data, ``setup.py``).

The wheel is built from a copy of the tracked files (as a clean checkout), installed without dependencies into a
new venv; the dependencies come from this test run's own site-packages, added to the new venv's path after the
install (so nothing of the source tree is importable there). The wheel is built with this environment's pinned
setuptools (no isolated build environment: a few seconds instead of 10-20).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from app.devtools.patients import LIBRARY_DIR
from app.main import ROOT

PATIENT = LIBRARY_DIR / "01-gc-62f-prednisolone-10mg.json"


def _run(*command: str | Path, cwd: Path, timeout: float = 300) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL") and not k.startswith("OSTEO_")
    }
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the osteo-cds wheel built from a copy of the tracked files; returns its ``bin``."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--quiet",
        "--wheel-dir",
        work / "dist",
        source,
        cwd=work,
    )
    (wheel,) = (work / "dist").glob("osteo_cds-*.whl")

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=work,
    )
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work).strip()
    (Path(purelib) / "osteo_cds_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def test_the_installed_command_finds_its_catalogs_outside_the_source_tree(installed: Path, tmp_path: Path) -> None:
    where = _run(
        installed / "python", "-c", "import app.catalogs as c; print(c.__file__); print(c.data_root())", cwd=tmp_path
    ).splitlines()

    assert not Path(where[0]).is_relative_to(ROOT)
    assert Path(where[1]) == Path(where[0]).parent / "_data"
    assert sorted(p.name for p in (Path(where[1]) / "cards").glob("*.toml")) == sorted(
        p.name for p in (ROOT / "cards").glob("*.toml")
    )


def test_installed_the_default_feedback_store_is_in_the_working_directory(installed: Path, tmp_path: Path) -> None:
    url = _run(
        installed / "python", "-c", "from app.config import Settings; print(Settings().database_url)", cwd=tmp_path
    )

    assert url.strip() == "sqlite:///var/feedback.db"


def test_the_installed_command_evaluates_a_patient_from_another_directory(installed: Path, tmp_path: Path) -> None:
    shutil.copy(PATIENT, tmp_path / "patient.json")

    out = _run(
        installed / "osteo-cds", "evaluate", "patient.json", "--as-of", "2025-06-01", "--lang", "en", cwd=tmp_path
    )

    assert "[WARNING] GC-START-1" in out
