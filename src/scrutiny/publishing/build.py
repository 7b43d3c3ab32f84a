"""Build one report: check the parameters and inputs, run the notebook, export HTML and PDF, publish.

Usage (the Makefile calls this)::

    python -m scrutiny.publishing.build parameters --financial-year 2025-26 --quarter 3 \\
        --council E10000018 --data data/raw --stamp reports/2025-26/q3/.parameters

    python -m scrutiny.publishing.build report notebooks/quarterly_dashboard.ipynb \\
        --financial-year 2025-26 --quarter 3 --council E10000018 --data data/raw \\
        --out reports/2025-26/q3

    python -m scrutiny.publishing.build notebook notebooks/quarterly_dashboard.py notebooks/quarterly_dashboard.ipynb

What survives what:

* Every step writes into a staging folder ``<out>/.<report>.staging-<pid>-*``; nothing in ``<out>``
  changes until every step has succeeded. A failure, SIGINT, SIGTERM or SIGHUP removes the staging
  folder and leaves the previous report byte-identical (a SIGKILLed build's folder is removed by the
  next build).
* A report is published as one unit: its files are moved in under a lock on ``<out>`` with the
  interrupt signals held back, then ``<report>.manifest.json`` (files, sizes, SHA-256, parameters) is
  written last, and files of the previous build that the new one no longer writes are deleted. The
  manifest always describes exactly the files in the folder for that report.
* Every HTML report carries a Content-Security-Policy that forbids script, and Chromium prints it
  with a timeout, so text in a report can neither run script nor hang the print.

``SCRUTINY_PAUSE_AT=<step>`` (``papermill``, ``nbconvert``, ``chromium``, ``publish``) pauses the build
for ``SCRUTINY_PAUSE_SECONDS`` (default 30) at that step; the fault tests use it to interrupt each step.
"""

from __future__ import annotations

import argparse
import csv
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
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
    "--disable-extensions",
    "--no-first-run",
    "--no-pdf-header-footer",
]
#: Text in a report must never run as script, in a browser or while printing (no alert() hang, no
#: rewritten page). Chromium 156 prints nothing with --blink-settings=scriptEnabled=false, so the
#: policy travels in the HTML itself: every exported report carries it and to_pdf refuses to print
#: a page without it.
CONTENT_SECURITY_POLICY = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

#: Seconds Chromium may take to print one report before the build fails.
PDF_TIMEOUT = 120
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
ONS_COUNCIL = re.compile(r"^E(06|07|08|09|10)\d{6}$")
INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STEPS = ("papermill", "nbconvert", "chromium", "publish")


class BuildError(RuntimeError):
    """A step of the build failed; the message says which and why."""


class ParameterError(BuildError):
    """A make parameter (FY, quarter, COUNCIL, DATA) is not usable; nothing has been written."""


