"""DHSC's waiting-time measures from client level data, for the waiting-list report.

DHSC measures, for new adult service users aged 25 and over, the days from a request for support
to the first response (normally an assessment) and to the first service, and publishes the median
and number of waits by quarter and age band (specification section 4). The engine
(``scrutiny.cld.api.waiting_time_measures``) computes them from the council's extract. On the same
cohort and linking the project adds, clearly labelled, the mean, 75th and 90th percentiles, waits
by length and the people still waiting at the snapshot date (specification 4.7).

These complement the work-tray figures of the rest of the report: CLD holds completed events
only, so it cannot show a request nobody has yet acted on, and its "still waiting" counts are a
lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..cld import api  # noqa: E402
from ..inputs import cld_extract  # noqa: E402
from ..inputs.cld_extract import LocalExtract, MissingExtractError  # noqa: E402
from ..publishing.charts import COUNCIL_COLOUR  # noqa: E402
from ..publishing.tables import write_csv  # noqa: E402

DHSC_METHOD, PROJECT_ADDITION = "DHSC method", "project addition"
METRICS = ("Wait time to first response", "Wait time to first service")
AGE_BANDS = ("25 to 64", "65 and above")
CSV_NAME = "waiting_list_cld_waiting_times.csv"
LIMITS = [
    "DHSC's measures count completed waits only: a wait enters the quarter in which the response or service "
    "started, so the latest quarter is incomplete (right-censored) and earlier quarters are revised as late "
    "records arrive.",
    "Client level data hold events once they are complete, so a request nobody has acted on is not in them: "
    "'still waiting' from client level data is a lower bound, unlike the work-tray figures above. A request never "
    "followed up (the person moved away or recovered) stays 'waiting' until the council closes it.",
    "What a council cannot reproduce locally (specification 3.11): DHSC traces NHS numbers and adds ONS deaths, "
    "and sees other councils' records, so a person who had services elsewhere can be 'new' locally and not "
    "nationally; DHSC also derives each submission's period and chooses between submissions (3.1, 3.2), while "
    "the extract here is taken as one submission.",
    "Waits are counted for service users aged 25 and over (age at the event); quarters are calendar quarters "
    "from April 2024; groups of fewer than 5 waits are withheld ([c]).",
]


@dataclass
class CldWaitingTimes:
    """The section: the extract used (None when there is none), its dates and the long table."""

    extract: LocalExtract | None
    period_end: date
    snapshot: date
    table: pd.DataFrame
    reason: str = ""

    @property
    def synthetic(self) -> bool:
        return self.extract is not None and self.extract.synthetic

    @property
    def title(self) -> str:
        title = "DHSC waiting-time measures from client level data"
        return f"{title}: {cld_extract.SYNTHETIC_LABEL}" if self.synthetic else title

    @property
    def source_ids(self) -> set[str]:
        return {cld_extract.SOURCE_ID} if self.extract is not None else set()


def build_cld_waiting_times(extract_parameter: str, council_code: str, period_end: date,
                            snapshot: date) -> CldWaitingTimes:
    """The measures for every quarter from April 2024 to ``period_end`` (the report's quarter end)
    and the people still waiting at ``snapshot``. A bad extract stops with file, row and column; a
    missing synthetic extract or one taken before ``period_end`` leaves the figures out with the reason."""
    empty = pd.DataFrame(columns=["council_code", "method", "metric", "quarter_start", "quarter_end", "age_band",
                                  "statistic", "value", "waits", "suppressed"])
    try:
        path, synthetic = cld_extract.locate(extract_parameter)
    except MissingExtractError as err:
        return CldWaitingTimes(None, period_end, snapshot, empty, str(err))
    extract = cld_extract.describe(path, synthetic)
    if not extract.covers(period_end):
        return CldWaitingTimes(extract, period_end, snapshot, empty,
                               f"the extract was taken on {extract.import_date}, before the quarter ends on "
                               f"{period_end:%d %B %Y}; give an extract submitted after the quarter end")
    table = api.waiting_time_measures(path, council_code, period_end, snapshot=snapshot)
    return CldWaitingTimes(extract, period_end, snapshot, table)


def _shown(value, suppressed: bool, decimals: int = 1) -> str:
    if suppressed:
        return "[c]"
    if value is None or pd.isna(value):
        return ""
    return f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"


def _wide(table: pd.DataFrame, statistics: dict[str, tuple[str, int]]) -> pd.DataFrame:
    """One row per quarter and age band, one column per metric and statistic (printed values)."""
    rows = {}
    for record in table[table["statistic"].isin(statistics)].itertuples():
        key = (record.quarter_end, record.age_band)
        heading, decimals = statistics[record.statistic]
        row = rows.setdefault(key, {"quarter": f"{pd.Timestamp(record.quarter_start):%b}-"
                                               f"{pd.Timestamp(record.quarter_end):%b %Y}",
                                    "age_band": record.age_band})
        part = "First response" if record.metric.endswith("response") else "First service"
        row[f"{part}: {heading}"] = _shown(record.value, record.suppressed, decimals)
    order = ["quarter", "age_band"] + [f"{part}: {heading}" for part in ("First response", "First service")
                                       for heading, _ in statistics.values()]
    frame = pd.DataFrame([rows[key] for key in sorted(rows)])
    return frame[[column for column in order if column in frame]] if len(frame) else frame


def dhsc_table(section: CldWaitingTimes) -> pd.DataFrame:
    """DHSC's measures: median days and number of waits by quarter and age band."""
    chosen = section.table[section.table["method"] == DHSC_METHOD]
    return _wide(chosen, {"median days": ("median days", 1), "number of waits": ("waits", 0)})


def additions_table(section: CldWaitingTimes) -> pd.DataFrame:
    """The project's additions on the same cohort: mean and percentiles by quarter and age band."""
    chosen = section.table[(section.table["method"] == PROJECT_ADDITION) & section.table["metric"].isin(METRICS)]
    return _wide(chosen, {"mean days": ("mean", 1), "75th percentile days": ("75th percentile", 1),
                          "90th percentile days": ("90th percentile", 1)})


def lengths_table(section: CldWaitingTimes) -> pd.DataFrame:
    """Waits by length in the latest quarter (project addition), by metric and age band."""
    chosen = section.table[(section.table["method"] == PROJECT_ADDITION)
                           & section.table["statistic"].str.startswith("waits of")]
    if chosen.empty:
        return pd.DataFrame()
    chosen = chosen[chosen["quarter_end"] == chosen["quarter_end"].max()]
    rows = []
    for (metric, band), group in chosen.groupby(["metric", "age_band"], sort=True):
        row = {"metric": metric, "age_band": band}
        for record in group.itertuples():
            row[record.statistic.removeprefix("waits of ")] = _shown(record.value, record.suppressed, 0)
        rows.append(row)
    return pd.DataFrame(rows)


def still_waiting_table(section: CldWaitingTimes) -> pd.DataFrame:
    """People still waiting at the snapshot date and their median wait so far (project addition)."""
    chosen = section.table[section.table["metric"].str.startswith("Still waiting")]
    rows = {}
    for record in chosen.itertuples():
        row = rows.setdefault((record.metric, record.age_band), {"waiting_for": record.metric, "age_band": record.age_band})
        if record.statistic.startswith("number"):
            row["people"] = _shown(record.value, record.suppressed, 0)
        else:
            row["median days so far"] = _shown(record.value, record.suppressed, 1)
    return pd.DataFrame(list(rows.values()))


def section_html(section: CldWaitingTimes) -> str:
    """The section (jinja2 template): DHSC's measures, the labelled additions and the method's limits."""
    frames = {"dhsc": dhsc_table(section), "additions": additions_table(section),
              "lengths": lengths_table(section), "still": still_waiting_table(section)}
    tables = {name: {"columns": list(frame.columns), "rows": frame.fillna("").to_numpy().tolist()}
              for name, frame in frames.items() if not frame.empty}
    latest = section.table["quarter_end"].max() if not section.table.empty else None
    return cld_extract.render("waiting_times.html.j2", section=section, tables=tables, limits=LIMITS,
                              synthetic_label=cld_extract.SYNTHETIC_LABEL, latest=latest)


def median_chart(section: CldWaitingTimes):
    """Median wait by quarter (DHSC) with the 90th percentile (project addition), per metric; age
    bands differ by line style and marker as well as colour. None when there is nothing to draw."""
    table = section.table
    if table.empty:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(10.5, 3.4))
    quarters = sorted(table.loc[table["metric"].isin(METRICS), "quarter_end"].unique())
    position = {quarter: index for index, quarter in enumerate(quarters)}
    labels = [f"{pd.Timestamp(q) - pd.offsets.QuarterBegin(startingMonth=1):%b}-{pd.Timestamp(q):%b %y}"
              for q in quarters]
    styles = {"25 to 64": ("#7b3294", "o", "-"), "65 and above": (COUNCIL_COLOUR, "s", "--")}
    for axis, metric in zip(axes, METRICS, strict=True):
        for band, (colour, marker, line) in styles.items():
            for statistic, width, face, label in (("median days", 1.6, colour, "median (DHSC method)"),
                                                  ("90th percentile days", 0.9, "white",
                                                   "90th percentile (project addition)")):
                rows = table[(table["metric"] == metric) & (table["age_band"] == band)
                             & (table["statistic"] == statistic)].sort_values("quarter_end")
                axis.plot(rows["quarter_end"].map(position), rows["value"], color=colour, marker=marker,
                          linestyle=line if statistic == "median days" else ":", linewidth=width,
                          markerfacecolor=face, markersize=4, label=f"{band}: {label}")
        axis.set_title(metric, fontsize=9)
        axis.set_ylim(bottom=0)
        axis.set_xticks(range(len(quarters)), labels, rotation=30, ha="right")
        axis.tick_params(labelsize=7)
        axis.set_ylabel("days from request", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
    suffix = f" ({cld_extract.SYNTHETIC_LABEL})" if section.synthetic else ""
    figure.suptitle(f"Days from request to first response and to first service{suffix}", fontsize=9)
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    return figure


def write_cld_tables(section: CldWaitingTimes, output_dir: str | Path) -> list[Path]:
    """The long table (every statistic, with its method label) as CSV: aggregates only."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    table = section.table.assign(data=section.extract.label if section.extract is not None else "")
    return [write_csv(table, folder / CSV_NAME)]
