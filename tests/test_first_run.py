"""What a new user meets in the first minutes: the scripts of ``.ci/`` and a repository without machine paths.

The ``.ci/bootstrap`` tests run the real script in a scratch copy of the repository layout with stand-in
interpreters (shell scripts that log how they are called), so they need no network and take milliseconds.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from app.main import ROOT
from bench.run import QUICK_RESULTS, RESULTS, results_dir


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _fake_python(version: str, log: Path) -> str:
    """A stand-in interpreter: reports ``version``, logs its arguments, and ``-m venv DIR`` makes a venv whose
    interpreter is a stand-in of the same version."""
    return f"""#!/usr/bin/env bash
echo "$0 $*" >> {log}
if [ "${{1:-}}" = "-c" ]; then echo "{version}"; exit 0; fi
if [ "${{1:-}} ${{2:-}}" = "-m venv" ]; then
  mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0
fi
exit 0
"""


@pytest.fixture
def scratch_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "bootstrap", repo / ".ci" / "bootstrap")
    shutil.copy(ROOT / ".ci" / "constraints.txt", repo / ".ci" / "constraints.txt")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    return repo


def _bootstrap(repo: Path, python: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": str(python)}
    return subprocess.run(
        [str(repo / ".ci" / "bootstrap")], cwd=repo, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_venv_made_by_another_python_is_rebuilt_with_the_right_one(scratch_repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    _executable(scratch_repo / ".venv" / "bin" / "python", _fake_python("3.12", log))
    (scratch_repo / ".venv" / "leftover-of-3.12").write_text("", encoding="utf-8")
    python311 = tmp_path / "python3.11"
    _executable(python311, _fake_python("3.11", log))

    done = _bootstrap(scratch_repo, python311)

    assert done.returncode == 0, done.stderr
    assert "made by Python 3.12, not 3.11: rebuilding it" in done.stderr
    assert not (scratch_repo / ".venv" / "leftover-of-3.12").exists()
    assert f"{python311} -m venv .venv" in log.read_text(encoding="utf-8")
    assert (scratch_repo / ".venv" / ".osteo-cds-installed").is_file()


def test_a_current_venv_of_the_right_python_is_kept_without_reinstalling(scratch_repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    python311 = tmp_path / "python3.11"
    _executable(python311, _fake_python("3.11", log))
    assert _bootstrap(scratch_repo, python311).returncode == 0
    log.write_text("", encoding="utf-8")

    done = _bootstrap(scratch_repo, python311)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "pip install" not in log.read_text(encoding="utf-8")


def test_the_first_install_says_what_it_is_doing(scratch_repo: Path, tmp_path: Path) -> None:
    python311 = tmp_path / "python3.11"
    _executable(python311, _fake_python("3.11", tmp_path / "calls.log"))

    done = _bootstrap(scratch_repo, python311)

    assert "creating .venv" in done.stderr
    assert "installing the pinned dependencies into .venv" in done.stderr
    assert "first time takes a few minutes" in done.stderr


def test_an_interpreter_of_the_wrong_version_is_refused_with_advice(scratch_repo: Path, tmp_path: Path) -> None:
    python312 = tmp_path / "python3.12"
    _executable(python312, _fake_python("3.12", tmp_path / "calls.log"))

    done = _bootstrap(scratch_repo, python312)

    assert done.returncode == 1
    assert "needs 3.11" in done.stderr
    assert not (scratch_repo / ".venv").exists()


@pytest.mark.parametrize(
    ("quick", "output", "expected"),
    [
        pytest.param(False, None, RESULTS, id="full-run-writes-the-committed-report"),
        pytest.param(True, None, QUICK_RESULTS, id="quick-run-writes-elsewhere"),
        pytest.param(True, Path("x"), Path("x"), id="output-wins"),
    ],
)
def test_a_quick_benchmark_never_overwrites_the_committed_results(
    quick: bool, output: Path | None, expected: Path
) -> None:
    assert results_dir(quick=quick, output=output) == expected


def test_the_quick_benchmark_results_are_git_ignored() -> None:
    done = subprocess.run(
        ["git", "check-ignore", "-q", str(QUICK_RESULTS / "REPORT.md")], cwd=ROOT, check=False, timeout=30
    )
    assert done.returncode == 0


_MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|home|root|Users|tmp)/[\w.-]+")
"""An absolute path of somebody's machine (``/work/…``, ``/home/…``), not a path inside an image or a URL."""


def test_no_file_of_the_repository_names_an_absolute_path_of_a_machine() -> None:
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30)
        .stdout.decode()
        .split("\0")
    )
    found = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".jpg"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {match.group(0)}" for match in _MACHINE_PATH.finditer(text)]
    assert found == []
