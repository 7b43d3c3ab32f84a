"""National ASCOF readers, comparator groups, ranks and the benchmarking table on the real DHSC file."""

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from conftest import REFERENCE_DATA, ROOT
from scrutiny.benchmarking import analysis as bm
from scrutiny.inputs import InputError
from scrutiny.inputs.national import (
    check_councils,
    comparator_group,
    current_codes,
    load_boundary_changes,
    load_boundary_table,
    load_council_lookup,
    load_measures,
    load_nearest_neighbours,
    read_ascof_long_csv,
    one_row_per_council,
    read_ascof_ods,
    relabel_legacy_rows,
)
from scrutiny.inputs.national_data import fetch, load_national

REFERENCE = REFERENCE_DATA
ODS = REFERENCE / "dhsc-ascof" / "ascof_time_series_2015-16_to_2024-25.ods"
pytestmark = pytest.mark.skipif(not ODS.exists(), reason="needs the reference data (SCRUTINY_REFERENCE_DATA)")
MEASURES = load_measures(ROOT / "data" / "raw" / "ascof_measures.csv")
CHANGES = load_boundary_changes(ROOT / "data" / "raw" / "boundary_changes.csv")
BOUNDARY = load_boundary_table(ROOT / "data" / "raw" / "boundary_changes.csv")
LEICS = "E10000018"


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return read_ascof_ods(ODS, MEASURES)


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return load_council_lookup(REFERENCE / "acbockmuehl-ascof-repos" / "ons_codes.csv")


@pytest.fixture(scope="module")
def current(tidy, lookup) -> pd.DataFrame:
    """The tidy table with legacy rows given to their successors, as reports load it."""
    return one_row_per_council(relabel_legacy_rows(tidy, BOUNDARY, lookup))


@pytest.fixture(scope="module")
def neighbours():
    return load_nearest_neighbours(REFERENCE / "oflog-communitiesuk" / "NN.json", CHANGES)


@pytest.fixture(scope="module")
def leics(current, lookup, neighbours) -> pd.DataFrame:
    group = comparator_group("nearest_neighbours", LEICS, lookup, neighbours)
    return bm.benchmark(current, MEASURES, lookup, LEICS, "2024-25", "nearest_neighbours", group).table.set_index("measure")


PUBLISHED = [  # measure, value, numerator, denominator, England (March 2026 paper, paragraphs 11-23)
    ("2A", 73.7, 2067, 2805, 77.1),
    ("2B", 11.3, 50, None, 17.0),
    ("2C", 526.9, 829, None, 592.5),
    ("2E(1)", 87.3, 1255, 1437, 81.4),
    ("3D(2a)", 32.5, 1675, 5159, 24.5),
    ("3C(1)", 61.1, None, None, 67.8),
    ("5A(1)", 39.6, None, None, 45.4),
    ("4A", 66.8, None, None, 70.1),
    ("4B", 95.3, 650, 680, 91.2),
]


@pytest.mark.parametrize(("measure", "value", "numerator", "denominator", "england"), PUBLISHED)
def test_leicestershire_2024_25_matches_the_published_figures(leics, measure, value, numerator, denominator, england):
    row = leics.loc[measure]
    assert row["value"] == value and row["england"] == england
    if numerator is not None:
        assert row["numerator"] == numerator
    if denominator is not None:
        assert row["denominator"] == denominator


def test_reader_agrees_with_an_independent_unpivot_of_the_same_file(tidy):
    oracle = pd.read_csv(REFERENCE / "derived" / "ascof_time_series_long_from_ods.csv", dtype=str)
    kinds = {"outcome": "outcome", "numerator": "numerator", "denominator": "denominator",
             "margin of error": "margin_of_error", "number of respondents": "respondents"}
    oracle = oracle[oracle["value"].notna() & oracle["value_type"].isin(list(kinds))]
    oracle["value_type"] = oracle["value_type"].map(kinds)
    oracle["year"] = oracle["year"].str.replace(r"^(\d{4}) to \d{2}(\d{2})$", r"\1-\2", regex=True)
    oracle = oracle[oracle["sheet"] != "Table_6b"]  # 6B's per-rating columns are not kept
    ours = tidy.melt(id_vars=["measure", "year", "la_code"], value_vars=list(kinds.values()),
                     var_name="value_type", value_name="ours").dropna(subset=["ours"])
    merged = oracle.merge(ours, on=["measure", "year", "la_code", "value_type"], how="left")
    assert merged["ours"].notna().all(), merged[merged["ours"].isna()].head()
    assert (merged["ours"] - merged["value"].astype(float)).abs().max() < 1e-9
    assert len(merged) > 30_000  # every numeric cell of 24 sheets


