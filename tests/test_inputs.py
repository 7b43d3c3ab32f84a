"""Bad input gets a clear error naming the file, line and column, and leaves earlier reports intact."""

from pathlib import Path

import pytest

from conftest import edit_lines
from scrutiny.publishing import build
from scrutiny.context import MissingInputsError, report_context
from scrutiny.inputs import InputError, load_inputs


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_shipped_inputs_are_valid():
    inputs = load_inputs(Path(__file__).resolve().parents[1] / "data" / "raw")
    assert int(inputs.metrics["appendix"].sum()) == 25  # the rows of Appendix A
    assert set(inputs.observations["metric_id"]) == set(inputs.metrics.index)
    assert inputs.files["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_missing_column(raw_copy):
    path = raw_copy / "observations.csv"
    edit_lines(path, lambda lines: [",".join(c for c in line.split(",") if c != "denominator") if i == 0 else line
                                    for i, line in enumerate(lines)])
    with pytest.raises(InputError) as err:
        load_inputs(raw_copy)
    assert "observations.csv" in str(err.value)
    assert "missing column(s) 'denominator'" in str(err.value)


def test_unknown_metric(raw_copy):
    path = raw_copy / "observations.csv"
    number = line_of(path, "awaiting_assessment,2025-12-31")
    edit_lines(path, lambda lines: [line.replace("awaiting_assessment,", "awaiting_asessment,") if i == number - 1 else line
                                    for i, line in enumerate(lines)])
    with pytest.raises(InputError, match=rf"line {number}, column 'metric_id': metric_id is not in metrics.csv \(metric_id=awaiting_asessment\)"):
        load_inputs(raw_copy)


def test_numerator_above_denominator(raw_copy):
    path = raw_copy / "observations.csv"
    number = line_of(path, "1286,1468")
    edit_lines(path, lambda lines: [line.replace("1286,1468", "1568,1468") for line in lines])
    with pytest.raises(InputError) as err:
        load_inputs(raw_copy)
    message = str(err.value)
    assert f"line {number}, column 'numerator': numerator must not exceed denominator (numerator=1568, denominator=1468)" in message
    assert f"line {number}, column 'value': value disagrees with numerator/denominator" in message


def test_duplicate_rows(raw_copy):
    path = raw_copy / "observations.csv"
    number = line_of(path, "heritage_visits,2025-04-01,2025-12-31")
    edit_lines(path, lambda lines: lines + [lines[number - 1]])
    with pytest.raises(InputError) as err:
        load_inputs(raw_copy)
    assert f"line {number}, column 'metric_id': duplicate row" in str(err.value)
    assert "metric_id=heritage_visits, period_start=2025-04-01, period_end=2025-12-31" in str(err.value)


@pytest.mark.parametrize(
    ("bad", "hint"),
    [("119.2k", "write 25100, not 25.1k"), ('"119,244"', "without thousands separators"), ("87.6%", "without the % sign")],
)
def test_text_in_a_number_column(raw_copy, bad, hint):
    path = raw_copy / "observations.csv"
    number = line_of(path, "heritage_visits,2025-04-01,2025-12-31")
    edit_lines(path, lambda lines: [line.replace(",119244,", f",{bad},") for line in lines])
    with pytest.raises(InputError) as err:
        load_inputs(raw_copy)
    message = str(err.value)
    assert f"line {number}, column 'value': expected a plain number such as 1234.5" in message
    assert hint in message


def test_bad_date(raw_copy):
    path = raw_copy / "targets.csv"
    edit_lines(path, lambda lines: [line.replace("2025-12-31,121588", "31/12/2025,121588") for line in lines])
    with pytest.raises(InputError, match=r"targets.csv:\n  line \d+, column 'period_end': expected a date as YYYY-MM-DD, found '31/12/2025'"):
        load_inputs(raw_copy)


def test_excel_cp1252_csv_with_bom(raw_copy):
    path = raw_copy / "observations.csv"
    text = path.read_text(encoding="utf-8").replace("Survey is annual", "Survey’s annual", 1)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    with pytest.raises(InputError) as err:
        load_inputs(raw_copy)
    message = str(err.value)
    assert "observations.csv" in message and "not UTF-8" in message
    assert "Windows-1252" in message and "'’'" in message
    assert f"line {line_of_text(text, 'Survey’s annual')}" in message


def line_of_text(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_utf8_csv_with_bom_is_accepted(raw_copy):
    path = raw_copy / "metrics.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert int(load_inputs(raw_copy).metrics["appendix"].sum()) == 25


def test_quarter_with_no_data(raw_copy):
    path = raw_copy / "reporting_calendar.csv"
    edit_lines(path, lambda lines: lines + ["E10000018,2025-26,2,2025-11-20,2025-11-24,,"])
    inputs = load_inputs(raw_copy)
    with pytest.raises(MissingInputsError) as err:
        report_context(inputs, "2025-26", 2, "E10000018")
    message = str(err.value)
    assert "no figures for 30 September 2025 (the quarter end) published by 20 November 2025" in message
    assert "heritage_visits" in message and "annual_reviews" in message
    assert "reporting_calendar.csv" not in message


def test_quarter_missing_from_calendar_names_both_inputs():
    inputs = load_inputs(Path(__file__).resolve().parents[1] / "data" / "raw")
    with pytest.raises(MissingInputsError) as err:
        report_context(inputs, "2025-26", 2, "E10000018")
    assert "reporting_calendar.csv has no row for E10000018 2025-26 quarter 2" in str(err.value)
    assert "observations.csv has no figures for 30 September 2025" in str(err.value)


def test_unknown_council():
    inputs = load_inputs(Path(__file__).resolve().parents[1] / "data" / "raw")
    with pytest.raises(MissingInputsError, match="council 'E99999999' is not in data/raw/councils.csv"):
        report_context(inputs, "2025-26", 3, "E99999999")


def test_bad_input_leaves_earlier_reports_intact(raw_copy, tmp_path, capsys):
    out = tmp_path / "reports" / "2025-26" / "q3"
    out.mkdir(parents=True)
    earlier = out / "quarterly_dashboard.html"
    earlier.write_text("the report the committee already has")
    edit_lines(raw_copy / "observations.csv", lambda lines: [line.replace(",119244,", ",119.2k,") for line in lines])
    code = build.main(["report", "notebooks/quarterly_dashboard.ipynb", "--financial-year", "2025-26",
                       "--quarter", "3", "--data", str(raw_copy), "--out", str(out)])
    assert code == 1
    assert earlier.read_text() == "the report the committee already has"
    assert sorted(p.name for p in out.iterdir()) == ["quarterly_dashboard.html"]
    assert "expected a plain number" in capsys.readouterr().err
