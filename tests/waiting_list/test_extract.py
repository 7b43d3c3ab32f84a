"""Reading and validating work-tray extracts (CSV, Excel, parquet) through DuckDB."""

import pandas as pd
import pytest

from scrutiny.waiting_list.extract import COLUMNS, ExtractError, read_extract

GOOD = [
    ("R1", "P1", "care_act_assessment", "Charnwood", "standard", "2025-01-02", "2025-01-10"),
    ("R2", "P2", "carer_assessment", "Melton", "urgent", "2025-01-05", ""),
    ("R3", "P3", "annual_review", "Review Team East", "standard", "2025-03-01", "2025-02-20"),
    ("R4", "P4", "financial_residential", "Financial Assessment (residential)", "high", "2025-02-01", ""),
]


def write(tmp_path, rows, name="extract.csv", columns=COLUMNS):
    frame = pd.DataFrame(rows, columns=list(columns))
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".parquet"):
        frame.replace("", None).to_parquet(path, index=False)
    else:
        frame.replace("", None).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("name", ["extract.csv", "extract.parquet", "extract.xlsx"])
def test_reads_every_format_to_the_same_table(tmp_path, name):
    extract = read_extract(write(tmp_path, GOOD, name))
    table = extract.query("select * from requests order by request_id")
    assert extract.rows_read == 4 and extract.rows_used == 4 and extract.data_quality.empty
    assert table["allocated_date"].isna().tolist() == [False, True, False, True]
    # A review completed before it fell due is not a fault.
    assert str(table.loc[2, "allocated_date"])[:10] == "2025-02-20"


def test_missing_column_names_the_file_and_the_column(tmp_path):
    path = write(tmp_path, [row[:-1] for row in GOOD], columns=COLUMNS[:-1])
    with pytest.raises(ExtractError, match=r"extract.csv: missing column\(s\) allocated_date"):
        read_extract(path)


def test_unreadable_date_names_row_and_column(tmp_path):
    rows = GOOD + [("R5", "P5", "care_act_assessment", "Melton", "high", "2025-02-30", "")]
    with pytest.raises(ExtractError, match=r"row 6, column received_date: '2025-02-30'; expected a date"):
        read_extract(write(tmp_path, rows))


def test_unknown_queue_and_empty_required_cells_stop_the_run(tmp_path):
    with pytest.raises(ExtractError, match=r"row 3, column queue: 'carers'; expected one of care_act_assessment"):
        read_extract(write(tmp_path, [GOOD[0], (*GOOD[1][:2], "carers", *GOOD[1][3:])]))
    with pytest.raises(ExtractError, match=r"row 2, column team: empty; expected a value"):
        read_extract(write(tmp_path, [(*GOOD[0][:3], "", *GOOD[0][4:])]))


def test_record_faults_go_to_the_data_quality_table_and_are_left_out(tmp_path):
    rows = GOOD + [
        ("R5", "P5", "care_act_assessment", "Melton", "high", "2025-02-10", "2025-02-01"),  # allocated before received
        ("R1", "P9", "care_act_assessment", "Melton", "high", "2025-02-11", ""),  # duplicate request id
        ("R7", "P2", "carer_assessment", "Melton", "urgent", "2025-01-05", ""),  # same person, queue and date
        ("R8", "P8", "occupational_therapy", "OT North", "high", "1899-12-31", ""),  # impossible date
        ("R9", "P9", "carer_assessment", "Melton", "high", "2099-01-01", ""),  # received in the future
    ]
    extract = read_extract(write(tmp_path, rows))
    quality = extract.data_quality.set_index("check")
    assert quality.loc["allocated before received", "example_rows"] == "6"
    assert quality.loc["duplicate request id", "example_rows"] == "7"
    assert quality.loc["duplicate request (same person, queue and date received)", "example_rows"] == "8"
    assert quality.loc["date outside 2000-2100", "example_rows"] == "9"
    assert quality.loc["date in the future (only a review may fall due later)", "example_rows"] == "10"
    assert extract.rows_read == 9 and extract.rows_used == 4
    cells = set(extract.data_quality.astype(str).to_numpy().ravel())
    assert not cells & {"P2", "P5", "P8", "P9", "R1", "R5", "R7", "R8", "R9"}  # rows are named by line, not by id
    with pytest.raises(ExtractError, match=r"row 6, column allocated_date: allocated before received"):
        read_extract(write(tmp_path, rows), strict=True)


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "extract.json"
    path.write_text("{}")
    with pytest.raises(ExtractError, match="unsupported extract type"):
        read_extract(path)
