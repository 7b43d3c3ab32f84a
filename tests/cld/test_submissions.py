"""Submission selection, derived reporting periods and cropping (cld-methods.md 3.1, 3.2, 3.7, 6.1)."""

import pandas as pd
import pytest

from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import open_extract
from scrutiny.cld.reference import ReferenceEngine
from scrutiny.cld.submissions import derived_periods, quarters, select_submissions

F1 = {"ImportDate": "2025-07-25", "ImportFileId": "101", "Reporting_Period_Start_Date": "2024-07-01",
      "Reporting_Period_End_Date": "2025-06-30"}
F2 = {"ImportDate": "2025-10-20", "ImportFileId": "102", "Reporting_Period_Start_Date": "2024-10-01",
      "Reporting_Period_End_Date": "2025-09-30"}
LTS = "Long term support: Community"


def fixture_6_1() -> pd.DataFrame:
    """The pre-processing fixture of spec 6.1: council Y02, files F1 and F2."""
    base = {"LA_Code": "Y02", "Der_Birth_Year": 1950, "Der_Birth_Month": 6, "Client_Type": "Service user",
            "Gender": "Female"}
    rows = [
        {**F1, "Der_NHS_Number_Pseudo": "N1", "Event_Type": "Service", "Service_Type": LTS,
         "Service_Component": "Home support or domiciliary care", "Event_Start_Date": "2024-05-01",
         "Der_Unique_Record_ID": 1, "Event_Reference": "x1"},
        {**F2, "Der_NHS_Number_Pseudo": "N1", "Event_Type": "Service", "Service_Type": LTS,
         "Service_Component": "Home support or domiciliary care", "Event_Start_Date": "2024-05-01",
         "Der_Unique_Record_ID": 800, "Event_Reference": "x2"},
        {**F1, "Der_NHS_Number_Pseudo": "N2", "Event_Type": "Service", "Service_Type": "Short term support: ST-Max",
         "Service_Component": "Reablement", "Event_Start_Date": "2024-09-20", "Der_Unique_Record_ID": 2,
         "Event_Reference": "x3"},
        {**F2, "Der_NHS_Number_Pseudo": "N4", "Event_Type": "Assessment", "Assessment_Type": "Long term assessment",
         "Event_Start_Date": "2025-02-03", "Event_End_Date": "2025-02-20", "Event_Outcome": "NFA- Other",
         "Der_Unique_Record_ID": 901, "Event_Reference": "x5a"},
        {**F2, "Der_NHS_Number_Pseudo": "N4", "Event_Type": "Assessment", "Assessment_Type": "Long Term Assessment",
         "Event_Start_Date": "2025-02-03", "Event_End_Date": "2025-02-20",
         "Event_Outcome": "Progress to support planning or services", "Der_Unique_Record_ID": 900,
         "Event_Reference": "x5b"},
        {**F2, "Der_NHS_Number_Pseudo": "N5", "Event_Type": "Request", "Event_Start_Date": "2025-09-25",
         "Event_End_Date": "2025-10-03", "Event_Outcome": "NFA: Other", "Der_Unique_Record_ID": 902,
         "Event_Reference": "x6"},
        {**F2, "Der_NHS_Number_Pseudo": "N6", "Date_of_Death": "2025-03-10", "Event_Type": "Service",
         "Service_Type": LTS, "Event_Start_Date": "2025-01-06", "Der_Unique_Record_ID": 903, "Event_Reference": "x7"},
        {**F2, "Der_NHS_Number_Pseudo": "N6", "Date_of_Death": "2025-03-10", "Event_Type": "Review",
         "Event_Start_Date": "2025-03-20", "Event_End_Date": "2025-03-25", "Der_Unique_Record_ID": 904,
         "Event_Reference": "x8"},
        {**F1, "Event_Type": "Request", "Event_Start_Date": "2025-01-06", "Event_End_Date": "2025-01-07",
         "Der_Unique_Record_ID": 3, "Event_Reference": "x9"},
        {**F2, "LA_Person_Unique_Identifier": "L123", "Event_Type": "Request", "Event_Start_Date": "2025-01-06",
         "Event_End_Date": "2025-01-07", "Der_Unique_Record_ID": 905, "Event_Reference": "x10"},
    ]
    frame = pd.DataFrame([{**base, **row} for row in rows])
    for column in ("Der_NHS_Number_Pseudo", "LA_Person_Unique_Identifier", "Date_of_Death", "Event_End_Date",
                   "Event_Outcome", "Assessment_Type", "Service_Type", "Service_Component"):
        if column not in frame:
            frame[column] = None
    return frame


