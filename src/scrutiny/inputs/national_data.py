"""`make data`: fetch the published national files, verify them, and prepare the tidy ASCOF table.

The registry ``data/national_sources.csv`` lists each file's publisher, landing page, download
address, licence, publication date and SHA-256. ``fetch`` copies each file from a local mirror
(``--mirror``: a folder laid out as the registry's ``mirror_path``) or downloads it, and refuses
a file whose hash differs. ``prepare`` reads the ASCOF spreadsheet once into
``data/processed/ascof_time_series.csv`` so that reports do not re-parse it.

    python -m scrutiny.national_data fetch [--mirror ../shared/reference-data]
    python -m scrutiny.national_data prepare
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path

import pandas as pd

from .council import InputError, read_text_table, sha256_of
from .national import (
    check_councils,
    load_boundary_changes,
    load_boundary_table,
    load_council_lookup,
    load_measures,
    load_nearest_neighbours,
    read_ascof_ods,
    read_deprivation,
    one_row_per_council,
    relabel_legacy_rows,
)
from ..paths import project_root

REGISTRY = Path("data/national_sources.csv")
NATIONAL_DIR = Path("data/raw/national")
PROCESSED = Path("data/processed/ascof_time_series.csv")


def say(message: str) -> None:
    print(f"[scrutiny data] {message}", file=sys.stderr, flush=True)


def load_registry(root: Path) -> pd.DataFrame:
    """The national sources registry, indexed by name."""
    return read_text_table(root / REGISTRY).set_index("name", drop=False)


def _verified_copy(source: Path, target: Path, expected: str) -> None:
    found = sha256_of(source)
    if found != expected:
        raise InputError(source, [f"SHA-256 is {found}, expected {expected} (data/national_sources.csv): "
                                  "the file differs from the registered release"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def fetch(mirror: Path | None = None, root: Path | None = None) -> list[Path]:
    """Put every registered file under data/raw/national/, verified by its SHA-256."""
    root = root or project_root()
    registry = load_registry(root)
    fetched = []
    for _, entry in registry.iterrows():
        target = root / NATIONAL_DIR / entry["file_name"]
        if target.exists() and sha256_of(target) == entry["sha256"]:
            say(f"{entry['file_name']}: up to date")
            fetched.append(target)
            continue
        if mirror is not None:
            source = Path(mirror) / entry["mirror_path"]
            if not source.exists():
                raise InputError(source, [f"not in the mirror folder {mirror} (expected {entry['mirror_path']})"])
            say(f"{entry['file_name']}: copying from the mirror")
            _verified_copy(source, target, entry["sha256"])
        elif entry["download_url"]:
            say(f"{entry['file_name']}: downloading from {entry['download_url']}")
            with tempfile.TemporaryDirectory() as scratch:
                download = Path(scratch) / entry["file_name"]
                try:
                    with urllib.request.urlopen(entry["download_url"], timeout=60) as response, open(download, "wb") as out:
                        shutil.copyfileobj(response, out)
                except OSError as err:
                    raise InputError(entry["download_url"], [f"download failed ({err}); download it from "
                                     f"{entry['landing_page']} or run 'make data MIRROR=<folder>'"]) from None
                _verified_copy(download, target, entry["sha256"])
        else:
            raise InputError(entry["file_name"], [f"no direct download address is registered; download it from "
                                                  f"{entry['landing_page']} into a folder as {entry['mirror_path']} "
                                                  "and run 'make data MIRROR=<folder>'"])
        fetched.append(target)
    return fetched


def prepare(root: Path | None = None) -> Path:
    """Parse the ASCOF spreadsheet into the tidy CSV (with the source's hash alongside)."""
    root = root or project_root()
    registry = load_registry(root)
    ods = root / NATIONAL_DIR / registry.loc["ascof_time_series", "file_name"]
    if not ods.exists():
        raise InputError(ods, ["missing: run 'make data' first"])
    say(f"reading {ods.name} (about 10 seconds)")
    measures = load_measures(root / "data/raw/ascof_measures.csv")
    tidy = read_ascof_ods(ods, measures)
    lookup = load_council_lookup(root / NATIONAL_DIR / registry.loc["council_lookup", "file_name"])
    check_councils(tidy, lookup, str(ods))
    target = root / PROCESSED
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    tidy.to_csv(partial, index=False)
    os.replace(partial, target)
    say(f"wrote {target.relative_to(root)} ({len(tidy):,} rows)")
    return target


@dataclass
class NationalData:
    """The national tables a benchmarking report uses, with their provenance."""

    tidy: pd.DataFrame
    measures: pd.DataFrame
    lookup: pd.DataFrame
    neighbours: dict[str, list[str]]
    registry: pd.DataFrame
    files: pd.DataFrame  # file, sha256, published
    #: the IoD 2019 spreadsheet (None when not loaded) and the boundary changes to carry it forward
    deprivation_file: Path | None = None
    boundary_changes: dict[str, list[str]] = field(default_factory=dict)

    @cached_property
    def deprivation(self) -> pd.DataFrame | None:
        """IoD 2019 average score by council, read on first use: only the benchmarking quadrant
        needs it, and reading the spreadsheet takes about 0.2 s."""
        if self.deprivation_file is None:
            return None
        return read_deprivation(self.deprivation_file, self.boundary_changes)


def read_tidy(path: Path) -> pd.DataFrame:
    """Read the prepared tidy ASCOF table."""
    tidy = pd.read_csv(path, dtype={"la_code": str, "ons_code": str, "marker": str, "year": str, "measure": str},
                       keep_default_na=False, na_values={c: [""] for c in
                                                          ["numerator", "denominator", "outcome", "margin_of_error", "respondents"]})
    return tidy


def load_national(cut_off: date, root: Path | None = None) -> tuple[NationalData | None, list[str]]:
    """The national data usable by a report with this cut-off date, or None and the reasons why not."""
    root = root or project_root()
    registry = load_registry(root)
    reasons = []
    missing = [name for name in registry["file_name"] if not (root / NATIONAL_DIR / name).exists()]
    if missing:
        reasons.append("the national files are not loaded (" + ", ".join(missing) + "): run 'make data'")
    if not (root / PROCESSED).exists():
        reasons.append("the ASCOF table has not been prepared: run 'make data'")
    published = date.fromisoformat(registry.loc["ascof_time_series", "published"])
    if published > cut_off:
        reasons.append(f"the ASCOF release used here was published on {published:%d %B %Y}, after this report's "
                       f"cut-off date of {cut_off:%d %B %Y}")
    if reasons:
        return None, reasons
    changes = load_boundary_changes(root / "data/raw/boundary_changes.csv")
    national = root / NATIONAL_DIR
    deprivation_file = national / registry.loc["deprivation", "file_name"]
    files = pd.DataFrame([
        {"file": f"national/{row['file_name']}", "sha256": row["sha256"], "published": row["published"],
         "publisher": row["publisher"]}
        for _, row in registry.iterrows()
    ])
    lookup = load_council_lookup(national / registry.loc["council_lookup", "file_name"])
    boundary = load_boundary_table(root / "data/raw/boundary_changes.csv")
    return NationalData(
        tidy=one_row_per_council(relabel_legacy_rows(read_tidy(root / PROCESSED), boundary, lookup)),
        measures=load_measures(root / "data/raw/ascof_measures.csv"),
        lookup=lookup,
        neighbours=load_nearest_neighbours(national / registry.loc["nearest_neighbours", "file_name"], changes),
        registry=registry,
        files=files,
        deprivation_file=deprivation_file if deprivation_file.exists() else None,
        boundary_changes=changes,
    ), []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.national_data")
    sub = parser.add_subparsers(dest="command", required=True)
    fetch_parser = sub.add_parser("fetch", help="fetch and verify the registered national files")
    fetch_parser.add_argument("--mirror", type=Path, default=None, help="a local folder holding the files")
    sub.add_parser("prepare", help="read the ASCOF spreadsheet into data/processed")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            fetch(args.mirror.resolve() if args.mirror else None)
        else:
            prepare()
    except InputError as err:
        say(f"FAILED: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