def test_markers_are_kept(tidy):
    carers = tidy[(tidy["measure"] == "3C(2)") & (tidy["year"] == "2024-25") & (tidy["ons_code"] == LEICS)]
    assert carers["marker"].iloc[0] == "[z]" and carers["outcome"].isna().all()


def test_long_csv_gives_the_same_tidy_table(tidy, tmp_path):
    sample = tidy[(tidy["year"] == "2024-25") & tidy["measure"].isin(["2A", "4B"])
                  & tidy["la_code"].isin(["England", "EM", "508", "507"])]
    levels = {"England": "National", "Region": "Regional", "Local authority": "Local authority"}
    rows = []
    for _, r in sample.iterrows():
        for kind in ("numerator", "denominator", "outcome"):
            rows.append({"Geographical code": r["la_code"], "Geographical description": r["area_name"],
                         "Geographical level": levels[r["level"]], "ONS code": r["ons_code"],
                         "ASCOF measure code": r["measure"], "Disaggregation level": "Total",
                         "Measure type": kind.capitalize(), "Measure value": r[kind]})
    rows.append({**rows[0], "Disaggregation level": "Female", "Measure value": 1})  # dropped: not Total
    path = tmp_path / "ascof.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    long = read_ascof_long_csv(path, "2024-25", MEASURES)
    key = ["measure", "la_code"]
    left = long.sort_values(key).reset_index(drop=True)[["measure", "la_code", "numerator", "denominator", "outcome"]]
    right = sample.sort_values(key).reset_index(drop=True)[["measure", "la_code", "numerator", "denominator", "outcome"]]
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_long_csv_with_an_unknown_measure_code(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Geographical code,Geographical description,Geographical level,ONS code,ASCOF measure code,"
                    "Disaggregation level,Measure type,Measure value\n"
                    "508,Leicestershire,Local authority,E10000018,2Z,Total,Outcome,73.7\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2, column 'ASCOF measure code': unknown measure '2Z'"):
        read_ascof_long_csv(path, "2024-25", MEASURES)


def _write_ods(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, header=False, index=False)


def _sheet(header_row: int, code_column: str = "Local authority code", cell: object = 11.3) -> pd.DataFrame:
    rows = [["Table 2b: title", None, None, None]] + [["notes", None, None, None]] * (header_row - 1)
    rows += [[code_column, "Local authority", "ONS area code", "2024 to 2025 - outcome"],
             ["England", "England", "E92000001", 17.0], ["508", "Leicestershire", "E10000018", cell]]
    return pd.DataFrame(rows)


def test_ods_with_a_wrong_sheet_layout(tmp_path):
    path = tmp_path / "bad.ods"
    _write_ods(path, {"Table_2b": _sheet(3, code_column="LA code")})
    with pytest.raises(InputError, match=r"sheet 'Table_2b': no header row starting 'Local authority code'"):
        read_ascof_ods(path, MEASURES)


def test_ods_with_an_unknown_measure_sheet(tmp_path):
    path = tmp_path / "bad.ods"
    _write_ods(path, {"Table_2b": _sheet(3), "Table_9z": _sheet(3)})
    with pytest.raises(InputError, match=r"sheet 'Table_9z': unknown ASCOF measure code '9Z'"):
        read_ascof_ods(path, MEASURES)


def test_ods_with_text_in_a_value_cell(tmp_path):
    path = tmp_path / "bad.ods"
    _write_ods(path, {"Table_2b": _sheet(3, cell="11.3k")})
    with pytest.raises(InputError, match=r"sheet 'Table_2b', row 6, column '2024 to 2025 - outcome': expected a number"):
        read_ascof_ods(path, MEASURES)