def engines(frame, **options):
    """Both engines over the same selection (the DuckDB engine selects; the reference follows)."""
    extract = open_extract(frame)
    fast = DuckDBEngine(extract, "2025-09-30", "2024-07-01", **options)
    reference = ReferenceEngine(extract.frame(), "2025-09-30", "2024-07-01", periods=fast.submissions.chosen)
    return fast, reference


def test_quarters_split_the_joined_period():
    got = quarters(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-09-30"))
    assert len(got) == 5 and got[0] == (pd.Timestamp("2024-07-01"), pd.Timestamp("2024-09-30"))
    assert got[-1] == (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))


def test_joined_selection_of_the_fixture():
    fast, _ = engines(fixture_6_1(), submissions="joined", period_method="stated", as_of="2025-11-05")
    chosen = {str(pd.Timestamp(r.ImportDate).date()): (str(r.Ref_Period_Start_Date.date()),
                                                        str(r.Ref_Period_End_Date.date()))
              for r in fast.submissions.chosen.itertuples()}
    assert chosen == {"2025-07-25": ("2024-07-01", "2024-09-30"), "2025-10-20": ("2024-10-01", "2025-09-30")}
    assert fast.submissions.warnings == []


@pytest.mark.parametrize("kind", ["duckdb", "pandas"])
def test_fixture_rows_after_selection_cropping_and_dedup(kind):
    fast, reference = engines(fixture_6_1(), submissions="joined", period_method="stated", as_of="2025-11-05")
    events = (fast if kind == "duckdb" else reference).events()
    by_person = {person: rows for person, rows in events.groupby("Person_ID")}
    n1 = by_person["N1"]  # x1 is found in the next period, so not cropped; x2 (later period) is kept
    assert len(n1) == 1 and n1["Der_Unique_Record_ID"].iloc[0] == 800 and pd.isna(n1["Der_Event_End_Date"].iloc[0])
    n2 = by_person["N2"]  # x3 is not in F2: it ends at F1's reference period end
    assert str(pd.Timestamp(n2["Der_Event_End_Date"].iloc[0]).date()) == "2024-09-30"
    assert by_person["N4"]["Der_Unique_Record_ID"].tolist() == [900]  # hierarchy before record id
    assert "N5" not in by_person  # ends after the reference period
    n6 = by_person["N6"]
    assert n6["Event_Type"].tolist() == ["Service"]  # the review starts after death
    assert str(pd.Timestamp(n6["Der_Event_End_Date"].iloc[0]).date()) == "2025-03-10"
    assert "Y02_L123" in by_person
    assert len(events) == 5


def test_cut_off_and_excluded_files_leave_a_quarter_uncovered():
    for options in ({"as_of": "2025-10-01"}, {"excluded_files": ("102",)}):
        fast, reference = engines(fixture_6_1(), submissions="joined", period_method="stated", **options)
        assert fast.submissions.chosen[["Ref_Period_Start_Date", "Ref_Period_End_Date"]].astype(str).values.tolist() \
            == [["2024-07-01", "2025-06-30"]]
        assert fast.submissions.warnings == ["council Y02: no submission covers 2025-07-01 to 2025-09-30"]
        # without F2 the first-file service of N2 is in the last period, so it is not cropped
        n2 = fast.events().set_index("Person_ID").loc["N2"]
        assert pd.isna(n2["Der_Event_End_Date"])
        assert len(reference.events()) == len(fast.events())


def test_single_local_submission_is_used_whole():
    frame = fixture_6_1()
    frame = frame[frame["ImportDate"] == F2["ImportDate"]]
    fast, _ = engines(frame)
    assert fast.submissions.mode == "whole"
    assert fast.submissions.chosen["Ref_Period_Start_Date"].astype(str).tolist() == ["2024-07-01"]


def _monthly_file(months, *, types=("Request", "Assessment", "Service"), per_month=12, skip=(), import_date):
    rows = []
    for month in pd.date_range(months[0], months[1], freq="MS"):
        for kind in types:
            count = 0 if (kind, str(month.date())) in skip else per_month
            for number in range(count):
                rows.append({"LA_Code": "Z03", "ImportDate": import_date, "Der_NHS_Number_Pseudo": f"p{number}",
                             "Der_Birth_Year": 1950, "Der_Birth_Month": 1, "Client_Type": "Service user",
                             "Event_Type": kind, "Event_Start_Date": str(month.date()),
                             "Event_End_Date": str((month + pd.Timedelta(days=number % 27)).date())})
    return pd.DataFrame(rows)


