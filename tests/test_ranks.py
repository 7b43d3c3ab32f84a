"""Ranks, quartiles and composites (statistical-methods.md 7.1-7.5, F17): pure unit tests that need
no national files, so they run everywhere."""

import pandas as pd
import pytest

from scrutiny.benchmarking import analysis as bm


def test_ranks_and_quartiles_f17():
    values = pd.Series({"H": 8.7, "C": 9.8, "M": 10.0, "D": 11.3, "F": 11.3, "K": 11.3, "A": 12.0, "O": 12.7,
                        "I": 13.4, "J": 14.9, "B": 15.2, "N": 16.4, "E": 17.0, "P": 19.0, "G": 20.1, "L": 22.5})
    ranks = bm.competition_rank(bm.score(values, "low"))
    assert ranks.to_dict() == {"H": 1, "C": 2, "M": 3, "D": 4, "F": 4, "K": 4, "A": 7, "O": 8, "I": 9, "J": 10,
                               "B": 11, "N": 12, "E": 13, "P": 14, "G": 15, "L": 16}
    assert [bm.quartile(r, 16) for r in (4, 7, 9, 13)] == [1, 2, 3, 4]
    assert bm.quartile(39, 153) == 2 and bm.quartile(38, 153) == 1
    assert bm.quartile(1, 3) is None


def test_composite_needs_three_quarters_of_the_measures():
    ranks = pd.DataFrame({
        "ons_code": ["A", "B", "C", "A", "B", "C", "A", "B"],
        "measure": ["m1", "m1", "m1", "m2", "m2", "m2", "m3", "m3"],
        "rank_group": [1, 2, 3, 3, 1, 2, 1, 2],
        "normalised_rank": [0, 0.5, 1, 1, 0, 0.5, 0, 1],
    })
    scores = bm.composite_scores(ranks, ["m1", "m2", "m3"]).set_index("ons_code")
    assert scores.loc["A", "composite"] == pytest.approx(1 / 3)
    assert scores.loc["B", "composite"] == pytest.approx(0.5)
    assert pd.isna(scores.loc["C", "composite"])  # 2 of 3 measures < 75%



def test_a_tie_on_the_quartile_boundary_keeps_the_better_quartile():
    ranks = bm.competition_rank(bm.score(pd.Series({"A": 1.0, "B": 2.0, "C": 2.0, "D": 3.0}), "high"))
    assert ranks.to_dict() == {"A": 4, "B": 2, "C": 2, "D": 1}
    assert [bm.quartile(r, 4) for r in ranks] == [4, 2, 2, 1]