def test_council_code_not_in_the_lookup(tmp_path, lookup):
    path = tmp_path / "odd.ods"
    frame = _sheet(3)
    frame.loc[len(frame)] = ["999", "Atlantis", "E10009999", 5.0]
    _write_ods(path, {"Table_2b": frame})
    tidy = read_ascof_ods(path, MEASURES)
    with pytest.raises(InputError, match=r"council code\(s\) not in the council lookup: E10009999 \(Atlantis\)"):
        check_councils(tidy, lookup, str(path))


def test_comparator_groups_map_boundary_changes(lookup, neighbours):
    group = comparator_group("nearest_neighbours", LEICS, lookup, neighbours)
    assert len(group) == 16 and LEICS in group
    assert "E06000065" in group and "E06000066" in group  # North Yorkshire and Somerset on current codes
    assert "E10000023" not in group
    assert len(comparator_group("county_councils", LEICS, lookup, neighbours)) == 23
    east_midlands = comparator_group("region", LEICS, lookup, neighbours)
    assert "E06000018" in east_midlands and LEICS in east_midlands  # Nottingham
    assert len(comparator_group("all_councils", LEICS, lookup, neighbours)) == 153
    assert current_codes(["E10000021"], CHANGES) == ["E06000061", "E06000062"]
    with pytest.raises(InputError, match="not one of the 153 councils"):
        comparator_group("region", "E10009999", lookup, neighbours)


def test_leicestershire_summary_against_its_peers(current, lookup, neighbours):
    group = comparator_group("nearest_neighbours", LEICS, lookup, neighbours)
    bench = bm.benchmark(current, MEASURES, lookup, LEICS, "2024-25", "nearest_neighbours", group)
    summary = bm.summary(bench)
    assert summary["measures"] == 20
    assert summary["in_line_or_better"] == summary["better"] + summary["similar"]
    assert (summary["in_line_or_better"], summary["point_at_or_better"]) == (17, 12)
    assert "5A(1) Service users who have as much social contact as they would like" in summary["bottom_quartile"]
    table = bench.table.set_index("measure")
    assert table.loc["2B", "rank_group"] == 2 and table.loc["2B", "quartile_group"] == 1
    assert table.loc["3C(1)", "vs_england"] == "worse"
    themes = bench.themes.set_index("theme")
    assert themes.loc["Overall", "measures"] == 20
    assert themes.loc["Overall", ["q1", "q2", "q3", "q4"]].sum() == 20


def test_any_council_and_group(current, lookup, neighbours):
    derbyshire = "E10000007"
    group = comparator_group("county_councils", derbyshire, lookup, neighbours)
    bench = bm.benchmark(current, MEASURES, lookup, derbyshire, "2024-25", "county_councils", group)
    assert bench.council_name == "Derbyshire"
    assert (bench.table["group_n"] <= 23).all() and bench.table["rank_group"].max() <= 23


def test_make_data_refuses_a_file_with_the_wrong_hash(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "national_sources.csv", tmp_path / "data" / "national_sources.csv")
    mirror = tmp_path / "mirror"
    shutil.copytree(REFERENCE, mirror)
    lookup_copy = mirror / "acbockmuehl-ascof-repos" / "ons_codes.csv"
    lookup_copy.chmod(0o644)
    lookup_copy.write_text(lookup_copy.read_text() + "Atlantis,Shire Counties,East Midlands,999,E10009999\n")
    with pytest.raises(InputError, match="SHA-256 is [0-9a-f]{64}, expected a2fa3240"):
        fetch(mirror, root=tmp_path)
    assert not (tmp_path / "data" / "raw" / "national" / "ons_codes.csv").exists()


def test_without_national_files_the_report_says_what_is_missing(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "national_sources.csv", tmp_path / "data" / "national_sources.csv")
    national, reasons = load_national(date(2026, 3, 2), root=tmp_path)
    assert national is None and any("run 'make data'" in reason for reason in reasons)
    national, reasons = load_national(date(2025, 9, 1), root=ROOT)
    assert national is None and any("after this report's cut-off date" in reason for reason in reasons)


