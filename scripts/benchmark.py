"""Time `make q3` from clean, a no-op re-run, and the same chain on empty notebooks (the floor).

The floor runs the check-papermill-nbconvert-Chromium chain once per report notebook of `make q3`
on a notebook with nothing but its parameters, so the ratio shows what the reports' own work costs.
It is measured two ways: one report after another (the chain's total cost), and all at once, as
`make q3` runs its reports in parallel (the fairest floor for a parallel build).

Usage: python scripts/benchmark.py [--runs 5]
Prints the median, minimum and maximum wall time of each, and the ratios between them, then the
processor time each used (user and system, of every process the step started, kernels and
Chromium included): on a machine shared with other work the wall times vary with the load, the
processor times less so (though heavy contention inflates them too).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reports_in_q3() -> int:
    """How many reports `make q3` builds: the Makefile's REPORT_NOTEBOOKS."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("REPORT_NOTEBOOKS :="):
            return len(line.split(":=", 1)[1].split())
    raise SystemExit("Makefile has no REPORT_NOTEBOOKS line")


REPORTS_IN_Q3 = reports_in_q3()


def empty_build(python: str, empty: Path, out: Path) -> list[str]:
    return [python, "-m", "scrutiny.publishing.build", "report", str(empty), "--financial-year", "2025-26",
            "--quarter", "3", "--out", str(out)]


#: Processor seconds (user and system) used by finished child processes, by step name.
CPU: dict[str, list[float]] = {}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_together(commands: list[list[str]], step: str = "") -> float:
    start, cpu = time.perf_counter(), children_cpu()
    processes = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    if any(p.wait() != 0 for p in processes):
        raise SystemExit("an empty build failed")
    CPU.setdefault(step, []).append(children_cpu() - cpu)
    return time.perf_counter() - start


def timed(command: list[str], step: str = "") -> float:
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    CPU.setdefault(step, []).append(children_cpu() - cpu)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    results: dict[str, list[float]] = {"make q3 from clean": [], "make q3 no-op re-run": [],
                                       "floor, one after another": [], "floor, in parallel": []}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        empty = scratch / "empty_report.ipynb"
        subprocess.run([python, "-m", "scrutiny.publishing.build", "notebook", str(ROOT / "tests/fixtures/empty_report.py"), str(empty)],
                       cwd=ROOT, check=True)
        for run in range(args.runs):
            reports = scratch / f"reports-{run}"
            make = ["make", "q3", f"REPORTS={reports}", f"PYTHON={python}"]
            results["make q3 from clean"].append(timed(make, "clean"))
            results["make q3 no-op re-run"].append(timed(make, "no-op"))
            results["floor, one after another"].append(sum(
                timed(empty_build(python, empty, scratch / f"empty-{run}-{n}"), f"floor-{run}") for n in range(REPORTS_IN_Q3)))
            results["floor, in parallel"].append(timed_together(
                [empty_build(python, empty, scratch / f"empty-par-{run}-{n}") for n in range(REPORTS_IN_Q3)], "floor-parallel"))
    medians = {name: statistics.median(times) for name, times in results.items()}
    print(f"{'step':<26} {'median s':>9} {'min s':>7} {'max s':>7}   ({args.runs} runs)")
    for name, times in results.items():
        print(f"{name:<26} {medians[name]:>9.2f} {min(times):>7.2f} {max(times):>7.2f}")
    clean, noop = medians["make q3 from clean"], medians["make q3 no-op re-run"]
    serial, parallel = medians["floor, one after another"], medians["floor, in parallel"]
    print(f"\nratio clean / floor (one after another): {clean / serial:.2f}")
    print(f"ratio clean / floor (in parallel):       {clean / parallel:.2f}  (the reports' own cost above the fixed chain)")
    print(f"ratio no-op / clean:                     {noop / clean:.4f}  (what a second `make q3` costs)")
    clean_cpu = statistics.median(CPU["clean"])
    floor_cpu = statistics.median(sum(CPU[f"floor-{run}"]) for run in range(args.runs))
    floor_parallel_cpu = statistics.median(CPU["floor-parallel"])
    print(f"\nprocessor time (user + system, median): make q3 from clean {clean_cpu:.1f} s, floor {floor_cpu:.1f} s "
          f"(all at once {floor_parallel_cpu:.1f} s)")
    print(f"ratio of processor time clean / floor:   {clean_cpu / floor_cpu:.2f}  (less affected by other load than wall time)")

if __name__ == "__main__":
    main()
