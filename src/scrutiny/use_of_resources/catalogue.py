"""The Use of Resources metrics catalogue: every LG Inform metric of the 13 steps, its exact name,
unit, printed decimals, polarity and formula (``metrics.csv`` beside this module).

The catalogue is the method, the same for every council; a council's figures come from a pack
(``pack.py``) or from the national panel (``panel.py``), and both are checked against it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

CATALOGUE = Path(__file__).with_name("metrics.csv")

#: The comparison columns a step table can show, in the order the LG Inform report prints them.
COMPARISON_COLUMNS = ("council", "england", "county_mean", "all_mean", "region_mean",
                      "high_end", "low_end", "rank", "quartile")

#: Metrics derived from catalogue metrics by summing (used by the headline statements).
DERIVED_SUMS = {
    "residents_65_plus": ("residents_65_74", "residents_75_84", "residents_85_plus"),
    "residents_18_64": ("residents_18_24", "residents_25_44", "residents_45_64"),
    "lts_65_plus_share": ("25277", "25278", "25279"),
}


@cache
def metrics() -> pd.DataFrame:
    """The catalogue, indexed by metric id (text: LG Inform ids and named calculated metrics)."""
    frame = pd.read_csv(CATALOGUE, dtype={"metric_id": str, "step": int, "decimals": int})
    return frame.set_index("metric_id", drop=False)


def metric(metric_id: str) -> pd.Series:
    """One catalogue row; KeyError names the metric."""
    try:
        return metrics().loc[str(metric_id)]
    except KeyError:
        raise KeyError(f"metric {metric_id!r} is not in the Use of Resources catalogue ({CATALOGUE.name})") from None


def ranks_low_first(metric_id: str) -> bool:
    """True for ASCOF 'low is good' measures, where rank 1 is the lowest value (polarity ranking)."""
    return metric(metric_id)["polarity"] == "low"
