"""Shared fixtures: the project root, the shipped inputs, a writable copy of them, the reference data.

The national reference data is found at ``$SCRUTINY_REFERENCE_DATA`` (default
``../shared/reference-data`` beside the project). With ``SCRUTINY_REQUIRE_ALL_TESTS=1`` (CI sets it)
any skipped test fails the run, so tests that need the national files cannot pass by being skipped.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
REFERENCE_DATA = Path(os.environ.get("SCRUTINY_REFERENCE_DATA") or ROOT.parent / "shared" / "reference-data")
SHARED = REFERENCE_DATA.parent
REQUIRE_ALL = os.environ.get("SCRUTINY_REQUIRE_ALL_TESTS") == "1"
_skipped: list[str] = []


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/raw that a test may break."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory) -> Path:
    """``make q1 q3`` into a temporary reports folder, built once for every slow test that reads the reports."""
    folder = tmp_path_factory.mktemp("reports")
    # run as a user's top-level make (under `make test` the parent's jobserver is not passed on)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(["make", "q1", "q3", f"REPORTS={folder}"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    (folder / "make-output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    return folder


def edit_lines(path: Path, edit) -> None:
    """Rewrite a CSV's lines (a list without line ends) through ``edit``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


def pytest_runtest_logreport(report):
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_ALL and _skipped and exitstatus == 0:
        session.exitstatus = 1
        print(f"\nSCRUTINY_REQUIRE_ALL_TESTS=1 but {len(_skipped)} test(s) were skipped "
              f"(reference data looked for at {REFERENCE_DATA}):")
        for line in _skipped[:20]:
            print(f"  {line}")
