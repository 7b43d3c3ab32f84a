"""Benchmark of the CLD engine: events per second and peak memory, DuckDB engine against the pandas
reference, on synthetic extracts of about 1 million and 10 million events.

Each measurement runs in a fresh Python process, so its peak resident memory (``ru_maxrss``) is its
own; generating the extract is never timed. A run covers everything a report needs: opening and
checking the extract, submission selection, pre-processing, the person table, the waiting-time
linkage and ASCOF 2A, 2B/2C, 2E and 3D, and the measure tables (ASCOF 2D, which the pandas reference
does not compute, is left out of both so that the ratio compares the same work). The DuckDB engine
counts the waiting-time measures inside DuckDB (``engine.waiting_times``); the reference counts them
from its request units, and the two results are compared by checksum. Besides wall-clock
seconds it records the process's CPU seconds and the machine's load average, because the
development machine is shared and wall-clock time depends on what else runs. The pandas reference
holds the whole extract in memory, so it is run at 10 million events only if ``--reference-at-10m``
is given (it needs far more than the 2 GiB budget).

Usage: ``python scripts/cld_benchmark.py [--sizes 1000000 10000000] [--out data/processed/cld_benchmark.csv]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scrutiny.cld import api, measures, synthetic  # noqa: E402
from scrutiny.cld.engine import DuckDBEngine  # noqa: E402
from scrutiny.cld.extract import DEFAULT_MEMORY_LIMIT as MEMORY_LIMIT  # noqa: E402
from scrutiny.cld.extract import connect, open_extract  # noqa: E402
from scrutiny.cld.reference import ReferenceEngine  # noqa: E402

PERIOD_END = "2025-12-31"
THREADS = 2  # the target machine: a laptop's two cores


def run_child(engine_kind: str, path: str, memory_limit: str = MEMORY_LIMIT) -> dict:
    """Run every measure once with one engine; report seconds and peak memory of this process."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    extract = open_extract(path, connect(memory_limit, threads=THREADS))
    if engine_kind == "duckdb":
        engine = DuckDBEngine(extract, PERIOD_END)
    else:
        engine = ReferenceEngine(extract.frame(), PERIOD_END)
    councils = engine.councils()
    population = {council: {"18 to 64": 440_785, "65 and above": 157_349} for council in councils}
    table = api.ascof_tables(engine, population, councils)
    if engine_kind == "duckdb":  # counted inside DuckDB: no request rows are handed to pandas
        waits = engine.waiting_times()
    else:
        waits = measures.waiting_times(engine.waiting_time_requests())
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    events = extract.connection.execute("SELECT count(*) FROM cld_standard").fetchall()[0][0]
    two_a = table[(table["Measure"] == "2A") & (table["Group"] == "Total")]
    return {"engine": engine_kind, "events": int(events), "councils": len(councils), "seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "load_before": load, "memory_limit": memory_limit,
            "peak_mib": usage.ru_maxrss / 1024,
            "checksum_2a": int(two_a["Numerator"].sum()), "checksum_waits": int(
                waits["Number_Of_Waiting_Times_Identified"].sum())}


def measure(engine_kind: str, path: Path, timeout: int, memory_limit: str = MEMORY_LIMIT) -> dict | None:
    command = [sys.executable, __file__, "--child", engine_kind, str(path), "--memory-limit", memory_limit]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        print(f"  {engine_kind}: stopped after {timeout} s", flush=True)
        return None
    except subprocess.CalledProcessError as error:
        print(f"  {engine_kind}: failed\n{error.stderr[-2000:]}", flush=True)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["events_per_second"] = result["events"] / result["seconds"]
    print(f"  {engine_kind}: {result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s CPU, load "
          f"{result['load_before']:.1f} before), {result['events_per_second']:,.0f} events/s, "
          f"peak {result['peak_mib']:,.0f} MiB", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--folder", default=str(ROOT / "data" / "processed"))
    parser.add_argument("--out", default=str(ROOT / "data" / "processed" / "cld_benchmark.csv"))
    parser.add_argument("--reference-at-10m", action="store_true")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per run")
    parser.add_argument("--memory-limit", default=MEMORY_LIMIT, help="DuckDB memory_limit (default %(default)s)")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(*args.child, memory_limit=args.memory_limit)))
        return 0
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, memory_limit {args.memory_limit}, "
          f"threads {THREADS}; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    for size in args.sizes:
        path = Path(args.folder) / f"cld_benchmark_{size}.parquet"
        if not path.exists():
            started = time.perf_counter()
            written = synthetic.write_extract(path, synthetic.councils_for(size), "2026-03-31", discharges=False)
            print(f"generated {written:,} events in {time.perf_counter() - started:.0f} s: {path}", flush=True)
        print(f"{path.name}:", flush=True)
        duck = measure("duckdb", path, args.timeout, args.memory_limit)
        reference = None
        if size < 5_000_000 or args.reference_at_10m:
            reference = measure("pandas", path, args.timeout)
        for result in (duck, reference):
            if result:
                results.append({"target_events": size, **result})
        if duck and reference:
            same = (duck["checksum_2a"], duck["checksum_waits"]) == (reference["checksum_2a"],
                                                                      reference["checksum_waits"])
            print(f"  ratio: DuckDB {reference['seconds'] / duck['seconds']:.1f}x faster, "
                  f"{reference['peak_mib'] / duck['peak_mib']:.1f}x less memory; same results: {same}", flush=True)
    table = pd.DataFrame(results)
    table.to_csv(args.out, index=False)
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