class Interrupted(BaseException):
    """The build received SIGTERM or SIGHUP (SIGINT raises KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


def resolve_data(data_dir: str | Path) -> Path:
    """The data folder as an absolute path (relative paths are from the project root)."""
    path = Path(data_dir)
    return path if path.is_absolute() else project_root() / path


def check_parameters(financial_year: str, quarter: int, council: str, data_dir: str | Path,
                     any_council: bool = False) -> str:
    """Check the make parameters before any path is made, with the standard library only (fast).

    The financial year must be written ``2025-26``; the data folder must exist and list the council
    in ``councils.csv`` and the quarter in ``reporting_calendar.csv``. With ``any_council`` (a report
    that benchmarks any English council from the national tables) the council need only be an ONS
    code, and the quarter's calendar is the home council's (the first in ``councils.csv``).
    Returns the council whose inputs fix the quarter.
    """
    match = FINANCIAL_YEAR.match(financial_year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ParameterError(f"FY={financial_year!r} is not a financial year: write it as 2025-26")
    if quarter not in (1, 2, 3, 4):
        raise ParameterError(f"quarter {quarter} is not 1, 2, 3 or 4")
    folder = resolve_data(data_dir)
    if not folder.is_dir():
        raise ParameterError(f"DATA={data_dir}: no such folder (expected the council's input tables, such as data/raw)")
    councils = _csv_rows(folder / "councils.csv")
    known = [row.get("council_code", "") for row in councils]
    if any_council:
        if not ONS_COUNCIL.match(council):
            raise ParameterError(f"COUNCIL={council!r} is not an ONS council code such as E10000018")
        if not known:
            raise ParameterError(f"{Path(data_dir) / 'councils.csv'} lists no council to take the reporting calendar from")
        host = council if council in known else known[0]
    elif council not in known:
        raise ParameterError(
            f"COUNCIL={council} is not in {Path(data_dir) / 'councils.csv'} (known: {', '.join(known) or 'none'}); "
            "add a row for it first"
        )
    else:
        host = council
    calendar = _csv_rows(folder / "reporting_calendar.csv")
    if not any(row.get("council_code") == host and row.get("financial_year") == financial_year
               and row.get("quarter", "").strip() == str(quarter) for row in calendar):
        _explain_missing_quarter(folder, financial_year, quarter, host)
        raise ParameterError(
            f"{Path(data_dir) / 'reporting_calendar.csv'} has no row for {host} {financial_year} quarter {quarter}: "
            "add its cut-off and committee dates"
        )
    return host


def _explain_missing_quarter(folder: Path, financial_year: str, quarter: int, council: str) -> None:
    """Raise the full list of what the quarter lacks (the calendar row and its figures), when the inputs load."""
    from ..context import MissingInputsError
    from ..inputs import InputError

    try:
        preflight(folder, financial_year, quarter, council)
    except (InputError, MissingInputsError) as err:
        raise ParameterError(str(err)) from None


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ParameterError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def write_parameter_stamp(stamp: Path, financial_year: str, quarter: int, council: str, data_dir: str | Path) -> None:
    """Record the parameters a quarter's reports are built with, touching the file only on change.

    The Makefile makes every report depend on this stamp, so changing COUNCIL or DATA rebuilds
    (or fails) instead of answering with reports built for other parameters.
    """
    text = json.dumps({"financial_year": financial_year, "quarter": quarter, "council_code": council,
                       "data_dir": str(resolve_data(data_dir).resolve())}, indent=1) + "\n"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == text:
        return
    stamp.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(stamp, text.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling and a rename, so it is never seen half-written."""
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def preflight(data_dir: Path, financial_year: str, quarter: int, council: str) -> None:
    """Validate inputs and quarter coverage before anything runs (fails fast, writes nothing)."""
    import warnings

    from ..context import report_context
    from ..inputs import load_inputs

    from ..inputs import InputWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        inputs = load_inputs(data_dir)
        report_context(inputs, financial_year, quarter, council)
    for warning in caught:
        if issubclass(warning.category, InputWarning):
            say(f"warning: {warning.message}")


def pause_if_asked(step: str) -> None:
    """Hold the build at ``step`` when ``SCRUTINY_PAUSE_AT`` names it (the fault tests interrupt here)."""
    if os.environ.get("SCRUTINY_PAUSE_AT") == step:
        say(f"pausing at {step}")
        time.sleep(float(os.environ.get("SCRUTINY_PAUSE_SECONDS", "30")))


#: Kernels started by this process, so an interrupt can stop them (they run in their own session,
#: out of reach of a signal sent to the build's process group).
_KERNELS: list = []


def _ipc_kernel_manager(folder: Path):
    """A kernel manager talking over Unix sockets in ``folder`` (no TCP port, no transport warning)."""
    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs):
            kwargs.update(transport="ipc", ip=str(folder / "kernel"))
            super().__init__(**kwargs)
            _KERNELS.append(self)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client sends SIGINT before its shutdown request; papermill shuts the kernel
            # down only after the last cell, so that signal can only land in a message handler and
            # print "KeyboardInterrupt caught in kernel" into make's output. An interrupt of the
            # build kills the kernel directly (_stop_kernels), so nothing needs it.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


def _stop_kernels() -> None:
    """Kill the kernels this process started (on an interrupt; papermill's own shutdown never runs)."""
    for manager in _KERNELS:
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    _KERNELS.clear()


def execute(notebook: Path, output: Path, parameters: dict, cwd: Path) -> None:
    """Run a notebook with papermill; raise BuildError with the failing cell's error.

    Papermill runs in a worker thread so that the main thread stays free to act on SIGINT and
    SIGTERM at once (while papermill waits on the kernel, a signal would otherwise wait for the
    running cell to finish); on an interrupt the kernel is killed.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .notebook import BATCH_BUILD

    env_backend = os.environ.pop("MPLBACKEND", None)  # a forced backend would drop the charts
    env_batch = os.environ.get(BATCH_BUILD)
    os.environ[BATCH_BUILD] = "1"  # the kernel inherits it: no autoreload checks in a build
    sockets = Path(tempfile.mkdtemp(prefix="scrutiny-kernel-"))  # short path: socket names are limited
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                kernel_manager_class=_ipc_kernel_manager(sockets),
                cwd=str(cwd),
                progress_bar=False,
                # The executed notebook is written once, at the end or at the failing cell, not
                # before and after every cell (twice per cell, the whole notebook and its images).
                request_save_on_cell_execute=False,
                start_timeout=120,
                execution_timeout=900,
            )
        except BaseException as err:  # handed to the main thread
            outcome["error"] = err

    worker = threading.Thread(target=run, name="papermill", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    except BaseException:
        _stop_kernels()
        raise
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        if env_batch is None:
            os.environ.pop(BATCH_BUILD, None)
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    error = outcome.get("error")
    if isinstance(error, PapermillExecutionError):
        raise BuildError(f"the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue}")
    if error is not None:
        raise error
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
    html.write_text(block_scripts(body), encoding="utf-8")


def block_scripts(page: str) -> str:
    """The page with the no-script Content-Security-Policy as the first element of its head."""
    if CSP_META in page:
        return page
    head = re.search(r"<head[^>]*>", page, flags=re.IGNORECASE)
    if head is None:
        raise BuildError("the exported HTML has no <head> to carry the no-script policy")
    return page[: head.end()] + "\n" + CSP_META + page[head.end():]


def chromium_path() -> str:
    """The system Chromium: ``$CHROMIUM_PATH`` if set, else ``chromium`` on PATH (never a downloaded browser)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise BuildError(f"CHROMIUM_PATH={configured} is not an executable file; unset it or run 'make setup'")
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BuildError("Chromium is not on PATH, so the PDF cannot be printed: run 'make setup' "
                     "(it installs the Debian package 'chromium')")


