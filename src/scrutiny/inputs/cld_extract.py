"""The Client Level Data (CLD) extract the reports compute in-year figures from.

A council points the reports at its own extract (``CLD_EXTRACT=`` in make, ``cld_extract=`` in
the notebooks). Without one they use a deterministic synthetic extract that ``make`` writes to
``data/processed/cld_synthetic.parquet`` (never committed) for every council of the reporting
calendar, from April 2023 to the end of the calendar's latest financial year, and every figure
drawn from it is labelled as synthetic demonstration data.

Command line (used by the Makefile)::

    python -m scrutiny.inputs.cld_extract synthetic --data data/raw --out data/processed/cld_synthetic.parquet
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd

from ..paths import resolve
from ..periods import FinancialYear

SYNTHETIC_EXTRACT = "data/processed/cld_synthetic.parquet"
SYNTHETIC_LABEL = "synthetic demonstration data, not the council's figures"
SOURCE_ID = "cld_local"
DATA_START = "2023-04-01"  # DHSC's waiting-time cohort starts here; ASCOF 2A looks 3 months back
SPEC = "CLD methods specification (cld-methods.md): ASCOF 2A, 2B and 2C as in DHSC's 2024-25 code, waiting times DHSC v1.1"
METHOD_RULES = [
    f"Method: {SPEC}. Reporting periods are the 12 months ending at a quarter end; waiting-time "
    "quarters are calendar quarters from April 2024.",
    "Submission period (specification 3.1): DHSC re-derives each submission's reporting period from its "
    "event end dates and chooses between submissions (3.2); here the extract is taken as one submission "
    "covering April 2023 to the period end (the 'stated' option of the 3.1 switch).",
    "Counts follow DHSC's publication rules: numerator and denominator withheld ([c]) when either is below 5, "
    "the value computed before rounding and rounded half away from zero to 1 decimal place.",
    "What a council cannot reproduce locally (specification 3.11): DHSC traces NHS numbers and adds ONS deaths, "
    "links hospital episodes (SUS) for ASCOF 2D and sees other councils' records (people who moved); local "
    "figures can therefore differ from DHSC's and are provisional until DHSC publishes.",
    "The extract holds person-level records: it is read in place and never copied into a report; only "
    "aggregates are shown.",
]


@dataclass(frozen=True)
class LocalExtract:
    """An extract file and what the reports say about it: hash, size and the dates it covers."""

    path: Path
    synthetic: bool
    sha256: str
    events: int
    first_event: date | None
    last_event: date | None
    import_date: date | None

    @property
    def label(self) -> str:
        """What every figure from this extract is labelled with."""
        return SYNTHETIC_LABEL if self.synthetic else "local calculation from the council's own extract"

    @property
    def display_name(self) -> str:
        root = resolve(".")
        return str(self.path.relative_to(root)) if self.path.is_relative_to(root) else self.path.name

    def covers(self, period_end: date) -> bool:
        """Whether the extract was taken after ``period_end`` (a submission covers up to its import)."""
        return self.import_date is not None and self.import_date >= period_end


class MissingExtractError(FileNotFoundError):
    """The default synthetic extract has not been generated."""


def sha256_of_extract(path: Path) -> str:
    """SHA-256 of a file, or of a folder of parquet files read in name order."""
    digest = hashlib.sha256()
    for file in (sorted(path.glob("*.parquet")) if path.is_dir() else [path]):
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def locate(cld_extract: str | Path = "") -> tuple[Path, bool]:
    """The extract to use and whether it is the synthetic one. An explicit path must exist; the
    synthetic one raises :class:`MissingExtractError` (with the make command) when not generated."""
    from ..cld.extract import ExtractError

    if str(cld_extract).strip():
        path = resolve(cld_extract)
        if not path.exists():
            raise ExtractError(f"cld_extract={cld_extract}: file not found (expected a CLD extract as CSV or parquet)")
        return path, False
    path = resolve(SYNTHETIC_EXTRACT)
    if not path.exists():
        raise MissingExtractError(f"{SYNTHETIC_EXTRACT} has not been generated; run `make {SYNTHETIC_EXTRACT}`")
    return path, True


@cache
def _describe(path: Path, synthetic: bool, stamp: tuple[int, int]) -> LocalExtract:
    from ..cld.extract import open_extract

    extract = open_extract(path)
    events, first, last, taken = extract.connection.execute(
        "SELECT count(*), min(Event_Start_Date), greatest(max(Event_Start_Date), max(Event_End_Date)), "
        "max(ImportDate) FROM cld_standard").fetchone()
    extract.connection.close()

    def day(value) -> date | None:
        return None if value is None else pd.Timestamp(value).date()

    return LocalExtract(path, synthetic, sha256_of_extract(path), int(events), day(first), day(last), day(taken))


def describe(path: Path, synthetic: bool) -> LocalExtract:
    """Open and check the extract (an unreadable cell stops with file, row and column) and describe it."""
    stat = path.stat()
    return _describe(path, synthetic, (stat.st_mtime_ns, stat.st_size))


def synthetic_period_end(data_dir: str | Path) -> date:
    """The last day of the latest financial year in the reporting calendar: the synthetic extract
    runs to it, so it covers every quarter a report can be built for."""
    calendar = pd.read_csv(Path(data_dir) / "reporting_calendar.csv", dtype=str)
    return max(FinancialYear.parse(year).end for year in calendar["financial_year"])


def synthetic_councils(data_dir: str | Path):
    """A county-sized synthetic council for each council of the reporting calendar."""
    from ..cld.synthetic import Council

    calendar = pd.read_csv(Path(data_dir) / "reporting_calendar.csv", dtype=str)
    councils = pd.read_csv(Path(data_dir) / "councils.csv", dtype=str).set_index("council_code")
    codes = list(dict.fromkeys(calendar["council_code"]))
    names = councils["council_name"] if "council_name" in councils else pd.Series(dtype=str)
    return [Council(code, f"{names.get(code, code)} (synthetic data)", 1.0) for code in codes]


def write_synthetic(data_dir: str | Path, out: str | Path) -> int:
    """Write the synthetic extract (seeded, so the same bytes every time) and return its events."""
    from ..cld.synthetic import discharges_path, write_extract

    out = Path(out)
    staging = out.with_name(f".partial-{out.name}")
    written = write_extract(staging, synthetic_councils(data_dir), synthetic_period_end(data_dir),
                            data_start=DATA_START)
    # never leave a half-written extract under the real name; the discharges first, so a present
    # extract always has its synthetic hospital discharges beside it
    discharges_path(staging).replace(discharges_path(out))
    staging.replace(out)
    return written


@cache
def _templates() -> jinja2.Environment:
    folder = Path(__file__).resolve().parents[1] / "publishing" / "templates" / "cld"
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values) -> str:
    """Render one of the CLD section templates (autoescaped)."""
    return _templates().get_template(template).render(**values)


def provenance_html(extract: LocalExtract | None, reason: str = "") -> str:
    """The extract (file, SHA-256, events, dates covered, import date) and the CLD method rules."""
    return render("extract.html.j2", extract=extract, reason=reason, rules=METHOD_RULES,
                  synthetic_label=SYNTHETIC_LABEL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.inputs.cld_extract", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    synthetic = commands.add_parser("synthetic", help="write the synthetic extract for the reporting calendar")
    synthetic.add_argument("--data", default="data/raw")
    synthetic.add_argument("--out", default=SYNTHETIC_EXTRACT)
    args = parser.parse_args(argv)
    out = resolve(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = write_synthetic(resolve(args.data), out)
    print(f"{args.out}: {written:,} synthetic CLD events, April 2023 to {synthetic_period_end(resolve(args.data))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