@pytest.mark.skipif(not (ROOT / "data" / "processed" / "ascof_time_series.csv").exists(), reason="needs make data")
def test_report_compares_its_count_with_the_papers():
    from scrutiny.benchmarking import report as br

    report = br.build_benchmarking_report(ROOT / "data" / "raw", "2025-26", 3, LEICS)
    text = br.paper_comparison(report)
    assert text.startswith("The committee paper counted 14 (70%) of 20 measures")
    assert "17 of 20 when each figure's precision is allowed for, and 12 on point values alone" in text
    assert "ascof_in_line_or_better" not in set(br.printed_table(report)["measure"])
    early = br.build_benchmarking_report(ROOT / "data" / "raw", "2025-26", 1, LEICS)
    assert br.paper_comparison(early) == "" and early.bench is None and not early.local.empty


def test_4b_ranks_on_the_published_outcome_not_the_rounded_counts(leics, current, lookup, neighbours):
    """DHSC rounds 4B's counts to 5: 650/680 = 95.59% would put Leicestershire 2nd of 16 and 32nd."""
    row = leics.loc["4B"]
    assert (row["rank_group"], row["group_n"]) == (3, 16)
    assert (row["rank_all"], row["n_all"]) == (35, 150)
    assert row["counts_rounded_to"] == 5 and (row["numerator"], row["denominator"]) == (650, 680)
    assert (leics.loc["6A", "n_all"], leics.loc["6B", "n_all"]) == (152, 152)  # Dorset counted
    # a measure with exact counts still ranks on x/n
    assert pd.isna(leics.loc["2A", "counts_rounded_to"])


def test_dorset_is_published_under_the_legacy_county_code_and_counted(current):
    dorset = current[(current["ons_code"] == "E06000059") & (current["year"] == "2024-25")].set_index("measure")
    assert dorset.loc["4B", "outcome"] == 92.5 and dorset.loc["6A", "outcome"] == pytest.approx(34.6)
    assert dorset.loc["6B", "outcome"] == 89.7 and dorset.loc["1A", "outcome"] == 18.3
    assert not dorset.index.duplicated().any()  # the survey tables' repeated row is dropped
    legacy = current[current["ons_code"] == "E10000009"]
    assert legacy["year"].max() == "2018-19"  # the county's own years stay under its code


def _legacy_row(code: str, cassr: str, year: str, outcome: float | None = 50.0) -> dict:
    return {"measure": "4B", "year": year, "la_code": cassr, "ons_code": code, "area_name": "old",
            "level": "Local authority", "numerator": None, "denominator": None, "outcome": outcome,
            "margin_of_error": None, "respondents": None, "marker": "" if outcome is not None else "[x]"}


@pytest.mark.parametrize(("old", "new", "mapped"), [
    ("E10000009", "E06000059", True),   # Dorset (county) -> Dorset Council, CASSR 809 kept
    ("E10000023", "E06000065", True),   # North Yorkshire county -> unitary, CASSR 218 kept
    ("E10000027", "E06000066", True),   # Somerset county -> unitary, CASSR 905 kept
    ("E10000002", "E06000060", True),   # Buckinghamshire county -> unitary, CASSR 916 kept
    ("E10000006", "E06000063", False),  # Cumbria split in two: no single successor
    ("E10000021", "E06000061", False),  # Northamptonshire split in two
    ("E06000028", "E06000058", False),  # Bournemouth merged into BCP: a different CASSR
    ("E06000029", "E06000058", False),  # Poole merged into BCP
])
def test_each_boundary_change_maps_only_to_a_successor_with_the_same_authority(lookup, old, new, mapped):
    change = BOUNDARY[BOUNDARY["old_code"] == old].iloc[0]
    after = f"{change['effective'].year}-{(change['effective'].year + 1) % 100:02d}"
    before = f"{change['effective'].year - 1}-{change['effective'].year % 100:02d}"
    own_cassr = str(lookup.loc[new, "cassr_code"]) if mapped else "000"
    tidy = pd.DataFrame([_legacy_row(old, own_cassr, after), _legacy_row(old, own_cassr, before)])
    result = relabel_legacy_rows(tidy, BOUNDARY, lookup).set_index("year")
    assert result.loc[after, "ons_code"] == (new if mapped else old)
    assert result.loc[before, "ons_code"] == old  # the old council's own years are never moved
    if mapped:  # the successor's own figure wins over the legacy row
        both = pd.DataFrame([_legacy_row(old, own_cassr, after, 1.0), _legacy_row(new, own_cassr, after, 2.0)])
        kept = relabel_legacy_rows(both, BOUNDARY, lookup)
        assert kept["outcome"].tolist() == [2.0] and kept["ons_code"].tolist() == [new]


