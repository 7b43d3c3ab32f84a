"""Shared fixtures: the project root, the shipped inputs and a writable copy of them."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/raw that a test may break."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


def edit_lines(path: Path, edit) -> None:
    """Rewrite a CSV's lines (a list without line ends) through ``edit``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