def test_v2_derived_period_with_a_one_month_gap_allowed():
    frame = _monthly_file(("2024-04-01", "2025-03-31"), skip={("Request", "2024-09-01")}, import_date="2025-04-20")
    extract = open_extract(frame)
    row = derived_periods(extract.connection, "v2").iloc[0]
    assert (str(row.derived_start.date()), str(row.derived_end.date())) == ("2024-04-01", "2025-03-31")
    assert bool(row.gap_flag) and not bool(row.missing_type_flag)


def test_v2_takes_the_latest_run_and_needs_every_type():
    frame = _monthly_file(("2024-04-01", "2025-03-31"), import_date="2025-04-20",
                          skip={("Service", "2024-08-01"), ("Service", "2024-09-01")})
    row = derived_periods(open_extract(frame).connection, "v2").iloc[0]
    assert (str(row.derived_start.date()), str(row.derived_end.date())) == ("2024-10-01", "2025-03-31")
    no_services = _monthly_file(("2024-04-01", "2025-03-31"), types=("Request", "Assessment"),
                                import_date="2025-04-20")
    row = derived_periods(open_extract(no_services).connection, "v2").iloc[0]
    assert pd.isna(row.derived_start) and bool(row.missing_type_flag)


def test_v1_derived_period_drops_thin_months():
    frame = _monthly_file(("2024-04-01", "2025-03-31"), import_date="2025-04-20")
    thin = frame.iloc[:1].assign(Event_End_Date="2024-02-10", Event_Start_Date="2024-02-01")
    row = derived_periods(open_extract(pd.concat([frame, thin])).connection, "v1").iloc[0]
    assert (str(row.derived_start.date()), str(row.derived_end.date())) == ("2024-04-01", "2025-03-31")
    small = frame.iloc[:30]  # fewer than 100 events: every month with an end qualifies (the code, 7.3)
    row = derived_periods(open_extract(small).connection, "v1").iloc[0]
    assert str(row.derived_start.date()) == "2024-04-01"


def test_unknown_options_are_refused():
    extract = open_extract(fixture_6_1())
    with pytest.raises(ValueError, match="submission mode 'latest'"):
        select_submissions(extract.connection, "2024-07-01", "2025-09-30", mode="latest")
    with pytest.raises(ValueError, match="period method 'v3'"):
        derived_periods(extract.connection, "v3")


def test_engines_agree_on_two_submissions_of_synthetic_journeys(tmp_path):
    from scrutiny.cld import synthetic
    from tests.cld.test_engines_agree import same

    path = tmp_path / "small.parquet"
    synthetic.write_extract(path, [synthetic.Council("S001", "Small", 0.01)], "2025-06-30", discharges=False)
    first = pd.read_parquet(path)
    first["ImportDate"] = pd.Timestamp("2025-07-20").date()
    first["Reporting Period Start Date"], first["Reporting Period End Date"] = "2023-04-01", "2025-06-30"
    # the second file covers a year later and has lost some open services (cropped in the first)
    second = first[~(first["Service Type"].notna() & first["Event End Date"].isna()
                     & (first.index % 3 == 0))].copy()
    second["ImportDate"] = pd.Timestamp("2025-10-20").date()
    second["Reporting Period Start Date"], second["Reporting Period End Date"] = "2024-10-01", "2025-09-30"
    second["Der_Unique_Record_ID"] += 10_000_000
    extract = open_extract(pd.concat([first, second], ignore_index=True).astype(str).replace(
        {"None": None, "nan": None, "NaT": None, "<NA>": None}))
    fast = DuckDBEngine(extract, "2025-09-30", period_method="stated")
    assert fast.submissions.mode == "joined" and len(fast.submissions.chosen) == 2
    reference = ReferenceEngine(extract.frame(), "2025-09-30", periods=fast.submissions.chosen)
    cropped = fast.events()
    assert (cropped["Der_Event_End_Date"].astype(str) == "2024-09-30").any()  # 3.7 happened
    same(fast.waiting_time_requests(), reference.waiting_time_requests(), ["LA_Code", "Person_ID", "request_ord"])
    same(fast.ascof_2a_clusters(), reference.ascof_2a_clusters(), ["LA_Code", "Person_ID", "cluster_start"])
    same(fast.ascof_2e_people(), reference.ascof_2e_people(), ["LA_Code", "Person_ID"])
    same(fast.ascof_3d_people(), reference.ascof_3d_people(), ["LA_Code", "Person_ID"])
    same(fast.persons(), reference.persons(), ["LA_Code", "Person_ID"])
