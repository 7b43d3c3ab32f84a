"""Command line: ``python -m scrutiny.cld generate|measures|quality ...`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from scrutiny.cld import api, measures, submissions, synthetic
from scrutiny.cld.extract import DEFAULT_MEMORY_LIMIT, ExtractError, data_quality, open_extract
from scrutiny.paths import resolve

DEFAULT_EXTRACT = "data/processed/cld_synthetic.parquet"


def _population(text: str | None) -> dict[str, dict[str, float]] | None:
    if not text:
        return None
    council, working, older = text.split(":")
    return {council: {"18 to 64": float(working), "65 and above": float(older)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.cld", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a deterministic synthetic CLD extract")
    generate.add_argument("--out", default=DEFAULT_EXTRACT, help="parquet or CSV file (default %(default)s)")
    generate.add_argument("--council", default="E10000018", help="council code of a single council")
    generate.add_argument("--name", default="Leicestershire County Council (synthetic data)")
    generate.add_argument("--councils", type=int, help="instead: this many county-sized councils S001...")
    generate.add_argument("--events", type=int, help="instead: enough councils for about this many events")
    generate.add_argument("--period-end", default="2026-03-31")
    generate.add_argument("--seed", type=int, default=20260331)
    run = commands.add_parser("measures", help="ASCOF and waiting-time measures from an extract")
    run.add_argument("extract", nargs="?", default=DEFAULT_EXTRACT)
    run.add_argument("--period-end", required=True, help="last day of the 12 months, a quarter end")
    run.add_argument("--population", help="COUNCIL:POP_18_64:POP_65_PLUS for 2B and 2C")
    run.add_argument("--out", help="folder for ascof.csv and waiting_times.csv (default: print)")
    run.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT)
    run.add_argument("--discharges", help="hospital discharges for ASCOF 2D (default: <extract>_discharges "
                                          "beside the extract, if there is one)")
    run.add_argument("--submissions", default="auto", choices=submissions.MODES,
                     help="which submissions to use (default %(default)s: whole if one per council, else joined)")
    run.add_argument("--period-method", default="v2", choices=submissions.PERIOD_METHODS,
                     help="how a submission's reporting period is found (default %(default)s)")
    run.add_argument("--as-of", help="use only submissions imported on or before this date")
    run.add_argument("--exclude-file", action="append", default=[], help="ImportFileId of a known-bad file")
    quality = commands.add_parser("quality", help="the data-quality table of an extract")
    quality.add_argument("extract", nargs="?", default=DEFAULT_EXTRACT)
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            if args.events:
                councils = synthetic.councils_for(args.events)
            elif args.councils:
                councils = synthetic.councils_for(args.councils * 170_000)
            else:
                councils = [synthetic.Council(args.council, args.name, 1.0)]
            written = synthetic.write_extract(resolve(args.out), councils, args.period_end, seed=args.seed)
            print(f"{resolve(args.out)}: {written:,} events for {len(councils)} council(s)")
        elif args.command == "measures":
            spells = resolve(args.discharges) if args.discharges else api.default_discharges(args.extract)
            engine = api.open_engine(resolve(args.extract), args.period_end, memory_limit=args.memory_limit,
                                     discharges=spells, submissions=args.submissions,
                                     period_method=args.period_method, as_of=args.as_of,
                                     excluded_files=tuple(args.exclude_file))
            for warning in engine.submissions.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            ascof = api.ascof_tables(engine, _population(args.population))
            waits = measures.waiting_times(engine.waiting_time_requests())
            if args.out:
                folder = resolve(args.out)
                folder.mkdir(parents=True, exist_ok=True)
                ascof.to_csv(folder / "ascof.csv", index=False)
                waits.to_csv(folder / "waiting_times.csv", index=False)
                print(f"wrote {folder / 'ascof.csv'} and {folder / 'waiting_times.csv'}")
            else:
                with pd.option_context("display.width", 200, "display.max_rows", 500):
                    print(ascof.drop(columns="Description").to_string(index=False))
                    print(waits.to_string(index=False))
        else:
            with pd.option_context("display.width", 200, "display.max_colwidth", 60):
                print(data_quality(open_extract(resolve(args.extract))).to_string(index=False))
    except (ExtractError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