def to_pdf(html: Path, pdf: Path, timeout: float = PDF_TIMEOUT) -> None:
    """Print the HTML to an A4 PDF with the system Chromium, script blocked, within ``timeout`` seconds."""
    if CSP_META not in html.read_text(encoding="utf-8", errors="replace"):
        raise BuildError(f"{html.name} does not carry the no-script policy; export it with to_html")
    with tempfile.TemporaryDirectory(prefix="scrutiny-chromium-") as profile:
        command = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BuildError(f"Chromium did not print {html.name} within {timeout:.0f} s") from None
    if result.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise BuildError(f"Chromium could not print the PDF (exit {result.returncode}): {result.stderr[-2000:]}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(out_dir: Path, name: str) -> Path:
    """Where a report's manifest lives: the list of the files its last published build wrote."""
    return out_dir / f"{name}.manifest.json"


def read_manifest(out_dir: Path, name: str) -> dict:
    path = manifest_path(out_dir, name)
    if not path.exists():
        return {"files": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {"files": {}}


@contextmanager
def publishing_lock(out_dir: Path):
    """Hold an exclusive lock on ``out_dir``, and hold back interrupt signals, while a report is published.

    Concurrent builds publish one after the other, and a signal arriving mid-publish is acted on
    only once the report's files and manifest are all in place. (Signal masks would not do: Python
    runs handlers in the main thread whichever thread the signal reached.)
    """
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: received.append(signum))
                for signum in INTERRUPT_SIGNALS}
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def publish(staging: Path, out_dir: Path, name: str, parameters: dict) -> list[Path]:
    """Move a finished build from ``staging`` into ``out_dir`` as one unit; return the published files.

    The manifest is written last; files the previous build of this report wrote and this one did not
    are then removed, so the folder holds exactly one build's files for the report.
    """
    files = sorted(path.name for path in staging.iterdir() if path.is_file())
    manifest = {
        "report": name,
        "parameters": parameters,
        "files": {file: {"bytes": (staging / file).stat().st_size, "sha256": sha256_file(staging / file)} for file in files},
    }
    with publishing_lock(out_dir):
        previous = read_manifest(out_dir, name)
        for file in files:
            os.replace(staging / file, out_dir / file)
            if file == files[0]:
                pause_if_asked("publish")
        write_atomically(manifest_path(out_dir, name), (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
        for stale in sorted(set(previous.get("files", {})) - set(files)):
            if "/" not in stale and stale != manifest_path(out_dir, name).name:
                (out_dir / stale).unlink(missing_ok=True)
    return [out_dir / file for file in files]


def remove_abandoned_staging(out_dir: Path, name: str) -> None:
    """Remove staging folders of builds that were killed outright (their process no longer runs)."""
    for folder in out_dir.glob(f".{name}.staging-*"):
        match = re.match(rf"\.{re.escape(name)}\.staging-(\d+)-", folder.name)
        if match and not _process_alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_report(notebook: Path, out_dir: Path, financial_year: str, quarter: int, council: str, data_dir: str,
                 any_council: bool = False, comparator: str | None = None,
                 extra: dict[str, str] | None = None) -> list[Path]:
    """Run every step into a staging folder and publish the results together.

    ``any_council``: the report benchmarks ``council`` from the national tables, which need not be
    in ``councils.csv`` (the quarter's inputs are then checked for the home council). ``extra``:
    further notebook parameters (such as ``cld_extract``), recorded in the manifest like the rest.
    """
    root = project_root()
    name = notebook.stem
    started = time.monotonic()
    host = check_parameters(financial_year, quarter, council, data_dir, any_council)
    say(f"{name} {financial_year} Q{quarter} {council}: checking inputs in {data_dir}")
    preflight(resolve_data(data_dir), financial_year, quarter, host)
    if name == "benchmarking":  # any council in the national lookup, and a known comparator group
        from ..benchmarking.report import preflight as benchmarking_preflight

        benchmarking_preflight(resolve_data(data_dir), financial_year, quarter, council, comparator or "nearest_neighbours")
    chromium_path()  # fail before the long steps, not after them
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(out_dir, name)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-{os.getpid()}-", dir=out_dir))
    executed = staging / f"{name}.ipynb"
    parameters = {
        "financial_year": financial_year,
        "quarter": quarter,
        "council_code": council,
        "data_dir": str(data_dir),
    }
    if comparator:
        parameters["comparator"] = comparator
    parameters.update(extra or {})
    try:
        say(f"{name}: running the notebook (papermill)")
        pause_if_asked("papermill")
        try:
            execute(notebook, executed, {**parameters, "output_dir": str(staging)}, root / "notebooks")
        except BuildError:
            failed = root / "build" / "failed" / f"{name}-{financial_year}-q{quarter}.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            if executed.exists():
                shutil.copy2(executed, failed)
                say(f"{name}: the failed notebook is kept at {failed}")
            raise
        say(f"{name}: exporting HTML (nbconvert)")
        pause_if_asked("nbconvert")
        to_html(executed, staging / f"{name}.html")
        say(f"{name}: printing the PDF (Chromium)")
        pause_if_asked("chromium")
        to_pdf(staging / f"{name}.html", staging / f"{name}.pdf")
        say(f"{name}: publishing to {out_dir}")
        published = publish(staging, out_dir, name, parameters)
        say(f"{name}: done in {time.monotonic() - started:.1f} s: " + ", ".join(p.name for p in published))
        return published
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def describe_os_error(err: OSError) -> str:
    """One line for a file-system failure, saying what to do about the usual ones."""
    where = f" {err.filename}" if err.filename else ""
    advice = {
        errno.EROFS: "the folder is read-only; choose another with REPORTS=...",
        errno.EACCES: "permission denied; check the folder's owner and permissions",
        errno.EPERM: "permission denied; check the folder's owner and permissions",
        errno.ENOSPC: "the disk is full; free some space and run make again",
        errno.EDQUOT: "the disk quota is exceeded; free some space and run make again",
    }.get(err.errno)
    if advice is None:
        return f"{err.strerror or err}:{where}"
    return f"cannot write{where}: {advice}"


def _raise_interrupted(signum, _frame):
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.publishing.build", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="run a report notebook and export HTML and PDF")
    report.add_argument("notebook", type=Path)
    params = sub.add_parser("parameters", help="check FY, quarter, council and data folder; update the stamp")
    params.add_argument("--stamp", type=Path, required=True)
    for command in (report, params):
        command.add_argument("--financial-year", required=True)
        command.add_argument("--quarter", type=int, required=True)
        command.add_argument("--council", default="E10000018")
        command.add_argument("--data", default="data/raw")
    report.add_argument("--out", type=Path, required=True)
    report.add_argument("--any-council", action="store_true",
                        help="the report benchmarks any English council, not only those in councils.csv")
    report.add_argument("--comparator", default=None, help="benchmarking comparator group (default: the notebook's)")
    report.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="another notebook parameter, such as cld_extract=/path/to/extract.parquet")
    convert = sub.add_parser("notebook", help="write the .ipynb of a jupytext percent script")
    convert.add_argument("script", type=Path)
    convert.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if any("=" not in item for item in getattr(args, "parameter", [])):
        parser.error("--parameter takes NAME=VALUE")
    if args.command == "notebook":
        notebook_from_script(args.script, args.notebook)
        return 0
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupted)
    try:
        if args.command == "parameters":
            check_parameters(args.financial_year, args.quarter, args.council, args.data)
            write_parameter_stamp(args.stamp, args.financial_year, args.quarter, args.council, args.data)
            return 0
        from ..context import MissingInputsError
        from ..inputs import InputError

        try:
            extra = dict(item.split("=", 1) for item in args.parameter)
            build_report(args.notebook, args.out, args.financial_year, args.quarter, args.council, args.data,
                         args.any_council, args.comparator, extra)
        except (InputError, MissingInputsError, ValueError) as err:
            raise BuildError(str(err)) from None
    except BuildError as err:
        say(f"FAILED: {err}")
        if args.command == "report":
            say("earlier reports were left as they were")
        return 1
    except OSError as err:
        say(f"FAILED: {describe_os_error(err)}")
        say("earlier reports were left as they were")
        return 1
    except (KeyboardInterrupt, Interrupted) as err:
        signum = err.signum if isinstance(err, Interrupted) else signal.SIGINT
        say(f"interrupted ({signal.Signals(signum).name}); no report was left half-built or half-published")
        return 128 + signum
    return 0


if __name__ == "__main__":
    sys.exit(main())
