"""Reading CLD extracts: both releases' headers, clear errors for bad files, the data-quality table."""

import pandas as pd
import pytest

from scrutiny.cld.extract import ExtractError, data_quality, map_headers, open_extract

R2_HEADERS = ["LA Code", "NHS Number", "LA Person Unique Identifier", "Date of Birth", "Gender", "Client Type",
              "Event Type", "Event Start Date", "Event End Date", "Event Outcome", "Service Type",
              "Service Component", "Request: Route of Access", "Accommodation Status"]


def write(tmp_path, rows, headers=R2_HEADERS, name="extract.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=headers).to_csv(path, index=False)
    return path


GOOD = ["X01", "111", "L1", "1950-03-14", "Female", "Service User", "Request", "2025-05-01", "2025-05-03",
        "Progress to Assessment", None, None, "Community / Other route", "Tenant"]


def test_release_1_and_2_headers_and_values_map(tmp_path):
    r1 = dict(zip(R2_HEADERS, GOOD, strict=True))
    r1["Route of Access"] = r1.pop("Request: Route of Access")
    path = tmp_path / "r1.csv"
    pd.DataFrame([r1]).to_csv(path, index=False)
    frame = open_extract(path).frame()
    row = frame.iloc[0]
    assert row["Request_Route_of_Access"] == "Community / Other route"
    assert (row["Der_Birth_Year"], row["Der_Birth_Month"]) == (1950, 3)
    assert row["Der_Age_Event_Start_Date"] == 75  # from the exact date of birth
    assert row["Client_Type"] == "Service User"  # raw value kept; engines map it to "Service user"


def test_missing_required_column_names_it(tmp_path):
    path = write(tmp_path, [GOOD[:6] + GOOD[7:]], R2_HEADERS[:6] + R2_HEADERS[7:])
    with pytest.raises(ExtractError, match=r"extract.csv: missing required column\(s\): Event_Type"):
        open_extract(path)


def test_bad_date_names_file_row_and_column(tmp_path):
    bad = list(GOOD)
    bad[7] = "31/02/2025"
    path = write(tmp_path, [GOOD, bad])
    with pytest.raises(ExtractError, match=r"extract.csv: data row 2 \(line 3\), column 'Event Start Date': "
                                           r"expected a date YYYY-MM-DD, got '31/02/2025'"):
        open_extract(path)


def test_missing_start_date_is_an_error(tmp_path):
    bad = list(GOOD)
    bad[7] = None
    with pytest.raises(ExtractError, match=r"data row 1 .*'Event Start Date': expected a date \(it is mandatory\)"):
        open_extract(write(tmp_path, [bad]))


def test_bad_birth_month(tmp_path):
    headers = ["LA_Code", "Der_NHS_Number_Pseudo", "Der_Birth_Year", "Der_Birth_Month", "Client_Type",
               "Event_Type", "Event_Start_Date"]
    path = write(tmp_path, [["X01", "1", 1950, 13, "Service user", "Request", "2025-01-01"]], headers)
    with pytest.raises(ExtractError, match=r"column 'Der_Birth_Month': expected a whole number from 1 to 12"):
        open_extract(path)


def test_no_person_identifier_or_birth(tmp_path):
    headers = ["LA Code", "Client Type", "Event Type", "Event Start Date", "Date of Birth"]
    with pytest.raises(ExtractError, match="no person identifier column"):
        open_extract(write(tmp_path, [["X01", "Service user", "Request", "2025-01-01", "1950-01-01"]], headers))
    with pytest.raises(ExtractError, match="no 'Date of Birth' column"):
        map_headers(["LA Code", "Client Type", "Event Type", "Event Start Date", "NHS Number"], "f.csv")


def test_two_columns_for_one_field(tmp_path):
    with pytest.raises(ExtractError, match="columns 'NHS Number' and 'NHS_Number' both hold"):
        map_headers(R2_HEADERS + ["NHS_Number"], "f.csv")


def test_missing_file():
    with pytest.raises(ExtractError, match="file not found"):
        open_extract("/nonexistent/cld.parquet")


def test_data_quality_table_counts_problems(tmp_path):
    unknown_code = list(GOOD)
    unknown_code[9] = "Passed to the moon"
    no_person = list(GOOD)
    no_person[1] = no_person[2] = None
    backwards = list(GOOD)
    backwards[8] = "2025-04-01"
    table = data_quality(open_extract(write(tmp_path, [GOOD, unknown_code, no_person, backwards])))
    table = table.set_index(["field", "check"])["rows"]
    assert table[("Event_Outcome", "not a Release 1 or Release 2 value (mapped to 'Invalid and not mapped')")] == 1
    assert table[("person", "no NHS number and no LA person identifier (row dropped)")] == 1
    assert table[("Event_End_Date", "end date before start date (ignored by ASCOF)")] == 1
    assert table[("Accommodation_Status", "not a Release 1 or Release 2 value (mapped to 'Invalid and not mapped')")] == 0
