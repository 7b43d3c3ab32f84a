"""Faults and bad inputs: each ends with a clear message and leaves the published reports as they were.

Every bad-input case runs the real build entry point (``build.main``) against a folder holding a
previously published report, and asserts the exit code, a message naming the file, line and
column, that the previous report is byte-identical and that no staging folder or partial file is
left. Interruptions are real signals sent to a real build (marked slow where papermill runs).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, edit_lines
from scrutiny.inputs import InputWarning, load_inputs
from scrutiny.publishing import build
from scrutiny.publishing.tables import write_csv
from scrutiny.publishing.text import markdown_text, starts_like_formula

PYTHON = sys.executable
HOSTILE = 'Heritage <script>alert(1)</script> <img src=x onerror=alert(2)>'


# --- fixtures and helpers ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def notebooks(tmp_path_factory) -> dict[str, Path]:
    """The fixture reports as notebooks: an empty one and one whose kernel sleeps."""
    folder = tmp_path_factory.mktemp("notebooks")
    made = {}
    for name in ("empty_report", "slow_report"):
        made[name] = folder / f"{name}.ipynb"
        build.notebook_from_script(ROOT / "tests" / "fixtures" / f"{name}.py", made[name])
    return made


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    """A quarter folder holding an earlier build of the empty report, with its manifest."""
    out = tmp_path / "reports" / "2025-26" / "q3"
    staging = tmp_path / "earlier"
    staging.mkdir()
    (staging / "empty_report.html").write_text("<html><head></head><body>the report the committee has</body></html>")
    (staging / "empty_report.pdf").write_bytes(b"%PDF-1.4 earlier")
    (staging / "empty_report_table.csv").write_text("figure\n1\n")
    out.mkdir(parents=True)
    build.publish(staging, out, "empty_report", {"financial_year": "2025-26"})
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of a folder (recursively) with its bytes; folders map to b'<dir>'."""
    return {str(p.relative_to(folder)): (b"<dir>" if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def assert_clean(folder: Path) -> None:
    """No staging folder and no partial file anywhere under ``folder``."""
    leftovers = [p.name for p in folder.rglob("*") if ".staging-" in p.name or ".partial" in p.name]
    assert leftovers == []


def assert_manifest_matches(folder: Path, name: str) -> None:
    """The manifest lists exactly the report's files in the folder, with their current hashes."""
    manifest = json.loads((folder / f"{name}.manifest.json").read_text())
    for file, facts in manifest["files"].items():
        assert build.sha256_file(folder / file) == facts["sha256"], file
    on_disk = {p.name for p in folder.iterdir() if p.name.startswith(name) and not p.name.endswith(".manifest.json")}
    assert on_disk == set(manifest["files"])


def run_build(notebook: Path, out: Path, capsys, *, data: Path | str = "data/raw", fy: str = "2025-26",
              quarter: int = 3, council: str = "E10000018") -> tuple[int, str]:
    code = build.main(["report", str(notebook), "--financial-year", fy, "--quarter", str(quarter),
                       "--council", council, "--data", str(data), "--out", str(out)])
    return code, capsys.readouterr().err


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace_on_line(path: Path, needle: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` on the first line containing ``needle``; return that line's number."""
    number = line_of(path, needle)
    edit_lines(path, lambda lines: [line.replace(old, new, 1) if i == number - 1 else line for i, line in enumerate(lines)])
    return number


HERITAGE_Q3 = "heritage_visits,2025-04-01,2025-12-31"


# --- bad inputs: one clear message, nothing written ----------------------------------------------

def _missing_column(raw):
    edit_lines(raw / "observations.csv", lambda ls: [ls[0].replace(",denominator", ""), *ls[1:]])
    return "observations.csv", "line 1: missing column(s) 'denominator'"


def _unknown_metric(raw):
    n = replace_on_line(raw / "observations.csv", HERITAGE_Q3, "heritage_visits,", "heritage_vists,")
    return "observations.csv", f"line {n}, column 'metric_id': metric_id is not in metrics.csv (metric_id=heritage_vists)"


def _numerator_above_denominator(raw):
    n = replace_on_line(raw / "observations.csv", "1286,1468", "1286,1468", "1568,1468")
    return "observations.csv", f"line {n}, column 'numerator': numerator must not exceed denominator"


def _negative_count(raw):
    n = replace_on_line(raw / "observations.csv", HERITAGE_Q3, ",119244,", ",-119244,")
    return "observations.csv", f"line {n}, column 'value': value must not be negative (value=-119244)"


def _duplicate_rows(raw):
    n = line_of(raw / "observations.csv", HERITAGE_Q3)
    edit_lines(raw / "observations.csv", lambda ls: [*ls, ls[n - 1]])
    return "observations.csv", f"line {n}, column 'metric_id': duplicate row"


def _text_number(text, hint):
    def case(raw):
        n = replace_on_line(raw / "observations.csv", HERITAGE_Q3, ",119244,", f",{text},")
        return "observations.csv", f"line {n}, column 'value': expected a plain number such as 1234.5 ({hint})"
    return case


def _windows_1252_pound(raw):
    path = raw / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",", ",£", 1)
    path.write_bytes("\n".join(lines).encode("cp1252") + b"\n")
    return "sources.csv", "line 2: the file is not UTF-8: byte b'\\xa3' at position"


def _empty_file(raw):
    (raw / "targets.csv").write_text("")
    return "targets.csv", "the file is empty"


def _header_only_targets(raw):
    path = raw / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return "targets.csv", "the file has a header but no rows, yet metrics.csv rates"


def _uk_date(raw):
    n = replace_on_line(raw / "targets.csv", "2025-12-31,121588", "2025-12-31,121588", "31/03/2026,121588")
    return "targets.csv", f"line {n}, column 'period_end': expected a date as YYYY-MM-DD, found '31/03/2026'"


def _impossible_date(raw):
    n = replace_on_line(raw / "targets.csv", "2025-12-31,121588", "2025-12-31,121588", "2026-02-30,121588")
    return "targets.csv", f"line {n}, column 'period_end': expected a real date as YYYY-MM-DD, found '2026-02-30'"


def _truncated_row(raw):
    path = raw / "observations.csv"
    n = line_of(path, HERITAGE_Q3)
    edit_lines(path, lambda ls: [line.rsplit(",", 3)[0] if i == n - 1 else line for i, line in enumerate(ls)])
    return "observations.csv", f"line {n}: expected 14 fields, one per column of the header, found 11; the row looks cut short"


def _unquoted_comma_after_blank_and_multiline_cells(raw):
    path = raw / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    note_row = lines[1].split(",")
    note_row[10] = '"a note\nover two lines"'  # the 'note' column, quoted across a line break
    lines[1:2] = ["", ",".join(note_row)]  # a blank line, then the row spread over two lines
    bad = next(i for i, line in enumerate(lines) if HERITAGE_Q3 in line)
    lines[bad] = lines[bad].replace(",actual,", ",actual,one, ", 1)  # an unquoted comma: one field too many
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real_line = path.read_text(encoding="utf-8").splitlines().index(lines[bad]) + 1
    return "observations.csv", f"line {real_line}: expected 14 fields, one per column of the header, found 15; a comma inside"


def _unclosed_quote(raw):
    path = raw / "targets.csv"
    n = replace_on_line(path, "2025-12-31,121588", ",Q3 milestone,", ',"Q3 milestone,')
    return "targets.csv", f"line {n}: a quoted value is never closed"


def _figure(text, expected):
    def case(raw):
        n = replace_on_line(raw / "observations.csv", HERITAGE_Q3, ",119244,", f",{text},")
        return "observations.csv", f"line {n}, column 'value': {expected}"
    return case


def _percentage_above_100(raw):
    path = raw / "observations.csv"
    n = replace_on_line(path, "1286,1468", ",87.6,", ",187.6,")
    return "observations.csv", f"line {n}, column 'value': a percentage must not be above 100"


def _description(text, expected):
    def case(raw):
        path = raw / "metrics.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[frame["metric_id"] == "heritage_visits", "description"] = text
        frame.to_csv(path, index=False)
        n = line_of(path, "heritage_visits,")
        return "metrics.csv", f"line {n}, column 'description': {expected}"
    return case


def _conflicting_targets(raw):
    path = raw / "targets.csv"
    n = line_of(path, "2025-12-31,121588")
    edit_lines(path, lambda ls: [*ls, ls[n - 1].replace(",121588,", ",99999,")])
    return "targets.csv", f"line {n}, column 'metric_id': duplicate target"


BAD_INPUTS = {
    "missing column": _missing_column,
    "unknown metric": _unknown_metric,
    "numerator above denominator": _numerator_above_denominator,
    "negative count": _negative_count,
    "duplicate rows": _duplicate_rows,
    "25.1k": _text_number("119.2k", "write 25100, not 25.1k"),
    "1,234": _text_number('"119,244"', "write 1234, without thousands separators"),
    "67.8%": _text_number("67.8%", "write 87.1, without the % sign"),
    "Windows-1252 pound sign": _windows_1252_pound,
    "empty file": _empty_file,
    "header only": _header_only_targets,
    "31/03/2026": _uk_date,
    "2026-02-30": _impossible_date,
    "truncated row": _truncated_row,
    "line numbers after blank and multi-line cells": _unquoted_comma_after_blank_and_multiline_cells,
    "EOF inside a quoted value": _unclosed_quote,
    "NaN": _figure("NaN", "expected a plain number such as 1234.5 (leave the cell empty"),
    "inf": _figure("inf", "expected a plain number such as 1234.5 (leave the cell empty"),
    "1e308": _figure("1e308", "a figure must be a finite number no larger than 1e+12"),
    "1e999 (overflows to inf)": _figure("1e999", "a figure must be a finite number no larger than 1e+12"),
    "percentage above 100": _percentage_above_100,
    "100,000-character description": _description("x" * 100_000, "text must be at most 1000 characters"),
    "formula injection": _description('=HYPERLINK("http://evil","x")', "text must not start with =, +, -, @"),
    "formula after a tab": _description('\t@SUM(A1)', "text must not start with =, +, -, @"),
    "conflicting duplicate targets": _conflicting_targets,
}


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_stops_with_file_line_column(case, raw_copy, published, notebooks, capsys):
    file, expected = case(raw_copy)
    before = snapshot(published)
    code, err = run_build(notebooks["empty_report"], published, capsys, data=raw_copy)
    assert code == 1
    assert f"{raw_copy / file}:" in err
    assert expected in err
    assert "Traceback" not in err
    assert snapshot(published) == before
    assert_clean(published.parent.parent)


PARAMETERS = {
    "unknown council": ({"council": "E99999999"}, "COUNCIL=E99999999 is not in"),
    "FY=2030-31": ({"fy": "2030-31"}, "has no row for E10000018 2030-31 quarter 3"),
    "FY=garbage": ({"fy": "garbage"}, "FY='garbage' is not a financial year: write it as 2025-26"),
    "FY=2025/26": ({"fy": "2025/26"}, "FY='2025/26' is not a financial year"),
    "quarter missing from the calendar": ({"quarter": 2}, "has no row for E10000018 2025-26 quarter 2"),
    "DATA= a missing folder": ({"data": "/nonexistent/raw"}, "DATA=/nonexistent/raw: no such folder"),
}


@pytest.mark.parametrize(("arguments", "expected"), PARAMETERS.values(), ids=PARAMETERS.keys())
def test_bad_parameters_stop_before_any_path_is_made(arguments, expected, published, notebooks, capsys, tmp_path):
    fy = arguments.get("fy", "2025-26")
    out = tmp_path / "reports" / fy / f"q{arguments.get('quarter', 3)}"
    target = published if fy == "2025-26" and "quarter" not in arguments else out
    before = snapshot(tmp_path / "reports")
    code, err = run_build(notebooks["empty_report"], target, capsys, **arguments)
    assert code == 1
    assert expected in err
    assert len([line for line in err.splitlines() if "FAILED" in line]) == 1
    assert snapshot(tmp_path / "reports") == before  # no folder made for a bad FY, nothing changed


def test_any_council_reports_take_the_home_councils_calendar():
    assert build.check_parameters("2025-26", 3, "E10000007", "data/raw", any_council=True) == "E10000018"
    with pytest.raises(build.ParameterError, match="not an ONS council code"):
        build.check_parameters("2025-26", 3, "E1000000<", "data/raw", any_council=True)
    with pytest.raises(build.ParameterError, match="COUNCIL=E10000007 is not in data/raw/councils.csv"):
        build.check_parameters("2025-26", 3, "E10000007", "data/raw")


def test_make_refuses_another_council_instead_of_answering_with_old_reports(published):
    before = snapshot(published)
    result = subprocess.run(["make", "q3", f"REPORTS={published.parent.parent}", "COUNCIL=E99999999", f"PYTHON={PYTHON}"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "COUNCIL=E99999999 is not in data/raw/councils.csv" in result.stderr
    assert snapshot(published) == before


def test_make_keeps_published_reports_on_interrupt():
    listing = subprocess.run(["make", "-pn", "help", "FY=2025-26"], cwd=ROOT, capture_output=True, text=True).stdout
    precious = next(line for line in listing.splitlines() if line.startswith(".PRECIOUS:"))
    assert "reports/2025-26/q%/quarterly_dashboard.manifest.json" in precious
    assert "reports/2025-26/q%/.parameters" in precious


# --- inputs that are fine --------------------------------------------------------------------------

def test_utf8_bom_and_crlf_are_accepted(raw_copy):
    expected = load_inputs(raw_copy).observations
    path = raw_copy / "observations.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    pd.testing.assert_frame_equal(load_inputs(raw_copy).observations, expected)


def test_a_dash_or_a_negative_number_in_text_is_not_a_formula(raw_copy):
    replace_on_line(raw_copy / "observations.csv", HERITAGE_Q3, ",actual,,", ",actual,-,")
    load_inputs(raw_copy)
    assert not starts_like_formula("-") and not starts_like_formula("-12.5") and not starts_like_formula("–")
    assert starts_like_formula("-A1") and starts_like_formula("+cmd") and starts_like_formula("\r=1")


def test_an_unknown_extra_column_is_warned_about(raw_copy):
    edit_lines(raw_copy / "targets.csv", lambda ls: [ls[0] + ",lable", *(line + "," for line in ls[1:])])
    with pytest.warns(InputWarning, match=r"targets.csv: column\(s\) 'lable' are not used"):
        load_inputs(raw_copy)


# --- hostile text: shown, never run -----------------------------------------------------------------

def test_markdown_text_cannot_carry_html_or_markdown():
    text = markdown_text(HERITAGE_Q3 + " " + HOSTILE + " [x](javascript:alert(3)) **bold**\n# heading")
    assert "<" not in text and ">" not in text
    assert "](" not in text and "**" not in text and "\n" not in text


def test_csv_cells_cannot_run_as_formulas(tmp_path):
    frame = pd.DataFrame({"description": ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "\tx", "-", "-5", "plain"],
                          "value": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    path = write_csv(frame, tmp_path / "table.csv")
    cells = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert cells["description"].tolist() == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'@SUM(A1)", "'\tx", "-", "-5", "plain"]
    assert cells["value"].tolist() == ["1.5", "-2", "3", "4", "5", "6", "7"]
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_html_without_the_no_script_policy_is_not_printed(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head></head><body><script>document.title='x'</script></body></html>")
    with pytest.raises(build.BuildError, match="no-script policy"):
        build.to_pdf(page, tmp_path / "page.pdf")


def test_script_in_a_report_does_not_run_when_printed(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(build.block_scripts(
        "<html><head></head><body><p id=x>ORIGINAL TEXT</p>"
        "<script>document.getElementById('x').textContent='SCRIPT RAN'; alert(1)</script>"
        "<img src=x onerror=\"document.body.textContent='ONERROR RAN'\"></body></html>"))
    started = time.monotonic()
    build.to_pdf(page, tmp_path / "page.pdf", timeout=60)
    text = subprocess.run(["pdftotext", str(tmp_path / "page.pdf"), "-"], capture_output=True, text=True).stdout
    assert "ORIGINAL TEXT" in text and "RAN" not in text
    assert time.monotonic() - started < 60  # alert() did not hang the print


# --- file-system faults and a missing browser ----------------------------------------------------------

def test_chromium_missing_from_path_names_make_setup(published, notebooks, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    before = snapshot(published)
    code, err = run_build(notebooks["empty_report"], published, capsys)
    assert code == 1
    assert "Chromium is not on PATH" in err and "run 'make setup'" in err
    assert snapshot(published) == before
    assert_clean(published)


@pytest.mark.parametrize(("number", "advice"), [(errno.EROFS, "the folder is read-only"), (errno.ENOSPC, "the disk is full")])
def test_read_only_folder_and_full_disk_end_in_one_line(number, advice, published, notebooks, capsys, monkeypatch):
    def failing_execute(notebook, output, parameters, cwd):
        (output.parent / "half-written.csv").write_text("figure\n1")
        raise OSError(number, os.strerror(number), str(output.parent / "half-written.csv"))

    monkeypatch.setattr(build, "execute", failing_execute)
    before = snapshot(published)
    code, err = run_build(notebooks["empty_report"], published, capsys)
    assert code == 1
    failed = [line for line in err.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and advice in failed[0] and "half-written.csv" in failed[0]
    assert "Traceback" not in err
    assert snapshot(published) == before
    assert_clean(published)


def test_a_report_folder_holds_exactly_one_build(published, tmp_path):
    staging = tmp_path / "next"
    staging.mkdir()
    (staging / "empty_report.html").write_text("<html><head></head><body>the new build</body></html>")
    (staging / "empty_report.pdf").write_bytes(b"%PDF-1.4 new")
    build.publish(staging, published, "empty_report", {"financial_year": "2025-26"})
    assert not (published / "empty_report_table.csv").exists()  # the earlier build's table is gone
    assert_manifest_matches(published, "empty_report")
    assert list(staging.iterdir()) == []


def test_a_killed_builds_staging_folder_is_removed_by_the_next(published):
    dead = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    abandoned = published / f".empty_report.staging-{dead}-abc"
    abandoned.mkdir()
    (abandoned / "empty_report.html").write_text("half")
    running = published / f".empty_report.staging-{os.getpid()}-def"
    running.mkdir()
    build.remove_abandoned_staging(published, "empty_report")
    assert not abandoned.exists() and running.exists()


# --- interrupted and concurrent builds (real processes) ----------------------------------------------

def _start_build(notebook: Path, out: Path, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "scrutiny.publishing.build", "report", str(notebook), "--financial-year", "2025-26",
         "--quarter", "3", "--out", str(out)],
        cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(process: subprocess.Popen, needle: str, timeout: float = 120) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} never appeared:\n{''.join(seen)}")


@pytest.mark.slow
@pytest.mark.parametrize("step", ["papermill", "nbconvert", "chromium"])
def test_build_interrupted_at_each_step_leaves_the_previous_report(step, published, notebooks):
    before = snapshot(published)
    if step == "papermill":  # a kernel really running the notebook, as in the reported fault
        process = _start_build(notebooks["slow_report"], published, SLOW_REPORT_SECONDS="60")
        _wait_for(process, "running the notebook")
        time.sleep(4)
    else:
        process = _start_build(notebooks["empty_report"], published, SCRUTINY_PAUSE_AT=step)
        _wait_for(process, f"pausing at {step}")
    os.killpg(process.pid, signal.SIGTERM)  # the whole process group, as make's ^C or a kill would
    rest = process.communicate(timeout=60)[1]
    assert process.returncode == 128 + signal.SIGTERM
    assert "interrupted (SIGTERM); no report was left half-built or half-published" in rest
    assert snapshot(published) == before
    assert_clean(published)


@pytest.mark.slow
def test_build_interrupted_while_publishing_completes_the_publication(published, notebooks):
    process = _start_build(notebooks["empty_report"], published, SCRUTINY_PAUSE_AT="publish", SCRUTINY_PAUSE_SECONDS="3")
    _wait_for(process, "pausing at publish")
    os.killpg(process.pid, signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM  # acted on once the report is whole
    assert_manifest_matches(published, "empty_report")
    assert "the report the committee has" not in (published / "empty_report.html").read_text()
    assert not (published / "empty_report_table.csv").exists()
    assert_clean(published)


@pytest.mark.slow
def test_two_concurrent_builds_both_succeed_and_publish_whole_reports(published, notebooks):
    processes = [_start_build(notebooks["slow_report"], published) for _ in range(2)]
    for process in processes:
        process.communicate(timeout=300)
        assert process.returncode == 0
    assert_manifest_matches(published, "slow_report")
    assert_manifest_matches(published, "empty_report")  # the other report in the folder is untouched
    assert (published / "slow_report_table.csv").read_text().splitlines() == ["figure", "'=1+1", "-", "-5"]
    assert_clean(published)


@pytest.mark.slow
def test_hostile_text_is_shown_not_run_in_the_dashboard(raw_copy, tmp_path, capsys):
    frame = pd.read_csv(raw_copy / "metrics.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["metric_id"] == "heritage_visits", "description"] = HOSTILE
    frame.to_csv(raw_copy / "metrics.csv", index=False)
    councils = pd.read_csv(raw_copy / "councils.csv", dtype=str, keep_default_na=False)
    councils["council_name"] = "Leicestershire <script>document.body.innerHTML='HACKED'</script> *Council*"
    councils.to_csv(raw_copy / "councils.csv", index=False)
    out = tmp_path / "q3"
    code, err = run_build(ROOT / "notebooks" / "quarterly_dashboard.ipynb", out, capsys, data=raw_copy)
    assert code == 0, err
    page = (out / "quarterly_dashboard.html").read_text()
    assert build.CSP_META in page
    assert "<script>alert(1)" not in page and "<script>document.body" not in page
    assert "<img src=x onerror" not in page and "<img src=\"x\" onerror" not in page
    text = subprocess.run(["pdftotext", str(out / "quarterly_dashboard.pdf"), "-"], capture_output=True, text=True).stdout
    assert "HACKED" not in text.replace("innerHTML='HACKED'", "")
    assert "<script>alert(1)</script>" in " ".join(text.split())  # shown as the words it is
    assert "*Council*" in " ".join(text.split())


def test_the_kernel_is_not_interrupted_when_papermill_shuts_it_down(tmp_path, monkeypatch):
    """jupyter_client interrupts a kernel before shutting it down; after the last cell that SIGINT
    only printed "KeyboardInterrupt caught in kernel" into make's output, so it is not sent."""
    import asyncio

    from jupyter_client.manager import KernelManager

    from scrutiny.publishing import build

    interrupts = []

    async def interrupt(self):
        interrupts.append(self.shutting_down)

    monkeypatch.setattr(KernelManager, "_async_interrupt_kernel", interrupt)
    monkeypatch.setattr(build, "_KERNELS", [])
    manager = build._ipc_kernel_manager(tmp_path)(kernel_name="python3")
    manager.shutting_down = True
    asyncio.run(manager._async_interrupt_kernel())
    assert interrupts == []
    manager.shutting_down = False  # a user's interrupt of a running cell still goes through
    asyncio.run(manager._async_interrupt_kernel())
    assert interrupts == [False]
