"""Build one report: check the inputs, run the notebook with papermill, export HTML and PDF.

Usage (the Makefile calls this)::

    python -m scrutiny.build report notebooks/quarterly_dashboard.ipynb \\
        --financial-year 2025-26 --quarter 3 --council E10000018 --data data/raw \\
        --out reports/2025-26/q3

    python -m scrutiny.build notebook notebooks/quarterly_dashboard.py notebooks/quarterly_dashboard.ipynb

Everything is written to a staging folder first and moved into ``--out`` only when every step
has succeeded, so a failed run leaves the previous report intact. A failed notebook is kept under
``build/failed/`` for inspection and its error is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..paths import project_root

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-pdf-header-footer",
]


class BuildError(RuntimeError):
    """A step of the build failed; the message says which and why."""


def say(message: str) -> None:
    """Progress on standard error, flushed so it shows during long runs."""
    print(f"[scrutiny] {message}", file=sys.stderr, flush=True)


def notebook_from_script(script: Path, notebook: Path) -> None:
    """Write the .ipynb for a jupytext percent script (without touching the script)."""
    import jupytext

    nb = jupytext.read(script)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook.parent.mkdir(parents=True, exist_ok=True)
    tmp = notebook.with_name(f".{notebook.stem}.partial.ipynb")
    jupytext.write(nb, tmp, fmt="ipynb")
    os.replace(tmp, notebook)


def preflight(data_dir: Path, financial_year: str, quarter: int, council: str, notebook: str = "",
              comparator: str | None = None) -> None:
    """Validate inputs and quarter coverage before anything runs (fails fast, writes nothing)."""
    from ..context import report_context
    from ..inputs import load_inputs

    if notebook == "benchmarking":  # any council in the national lookup, not only the reporting council
        from ..benchmarking.report import preflight as benchmarking_preflight

        benchmarking_preflight(data_dir, financial_year, quarter, council, comparator or "nearest_neighbours")
        return

    inputs = load_inputs(data_dir)
    report_context(inputs, financial_year, quarter, council)


def execute(notebook: Path, output: Path, parameters: dict, cwd: Path) -> None:
    """Run a notebook with papermill; raise BuildError with the failing cell's error."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    env_backend = os.environ.pop("MPLBACKEND", None)  # a forced backend would drop the charts
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(cwd),
            progress_bar=sys.stderr.isatty(),
            start_timeout=120,
            execution_timeout=900,
        )
    except PapermillExecutionError as err:
        raise BuildError(f"the notebook failed in cell {err.exec_count}: {err.ename}: {err.evalue}") from None
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    check_outputs(output)


def check_outputs(notebook: Path) -> None:
    """Fail if any cell produced an error output (papermill misses errors shown as display data)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise BuildError(f"a cell produced an error: {out.get('ename')}: {out.get('evalue')}")


def to_html(notebook: Path, html: Path) -> None:
    """Export without code, setup cells, warnings or CDN scripts, using the council template."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TemplateExporter.extra_template_basedirs = [str(Path(__file__).parent / "templates")]
    config.TagRemovePreprocessor.remove_cell_tags = ("remove_cell",)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="council")
    nb = nbformat.read(notebook, as_version=4)
    title = nb.metadata.get("title") or notebook.stem.replace("_", " ").capitalize()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    html.write_text(body, encoding="utf-8")


def chromium_path() -> str:
    """The system Chromium (``$CHROMIUM_PATH`` or Debian's), never a downloaded browser."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise BuildError("Chromium is not installed: run 'make setup' (Debian package 'chromium')")


def to_pdf(html: Path, pdf: Path) -> None:
    """Print the HTML to an A4 PDF with the system Chromium."""
    with tempfile.TemporaryDirectory(prefix="scrutiny-chromium-") as profile:
        command = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise BuildError(f"Chromium could not print the PDF (exit {result.returncode}): {result.stderr[-2000:]}")


def build_report(notebook: Path, out_dir: Path, financial_year: str, quarter: int, council: str, data_dir: str,
                 comparator: str | None = None) -> list[Path]:
    """Run every step into a staging folder and publish the results together."""
    root = project_root()
    name = notebook.stem
    started = time.monotonic()
    say(f"{name} {financial_year} Q{quarter}: checking inputs in {data_dir}")
    preflight(root / data_dir if not Path(data_dir).is_absolute() else Path(data_dir), financial_year, quarter, council,
              name, comparator)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=out_dir))
    executed = staging / f"{name}.ipynb"
    try:
        say(f"{name}: running the notebook (papermill)")
        parameters = {
            "financial_year": financial_year,
            "quarter": quarter,
            "council_code": council,
            "data_dir": str(data_dir),
            "output_dir": str(staging),
        }
        if comparator:
            parameters["comparator"] = comparator
        try:
            execute(notebook, executed, parameters, root / "notebooks")
        except BuildError:
            failed = root / "build" / "failed" / f"{name}-{financial_year}-q{quarter}.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            if executed.exists():
                shutil.copy2(executed, failed)
                say(f"{name}: the failed notebook is kept at {failed}")
            raise
        say(f"{name}: exporting HTML (nbconvert)")
        to_html(executed, staging / f"{name}.html")
        say(f"{name}: printing the PDF (Chromium)")
        to_pdf(staging / f"{name}.html", staging / f"{name}.pdf")
        published = []
        for path in sorted(staging.iterdir()):
            target = out_dir / path.name
            os.replace(path, target)
            published.append(target)
        say(f"{name}: done in {time.monotonic() - started:.1f} s: " + ", ".join(p.name for p in published))
        return published
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.build", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="run a report notebook and export HTML and PDF")
    report.add_argument("notebook", type=Path)
    report.add_argument("--financial-year", required=True)
    report.add_argument("--quarter", type=int, required=True)
    report.add_argument("--council", default="E10000018")
    report.add_argument("--data", default="data/raw")
    report.add_argument("--out", type=Path, required=True)
    report.add_argument("--comparator", default=None, help="benchmarking comparator group (default: the notebook's)")
    convert = sub.add_parser("notebook", help="write the .ipynb of a jupytext percent script")
    convert.add_argument("script", type=Path)
    convert.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if args.command == "notebook":
        notebook_from_script(args.script, args.notebook)
        return 0
    from ..context import MissingInputsError
    from ..inputs import InputError

    try:
        build_report(args.notebook, args.out, args.financial_year, args.quarter, args.council, args.data, args.comparator)
    except (InputError, MissingInputsError, BuildError, ValueError) as err:
        say(f"FAILED: {err}")
        say("earlier reports were left as they were")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
