"""The national panel: every council's Use of Resources figures, from which the report computes
each mean, percentile, rank and quartile itself (so it runs for any of the 153 councils).

The panel is one tidy CSV, ``data/raw/national/use_of_resources_panel.csv``::

    council_code,year,metric_id,value,source
    E10000018,2024-25,11518,500.31,ASC-FR 2024-25
    E92000001,2024-25,11518,632.97,ASC-FR 2024-25

``council_code`` is the ONS code (``E92000001`` for England's published total), ``year`` a
financial year (``2024-25``), ``metric_id`` an id of the catalogue, ``value`` a plain number or
blank (suppressed), ``source`` the collection and release. The DHSC ASCOF table prepared by
``make data`` adds the mid-year populations aged 18-64 and 65+ (the 2B and 2C denominators) and
the four Step 7 ASCOF measures for every council, so they need not be in the panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs import InputError, read_text_table
from .catalogue import metrics
from .pack import _NUMBER, valid_year
from .statistics import compare

PANEL_FILE = "use_of_resources_panel.csv"
PANEL_COLUMNS = ("council_code", "year", "metric_id", "value", "source")
ENGLAND = "E92000001"
#: ASCOF measure code (2024-25 framework) behind each LG Inform Step 7 metric.
ASCOF_METRICS = {"3D(2a)": "4277", "2E(1)": "10674", "2B": "4281", "2C": "4282"}


def read_panel(path: str | Path) -> pd.DataFrame:
    """Read and validate the panel; every problem names its line and column."""
    path = Path(path)
    frame = read_text_table(path)
    missing = [c for c in PANEL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(map(repr, missing))}; expected {', '.join(PANEL_COLUMNS)}"])
    catalogue = metrics()
    problems = []
    for index, row in frame.iterrows():
        where = f"line {index + 2}"
        if row["metric_id"].strip() not in catalogue.index:
            problems.append(f"{where}, column 'metric_id': unknown metric {row['metric_id']!r} (not in the catalogue)")
        if not valid_year(row["year"].strip()):
            problems.append(f"{where}, column 'year': expected a financial year such as 2024-25, found {row['year']!r}")
        value = row["value"].strip()
        if value and not _NUMBER.match(value):
            problems.append(f"{where}, column 'value': expected a plain number or blank, found {value!r}")
        if not row["council_code"].strip().startswith("E"):
            problems.append(f"{where}, column 'council_code': expected an ONS code such as E10000018, "
                            f"found {row['council_code']!r}")
    duplicated = frame.duplicated(["council_code", "year", "metric_id"])
    problems += [f"line {i + 2}, columns 'council_code', 'year' and 'metric_id': repeated row"
                 for i in np.flatnonzero(duplicated)]
    if problems:
        raise InputError(path, problems)
    panel = frame[list(PANEL_COLUMNS)].apply(lambda col: col.str.strip())
    panel["value"] = pd.to_numeric(panel["value"].replace("", np.nan))
    return panel


def ascof_panel(tidy: pd.DataFrame) -> pd.DataFrame:
    """Populations and the Step 7 ASCOF measures of every council, from the prepared ASCOF table."""
    rows = tidy[tidy["measure"].isin(ASCOF_METRICS) & tidy["ons_code"].fillna("").str.startswith("E")
                & tidy["level"].isin(["Local authority", "England"])]
    measures = pd.DataFrame({"council_code": rows["ons_code"], "year": rows["year"],
                             "metric_id": rows["measure"].map(ASCOF_METRICS), "value": rows["outcome"],
                             "source": "DHSC ASCOF " + rows["year"]})
    populations = []
    for measure, metric_id in (("2B", "population_18_64"), ("2C", "population_65_plus")):
        part = rows[rows["measure"] == measure]
        populations.append(pd.DataFrame({"council_code": part["ons_code"], "year": part["year"], "metric_id": metric_id,
                                         "value": part["denominator"], "source": f"ONS mid-year estimate (ASCOF {measure} denominator)"}))
    both = pd.concat(populations)
    adults = both.pivot_table(index=["council_code", "year"], columns="metric_id", values="value").dropna()
    total = pd.DataFrame({"council_code": adults.index.get_level_values(0), "year": adults.index.get_level_values(1),
                          "metric_id": "population_18_plus", "value": adults.sum(axis=1).to_numpy(),
                          "source": "ONS mid-year estimate (ASCOF 2B + 2C denominators)"})
    return pd.concat([measures, both, total], ignore_index=True).dropna(subset=["value"])


def panel_comparisons(panel: pd.DataFrame, council: str, group: list[str], region: list[str] | None,
                      source: str = PANEL_FILE) -> pd.DataFrame:
    """The comparison table for one council: the same columns as a pack's, computed from the panel."""
    if council not in set(panel["council_code"]):
        raise InputError(source, [f"council {council!r} has no rows in the panel (column 'council_code'); "
                                  "add its figures or choose a council in the panel"])
    catalogue = metrics()
    rows = []
    for (metric_id, year), part in panel.groupby(["metric_id", "year"], sort=False):
        councils = part[part["council_code"] != ENGLAND].set_index("council_code")["value"]
        england = part.loc[part["council_code"] == ENGLAND, "value"]
        figures = compare(councils, metric_id, council, group, england.iloc[0] if len(england) else None, region)
        step = int(catalogue.loc[metric_id, "step"])
        rows.append({"metric_id": metric_id, "year": year, "step": step, **figures,
                     "source_file": source, "council_note": "" if pd.notna(figures["council"]) else "no value"})
    table = pd.DataFrame(rows)
    table["rank"] = table["rank"].astype("Int64")
    table["quartile"] = table["quartile"].astype("Int64")
    return table
