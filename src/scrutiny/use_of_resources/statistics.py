"""Means, percentiles, ranks and quartiles as the LG Inform Use of Resources report computes them.

* Means are unweighted means of council values (England is a ratio of national totals, not a mean).
* Percentiles are ``numpy.percentile(..., method="linear")`` (Excel PERCENTILE.INC) across all
  councils with a value. LG Inform labels them in ranking direction: its "10th percentile" row is
  the high end (the 90th percentile of values) unless the measure's polarity is "low is good".
  This module always returns value percentiles: ``high_end`` (90th) and ``low_end`` (10th).
* Rank 1 is the highest value, or the lowest for "low is good" ASCOF measures; ties share the
  better rank (competition ranking). The quartile is ceil(4 x rank / councils) in ranking direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..benchmarking.analysis import competition_rank, quartile
from .catalogue import ranks_low_first


def value_percentiles(values: pd.Series) -> tuple[float, float]:
    """(90th, 10th) percentiles of the non-missing values, linear interpolation."""
    clean = values.dropna().to_numpy(dtype=float)
    if clean.size == 0:
        return float("nan"), float("nan")
    high, low = np.percentile(clean, [90, 10], method="linear")
    return float(high), float(low)


def ranks(values: pd.Series, low_first: bool = False) -> pd.Series:
    """Competition ranks (1 = highest, or lowest when ``low_first``); missing values stay missing."""
    scores = -values if low_first else values
    return competition_rank(scores.dropna()).reindex(values.index)


def printed_labels(high_end: float, low_end: float, low_first: bool) -> dict[str, float]:
    """The values under LG Inform's labels: its "10th percentile" is the first in ranking order."""
    if low_first:
        return {"10th percentile (LG Inform label)": low_end, "90th percentile (LG Inform label)": high_end}
    return {"10th percentile (LG Inform label)": high_end, "90th percentile (LG Inform label)": low_end}


def compare(values: pd.Series, metric_id: str, council: str, group: list[str], england: float | None = None,
            region: list[str] | None = None) -> dict[str, float | int | None]:
    """The comparison columns for one metric and year from every council's value (index: ONS code)."""
    values = values.astype(float)
    low_first = ranks_low_first(metric_id)
    high_end, low_end = value_percentiles(values)
    ranked = ranks(values, low_first)
    councils = int(values.notna().sum())
    rank = ranked.get(council)
    rank = None if rank is None or pd.isna(rank) else int(rank)
    members = [c for c in group if c in values.index]
    return {
        "council": values.get(council, float("nan")),
        "england": float("nan") if england is None else float(england),
        "county_mean": float(values[members].mean()) if members else float("nan"),
        "all_mean": float(values.mean()),
        "region_mean": float(values[[c for c in (region or []) if c in values.index]].mean()) if region else float("nan"),
        "high_end": high_end,
        "low_end": low_end,
        "rank": rank,
        "councils": councils,
        "quartile": quartile(rank, councils) if rank is not None else None,
    }