def test_boundary_table_names_a_bad_date(tmp_path):
    path = tmp_path / "boundary_changes.csv"
    path.write_text("old_code,new_code,effective\nE10000009,E06000059,1 April 2019\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'effective': expected dates as YYYY-MM-DD"):
        load_boundary_table(path)


def test_recomputed_from_the_spreadsheet_unpivot_and_nn_json(leics, lookup):
    """An independent recomputation: outcomes from the unpivoted DHSC sheet, peers straight from NN.json."""
    oracle = pd.read_csv(REFERENCE / "derived" / "ascof_time_series_long_from_ods.csv", dtype=str)
    oracle = oracle[(oracle["year"] == "2024 to 2025") & oracle["value_type"].isin(["outcome", "6b outcome"])
                    & (oracle["geography_level"] == "Local authority") & oracle["value"].notna()]
    # DHSC labels Dorset Council's 4B, 6A and 6B with the legacy county code (same CASSR code, 809)
    oracle = oracle.assign(ons_code=oracle["ons_code"].replace({"E10000009": "E06000059"}))
    # and gives 6A's "Cornwall and Isles of Scilly" row no ONS code
    oracle.loc[oracle["geography_name"] == "Cornwall and Isles of Scilly", "ons_code"] = "E06000052"
    oracle = oracle[oracle["ons_code"].isin(lookup.index)].drop_duplicates(["measure", "ons_code"])
    peers = json.loads((REFERENCE / "oflog-communitiesuk" / "NN.json").read_text())[LEICS]
    peers = [{"E10000023": "E06000065", "E10000027": "E06000066"}.get(code, code) for code in peers]
    for measure, row in leics.iterrows():
        values = oracle[oracle["measure"] == measure].set_index("ons_code")["value"].astype(float)
        if MEASURES.loc[measure, "polarity"] == "low":
            values = -values
        group = values[values.index.isin(peers)]
        assert (row["n_all"], row["group_n"]) == (len(values), len(group)), measure
        sign = -1 if MEASURES.loc[measure, "polarity"] == "low" else 1
        assert row["group_average"] == pytest.approx(sign * group.mean()), measure
        if measure == "4B" or pd.isna(row["numerator"]):  # ranked on the published outcome
            assert row["rank_all"] == 1 + (values > values[LEICS]).sum(), measure
            assert row["rank_group"] == 1 + (group > group[LEICS]).sum(), measure


def test_one_row_per_council_keeps_the_row_with_a_figure(current):
    cornwall = current[(current["ons_code"] == "E06000052") & (current["measure"] == "6A")].set_index("year")
    assert cornwall.loc["2023-24", "outcome"] == pytest.approx(26.7)
    assert cornwall.loc["2024-25", "outcome"] == pytest.approx(20.2)
    councils = current[current["level"] == "Local authority"]
    assert not councils.duplicated(["measure", "year", "ons_code"]).any()


@pytest.mark.parametrize("code", [
    "E06000052", "E06000053", "E09000001",  # Cornwall's two 6A rows; Scilly and the City: groups of one
    "E06000059", "E06000058", "E06000065", "E06000063", "E06000061",  # successors of changed councils
])
def test_councils_with_boundary_or_data_quirks_can_be_benchmarked(current, lookup, neighbours, code):
    """Councils whose rows or groups are unusual, against their nearest neighbours or the fall-back."""
    from scrutiny.benchmarking.report import MIN_GROUP

    group = comparator_group("nearest_neighbours", code, lookup, neighbours)
    if len(group) < MIN_GROUP:
        group = comparator_group("region", code, lookup, neighbours)
    table = bm.benchmark(current, MEASURES, lookup, code, "2024-25", "nearest_neighbours", group).table
    assert len(table) == 20 and table["rank_group"].max() <= len(group)
