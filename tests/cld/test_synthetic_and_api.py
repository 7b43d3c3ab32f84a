"""The synthetic generator (deterministic, plausible) and the tables the reports use."""

from pathlib import Path

import pandas as pd
import pytest

from scrutiny.cld import api, measures, synthetic
from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import ExtractError, open_extract
from scrutiny.cld.reference import ReferenceEngine
from tests.cld.test_engines_agree import same

COUNTY = synthetic.Council("E10000018", "Leicestershire County Council (synthetic)", 1.0)
LEICS_POPULATION = {"18 to 64": 440785, "65 and above": 157349}  # DHSC 2024-25 denominators


@pytest.fixture(scope="module")
def county_extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("cld") / "county.parquet"
    synthetic.write_extract(path, [COUNTY], "2026-03-31")
    return path


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("cld") / "small.csv"
    councils = [synthetic.Council("S001", "Small council A", 0.01), synthetic.Council("S002", "Small council B", 0.01)]
    synthetic.write_extract(path, councils, "2026-03-31")
    return path


def test_generator_is_deterministic(tmp_path):
    small = [synthetic.Council("S001", "Small", 0.01)]
    first, second, other = (tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet")
    assert synthetic.write_extract(first, small) == synthetic.write_extract(second, small)
    pd.testing.assert_frame_equal(pd.read_parquet(first), pd.read_parquet(second))
    spells = [pd.read_parquet(synthetic.discharges_path(path)) for path in (first, second)]
    pd.testing.assert_frame_equal(*spells)
    assert len(spells[0]) > 0 and api.is_synthetic(synthetic.discharges_path(first))
    synthetic.write_extract(other, small, seed=7)
    assert not pd.read_parquet(first).equals(pd.read_parquet(other))


def test_county_sized_extract_gives_plausible_ascof(county_extract):
    engine = DuckDBEngine(open_extract(county_extract), "2025-03-31")
    table = api.ascof_tables(engine, {"E10000018": LEICS_POPULATION}).set_index(["Measure", "Group"])
    assert 68 <= table.loc[("2A", "Total"), "Outcome"] <= 80  # Leicestershire 2024-25: 73.7
    assert 2000 <= table.loc[("2A", "Total"), "Denominator"] <= 3600  # published 2,805
    assert 6 <= table.loc[("2B", "18 to 64"), "Outcome"] <= 18  # published 11.3
    assert 420 <= table.loc[("2C", "65 and above"), "Outcome"] <= 640  # published 526.9
    assert 25 <= table.loc[("3D(2a)", "Total"), "Outcome"] <= 40  # published 32.5


def test_engines_agree_on_synthetic_journeys(small_extract):
    extract = open_extract(small_extract)
    fast, reference = DuckDBEngine(extract, "2025-12-31"), ReferenceEngine(extract.frame(), "2025-12-31")
    assert fast.councils() == ["S001", "S002"]
    same(fast.waiting_time_requests(), reference.waiting_time_requests(), ["LA_Code", "Person_ID", "request_ord"])
    same(fast.ascof_2a_clusters(), reference.ascof_2a_clusters(), ["LA_Code", "Person_ID", "cluster_start"])
    same(fast.ascof_2b2c_admissions(), reference.ascof_2b2c_admissions(), ["LA_Code", "Person_ID"])
    same(fast.ascof_2e_people(), reference.ascof_2e_people(), ["LA_Code", "Person_ID"])
    same(fast.ascof_3d_people(), reference.ascof_3d_people(), ["LA_Code", "Person_ID"])
    population = {council: LEICS_POPULATION for council in ("S001", "S002")}
    pd.testing.assert_frame_equal(api.ascof_tables(fast, population), api.ascof_tables(reference, population))


@pytest.mark.parametrize("kind", ["duckdb", "pandas"])
def test_units_without_identifiers_are_the_same_units(small_extract, kind):
    """The measure tables read the units without person identifiers: the same rows, less the identifier."""
    extract = open_extract(small_extract)
    engine = DuckDBEngine(extract, "2025-12-31") if kind == "duckdb" else ReferenceEngine(extract.frame(), "2025-12-31")
    for name in ("ascof_2a_clusters", "ascof_2b2c_admissions", "ascof_2e_people", "ascof_3d_people"):
        full = getattr(engine, name)()
        bare = getattr(engine, name)(identified=False)
        assert "Person_ID" not in bare.columns and len(full) > 0, name
        same(bare, full.drop(columns="Person_ID"), list(bare.columns))


def test_waiting_times_counted_in_duckdb_match_the_tables_from_units(county_extract):
    engine = DuckDBEngine(open_extract(county_extract), "2025-12-31")
    requests = engine.waiting_time_requests()
    for since in (None, "2024-04-01"):
        expected = measures.waiting_times(requests, from_quarter=since).reset_index(drop=True)
        counted = engine.waiting_times(from_quarter=since)
        assert len(counted) > 20 and counted["Number_Of_Waiting_Times_Identified"].sum() > 1000
        pd.testing.assert_frame_equal(counted, expected, check_dtype=False)


def test_dashboard_figures_are_observation_rows(county_extract):
    figures = api.dashboard_figures(county_extract, "E10000018", "2025-12-31")
    header = pd.read_csv(Path(__file__).parents[2] / "data" / "raw" / "observations.csv", nrows=0).columns.tolist()
    assert figures.columns.tolist() == header
    assert figures["metric_id"].tolist() == ["ascof_2a", "ascof_2b", "ascof_2c", "ascof_2d"]
    assert set(figures["estimate"]) == {"provisional"}
    assert set(figures["note"][:3]) == {"local calculation, DHSC method"}
    assert set(figures["period_start"][:3]) == {"2025-01-01"} and set(figures["period_end"][:3]) == {"2025-12-31"}
    two_d = figures.iloc[3]  # lagged three months, from the synthetic discharges beside the extract
    assert (two_d["period_start"], two_d["period_end"]) == ("2024-10-01", "2025-09-30")
    assert two_d["note"] == "local calculation, DHSC method; from synthetic hospital discharges"
    assert 50 <= two_d["value"] <= 95 and two_d["value"] == measures.outcome(two_d["numerator"],
                                                                              two_d["denominator"], places=2)
    two_a = figures.iloc[0]
    assert two_a["value"] == measures.outcome(two_a["numerator"], two_a["denominator"])
    two_c = figures.iloc[2]
    assert two_c["denominator"] == 157349  # the population DHSC published for 2024-25
    assert "sha256" in two_a["source_detail"]


def test_dashboard_figures_without_discharges_say_2d_is_not_calculable(tmp_path):
    path = tmp_path / "county.parquet"
    synthetic.write_extract(path, [synthetic.Council("E10000018", "Small", 0.05)], discharges=False)
    assert not synthetic.discharges_path(path).exists()
    figures = api.dashboard_figures(path, "E10000018", "2025-12-31").set_index("metric_id")
    assert pd.isna(figures.loc["ascof_2d", "value"]) and pd.isna(figures.loc["ascof_2d", "numerator"])
    assert "not calculable" in figures.loc["ascof_2d", "note"]
    assert "hospital discharge" in figures.loc["ascof_2d", "note"]


def test_dashboard_figures_unknown_council(county_extract):
    with pytest.raises(ExtractError, match="no events for council 'E99999999'"):
        api.dashboard_figures(county_extract, "E99999999", "2025-12-31")


def test_waiting_time_measures_label_additions_and_suppress(small_extract):
    table = api.waiting_time_measures(small_extract, "S001", "2025-12-31")
    dhsc = table[table["method"] == "DHSC method"]
    assert set(dhsc["statistic"]) == {"median days", "number of waits"}
    assert set(dhsc["metric"]) == {"Wait time to first response", "Wait time to first service"}
    assert dhsc["quarter_start"].min() == pd.Timestamp("2024-04-01").date()
    assert dhsc["quarter_end"].max() == pd.Timestamp("2025-12-31").date()
    additions = set(table.loc[table["method"] == "project addition", "statistic"])
    assert {"75th percentile days", "90th percentile days", "number still waiting at 2025-12-31"} <= additions
    small = table[table["waits"] < 5]
    assert small["value"].isna().all() and small["suppressed"].all()
