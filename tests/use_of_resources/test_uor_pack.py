"""The Leicestershire 2024/25 council pack: every printed figure, the identities between them, and
clear errors for bad packs."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import RAW, ROOT
from scrutiny.inputs import InputError
from scrutiny.use_of_resources.catalogue import metrics
from scrutiny.use_of_resources.checks import consistency_checks
from scrutiny.use_of_resources.pack import STEP_FILES, load_pack

PACK = RAW / "use_of_resources"
SEED = Path("/work/shared/seeds/004_5edfa34795ea3323.txt")
if not SEED.exists():
    SEED = ROOT.parent / "shared" / "seeds" / "004_5edfa34795ea3323.txt"
#: ONS mid-2024 populations of Leicestershire (the ASCOF 2B and 2C denominators).
POPULATIONS = {"population_18_plus": 598134, "population_18_64": 440785, "population_65_plus": 157349}


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACK)


def figure(pack, metric_id, year, column="council"):
    rows = pack.comparisons[(pack.comparisons["metric_id"] == metric_id) & (pack.comparisons["year"] == year)]
    assert len(rows) == 1, (metric_id, year)
    return rows[column].iloc[0]


def test_the_pack_holds_all_128_appendix_metrics(pack):
    catalogued = metrics()[metrics()["step"] > 0]
    assert len(catalogued) == 128
    assert set(pack.comparisons["metric_id"]) == set(catalogued.index)
    per_step = pack.comparisons.groupby("step")["metric_id"].nunique().to_dict()
    assert per_step == {1: 10, 2: 14, 3: 6, 4: 40, 6: 3, 7: 26, 9: 8, 12: 8, 13: 13}


@pytest.mark.skipif(not SEED.exists(), reason="needs the seed papers in ../shared")
def test_every_transcribed_figure_is_printed_in_the_appendix():
    """Each value, formatted as LG Inform prints it, occurs in the appendix text (lines 4801 on)."""
    text = "\n".join(SEED.read_text(encoding="utf-8").splitlines()[4800:])
    printed = set(re.findall(r"[\d,]*\d(?:\.\d+)?", text))
    missing = []
    for name in STEP_FILES.values():
        frame = pd.read_csv(PACK / name, dtype=str, keep_default_na=False)
        for line, row in enumerate(frame.to_dict("records"), start=2):
            for column, cell in row.items():
                if column in ("metric_id", "year") or cell in ("", "Suppressed", "no value"):
                    continue
                decimals = len(cell.split(".")[1]) if "." in cell else 0
                shown = f"{float(cell):,.{decimals}f}"
                if shown not in printed:
                    missing.append(f"{name}:{line} {column} {shown}")
    assert not missing


@pytest.mark.parametrize(("metric_id", "year", "column", "expected"), [
    # Step 1 (spend per adult) and the summary table
    ("11518", "2024-25", "council", 500.31), ("11518", "2024-25", "england", 632.97),
    ("11518", "2024-25", "county_mean", 628.20), ("11518", "2024-25", "high_end", 734.27),
    ("11518", "2024-25", "low_end", 529.98), ("11518", "2024-25", "rank", 146),
    ("11518", "2023-24", "council", 491.93), ("11518", "2018-19", "council", 340.24),
    ("11533", "2024-25", "council", 767.17), ("11533", "2024-25", "england", 1167.50), ("11533", "2024-25", "rank", 152),
    ("11530", "2024-25", "council", 247.06), ("11530", "2024-25", "england", 332.50), ("11530", "2024-25", "rank", 141),
    ("12340", "2022-23", "england", 95.44), ("11529", "2024-25", "low_end", 0.58),
    # Step 2
    ("25279", "2024-25", "council", 27.0), ("residents_65_74", "2024-25", "county_mean", 13.3),
    ("8985", "2024-25", "region_mean", 20.9), ("4564", "2024-25", "council", 10.2),
    # Step 3
    ("11494", "2024-25", "council", 10980), ("11313", "2024-25", "all_mean", 3789), ("11515", "2024-25", "council", 1.84),
    ("11516", "2024-25", "rank", 137), ("11517", "2024-25", "rank", 97), ("11517", "2018-19", "council", 4.58),
    # Step 4
    ("27451", "2024-25", "council", 29265), ("27477", "2024-25", "council", 4.89), ("27476", "2024-25", "rank", 42),
    ("27425", "2024-25", "council", 44.9), ("27447", "2024-25", "england", 4.1),
    # Step 6
    ("11534", "2024-25", "council", 35016.40), ("11534", "2024-25", "england", 37692.34),
    ("11535", "2024-25", "high_end", 27245.61), ("11536", "2018-19", "england", 18083.77),
    # Step 7 (ASCOF 2023/24: for low-is-good measures LG Inform's 10th percentile is the low end)
    ("younger_care_home_pct", "2024-25", "rank", 119), ("older_community_pct", "2024-25", "council", 66.2),
    ("11352", "2024-25", "council", 2600), ("4281", "2023-24", "low_end", 6.7), ("4281", "2023-24", "high_end", 22.5),
    ("4277", "2023-24", "high_end", 35.3), ("4282", "2023-24", "rank", 61),
    # Step 9
    ("11378", "2024-25", "council", 24.16), ("11378", "2024-25", "all_mean", 22.84), ("11378", "2020-21", "rank", 32),
    ("11377", "2024-25", "high_end", 34.86), ("11386", "2024-25", "rank", 121), ("11383", "2024-25", "rank", 105),
    ("11385", "2024-25", "rank", 52), ("11382", "2024-25", "rank", 57),
    # Step 12 and 13
    ("24846", "2024-25", "rank", 1), ("24849", "2023-24", "england", 48.5),
    ("11496", "2024-25", "council", 357259), ("11369", "2024-25", "council", 299250),
    ("revised_gce_pct", "2024-25", "rank", 58), ("11519", "2024-25", "council", 597.29), ("11520", "2024-25", "council", 32537),
    ("11525", "2023-24", "council", 27330), ("12298", "2024-25", "rank", 40), ("11521", "2024-25", "rank", 45),
    ("11538", "2024-25", "low_end", 0.5),
])
def test_printed_figures(pack, metric_id, year, column, expected):
    assert figure(pack, metric_id, year, column) == pytest.approx(expected)


def test_suppressed_and_no_value_cells_are_missing_not_zero(pack):
    assert pd.isna(figure(pack, "27414", "2024-25"))
    assert pack.comparisons.set_index(["metric_id", "year"]).loc[("27414", "2024-25"), "council_note"] == "Suppressed"
    assert pd.isna(figure(pack, "27420", "2024-25"))


def test_section_4_assertions_hold_for_leicestershire(pack):
    for year in ("2023-24", "2024-25"):
        checks = consistency_checks(pack.comparisons, year, POPULATIONS if year == "2024-25" else None)
        assert checks["holds"].all(), checks[~checks["holds"]]
    assert len(consistency_checks(pack.comparisons, "2024-25", POPULATIONS)) == 30


def test_lg_inform_10th_percentile_is_the_high_end_for_default_metrics(pack):
    """Section 4, assertion 10: the row labelled 10th percentile is at least the 90th."""
    table = pack.comparisons
    default = table[table["metric_id"].map(lambda m: metrics().loc[m, "polarity"] != "low")]
    both = default.dropna(subset=["printed_p10", "printed_p90"])
    assert len(both) == 81 and (both["printed_p10"] >= both["printed_p90"]).all()
    assert (table.dropna(subset=["high_end", "low_end"]).eval("high_end >= low_end")).all()


def test_quartiles_follow_the_rank(pack):
    assert figure(pack, "12298", "2024-25", "quartile") == 2  # rank 40 of 153: not the top quartile
    assert figure(pack, "4277", "2023-24", "quartile") == 1
    assert figure(pack, "11533", "2024-25", "quartile") == 4


# ----- bad packs ----------------------------------------------------------------------------------------------

@pytest.fixture()
def pack_copy(tmp_path):
    target = tmp_path / "use_of_resources"
    shutil.copytree(PACK, target)
    return target


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_step_table_is_named(pack_copy):
    (pack_copy / "step04.csv").unlink()
    with pytest.raises(InputError, match=r"(?s)step04\.csv.*the Step 4 table is missing"):
        load_pack(pack_copy)


def test_an_unknown_metric_names_file_line_and_column(pack_copy):
    _replace(pack_copy / "step06.csv", "11534,2023-24", "99999,2023-24")
    with pytest.raises(InputError, match=r"step06\.csv:\n  line 4, column 'metric_id': unknown metric '99999'"):
        load_pack(pack_copy)


def test_a_percentile_row_out_of_order_names_file_line_and_columns(pack_copy):
    _replace(pack_copy / "step01.csv", "734.27,529.98", "529.98,734.27")
    with pytest.raises(InputError, match=r"step01\.csv:\n  line 3, columns 'printed_p10' and 'printed_p90': "
                                         r"the percentile row is not ordered"):
        load_pack(pack_copy)


def test_a_low_is_good_percentile_row_must_run_the_other_way(pack_copy):
    _replace(pack_copy / "step07.csv", "350.7,773.8", "773.8,350.7")
    with pytest.raises(InputError, match=r"line 31, columns 'printed_p10' and 'printed_p90'.*must be at most"):
        load_pack(pack_copy)


def test_a_number_with_a_thousands_separator_is_refused(pack_copy):
    _replace(pack_copy / "step03.csv", "11494,2024-25,10980", '11494,2024-25,"10,980"')
    with pytest.raises(InputError, match=r"line 3, column 'council': expected a plain number"):
        load_pack(pack_copy)


def test_a_rank_beyond_the_councils_is_refused(pack_copy):
    _replace(pack_copy / "step01.csv", "529.98,146", "529.98,154")
    with pytest.raises(InputError, match=r"line 3, column 'rank': expected a whole number from 1 to 153"):
        load_pack(pack_copy)


def test_a_metric_in_the_wrong_step_is_refused(pack_copy):
    _replace(pack_copy / "step12.csv", "24844,2023-24", "11518,2023-24")
    with pytest.raises(InputError, match=r"line 2, column 'metric_id': metric 11518 belongs to Step 1"):
        load_pack(pack_copy)
