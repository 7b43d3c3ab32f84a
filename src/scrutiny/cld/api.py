"""The CLD tables the reports use: in-year ASCOF figures for the dashboard, in the layout of
``data/raw/observations.csv``, and DHSC's waiting-time measures with the project's additions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

import pyarrow.parquet as pq

from scrutiny.cld import measures, synthetic
from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import DEFAULT_MEMORY_LIMIT, ExtractError, connect, open_extract
from scrutiny.paths import resolve

LOCAL_NOTE = "local calculation, DHSC method"
SOURCE_ID = "cld_local"
OBSERVATION_COLUMNS = ["council_code", "metric_id", "period_start", "period_end", "value", "numerator",
                       "denominator", "margin_of_error", "respondents", "estimate", "note", "source_detail",
                       "source", "as_of"]
POPULATION_SOURCE = "data/raw/observations.csv"


def open_engine(extract_path: str | Path, period_end: object, *, memory_limit: str = DEFAULT_MEMORY_LIMIT,
                threads: int | None = None, discharges: str | Path | None = None, **options) -> DuckDBEngine:
    """Open and check an extract (and hospital discharges, for ASCOF 2D) and prepare it for the 12
    months ending ``period_end``; ``options`` go to :class:`DuckDBEngine` (submission selection)."""
    return DuckDBEngine(open_extract(extract_path, connect(memory_limit, threads)), period_end,
                        discharges=discharges, **options)


def default_discharges(extract_path: str | Path) -> Path | None:
    """The hospital discharges kept beside an extract (``<name>_discharges.<ext>``), if there are any."""
    path = synthetic.discharges_path(resolve(extract_path))
    return path if path.exists() else None


def is_synthetic(path: Path) -> bool:
    """Whether a parquet file was written by the synthetic generator (it says so in its metadata)."""
    if path.suffix.lower() != ".parquet":
        return False
    metadata = pq.read_schema(path).metadata or {}
    return metadata.get(b"scrutiny.synthetic") == b"true"


ASCOF_MEASURES = ("2A", "2B2C", "2D", "2E", "3D")


def ascof_tables(engine, population: dict[str, dict[str, float]] | None = None,
                 councils: list[str] | None = None, *, wanted: tuple[str, ...] = ASCOF_MEASURES) -> pd.DataFrame:
    """Every CLD ASCOF measure the engine computes (2A, 2B/2C if a population is given, 2D if the
    engine has hospital discharges, 2E, 3D), or only those ``wanted``."""
    unknown = set(wanted) - set(ASCOF_MEASURES)
    if unknown:
        raise ValueError(f"unknown ASCOF measure(s) {sorted(unknown)}: expected some of {', '.join(ASCOF_MEASURES)}")
    councils = councils or engine.councils()
    parts = []  # the measures count units, so the units come without person identifiers
    if "2A" in wanted:
        parts.append(measures.ascof_2a(engine.ascof_2a_clusters(identified=False), engine.period, councils))
    if "2D" in wanted and engine.discharges is not None:
        parts.append(measures.ascof_2d(*engine.ascof_2d_units(), engine.ascof_2d_period(), councils))
    if "2B2C" in wanted and population is not None:
        parts.append(measures.ascof_2b2c(engine.ascof_2b2c_admissions(identified=False), engine.period, councils, population))
    if "2E" in wanted:
        parts.append(measures.ascof_2e(engine.ascof_2e_people(identified=False), engine.period, councils))
    if "3D" in wanted:
        parts.append(measures.ascof_3d(engine.ascof_3d_people(identified=False), engine.period, councils))
    return pd.concat(parts, ignore_index=True)


def published_population(council_code: str, *, observations: str | Path = POPULATION_SOURCE
                         ) -> dict[str, float]:
    """The 18-64 and 65+ populations DHSC used for the council's latest published 2B and 2C
    (the denominators in ``observations.csv``). Raises ValueError if there are none."""
    table = pd.read_csv(resolve(observations), dtype={"council_code": str})
    rows = table[(table["council_code"] == council_code) & table["denominator"].notna()
                 & table["source"].astype(str).str.startswith("dhsc")]
    population = {}
    for metric, band in (("ascof_2b", "18 to 64"), ("ascof_2c", "65 and above")):
        found = rows[rows["metric_id"] == metric].sort_values(["period_end", "as_of"])
        if found.empty:
            raise ValueError(f"{observations}: no DHSC {metric} denominator (population) for council "
                             f"{council_code}; pass population= explicitly")
        population[band] = float(found["denominator"].iloc[-1])
    return population


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _as_of(engine: DuckDBEngine) -> str:
    value = engine.con.execute("SELECT max(ImportDate) FROM cld_standard").fetchall()[0][0]
    return str(pd.Timestamp(value).date())


def _check_council(engine: DuckDBEngine, council_code: str, extract_path: Path) -> None:
    councils = engine.councils()
    if council_code not in councils:
        raise ExtractError(f"{extract_path}: no events for council {council_code!r} in column 'LA Code' "
                           f"(found {', '.join(councils) or 'none'})")


def dashboard_figures(extract_path: str | Path, council_code: str, period_end: object, *,
                      population: dict[str, float] | None = None,
                      discharges: str | Path | None = None) -> pd.DataFrame:
    """ASCOF 2A, 2B, 2C and 2D(1) for the 12 months ending ``period_end`` (2D: the 12 months ending
    three months earlier, as DHSC lags it), computed from the council's CLD extract by DHSC's
    method, as rows of ``observations.csv`` (estimate ``provisional``).

    ASCOF 2D needs hospital discharges (SUS) linked by NHS number: ``discharges``, by default the
    file kept beside the extract (``<name>_discharges.parquet``). Without them the 2D row has no
    value and its note says why; a figure from synthetic discharges says so. Counts below 5 are
    withheld as DHSC does.
    """
    path = resolve(extract_path)
    spells = resolve(discharges) if discharges is not None else default_discharges(path)
    engine = open_engine(path, period_end, discharges=spells)
    _check_council(engine, council_code, path)
    population = population or published_population(council_code)
    # the dashboard shows 2A, 2B, 2C and 2D only: 2E and 3D are not computed for it
    table = ascof_tables(engine, {council_code: population}, [council_code], wanted=("2A", "2B2C", "2D"))
    detail = f"computed from {path.name} (sha256 {_sha256(path)[:16]}) by the CLD engine"
    base = {"council_code": council_code, "margin_of_error": None, "respondents": None,
            "estimate": "provisional", "source": SOURCE_ID, "as_of": _as_of(engine)}
    rows = []
    for metric_id, measure, group in (("ascof_2a", "2A", "Total"), ("ascof_2b", "2B", "18 to 64"),
                                      ("ascof_2c", "2C", "65 and above")):
        row = table[(table["Measure"] == measure) & (table["Group"] == group)].iloc[0]
        rate = measure in ("2B", "2C")
        published = measures.suppress(pd.DataFrame([row]), population_denominator=rate).iloc[0]
        rows.append({**base, "metric_id": metric_id, "period_start": str(engine.period.start.date()),
                     "period_end": str(engine.period.end.date()), "value": row["Outcome"],
                     "numerator": published["Numerator"], "denominator": published["Denominator"],
                     "note": LOCAL_NOTE, "source_detail": detail})
    period_2d = engine.ascof_2d_period()
    two_d = {**base, "metric_id": "ascof_2d", "period_start": str(period_2d.start.date()),
             "period_end": str(period_2d.end.date())}
    if spells is None:
        rows.append({**two_d, "value": None, "numerator": None, "denominator": None,
                     "note": f"{LOCAL_NOTE}; {measures.NOT_CALCULABLE_2D}", "source_detail": detail})
    else:
        row = table[(table["Measure"] == "2D(1)") & (table["Group"] == "Total")].iloc[0]
        published = measures.suppress(pd.DataFrame([row])).iloc[0]
        kind = "synthetic hospital discharges" if is_synthetic(spells) else "hospital discharges"
        rows.append({**two_d, "value": row["Outcome"], "numerator": published["Numerator"],
                     "denominator": published["Denominator"],
                     "note": f"{LOCAL_NOTE}; from {kind}" if kind.startswith("synthetic") else LOCAL_NOTE,
                     "source_detail": f"{detail}, with {kind} {spells.name} (sha256 {_sha256(spells)[:16]})"})
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)


def waiting_time_measures(extract_path: str | Path, council_code: str, period_end: object, *,
                          snapshot: object | None = None) -> pd.DataFrame:
    """DHSC's waiting-time measures for each quarter from April 2024 to ``period_end``: median days
    and number of waits from request to first response and to first service, by age band.

    Rows with ``method`` = ``project addition`` are the project's own statistics on exactly the same
    cohort: mean, 75th and 90th percentiles, waits by length, and the number still waiting at
    ``snapshot`` (default ``period_end``) with their median wait so far. Groups of fewer than 5 waits
    are withheld (``value`` empty, ``suppressed`` true), and so are counts of waits by length below 5."""
    path = resolve(extract_path)
    engine = open_engine(path, period_end)
    _check_council(engine, council_code, path)
    requests = engine.waiting_time_requests()
    requests = requests[requests["LA_Code"] == council_code]
    end = engine.period.end
    frames = []
    dhsc = measures.waiting_times(requests, from_quarter="2024-04-01")
    dhsc = dhsc[dhsc["Quarter_End"] <= end]
    for statistic, column in (("median days", "Median_Waiting_Time"),
                              ("number of waits", "Number_Of_Waiting_Times_Identified")):
        frames.append(_long(dhsc, "DHSC method", statistic, column))
    additions = measures.waiting_time_percentiles(requests)
    additions = additions[(additions["Quarter_Start"] >= pd.Timestamp("2024-04-01"))
                          & (additions["Quarter_Start"] <= end)]
    additions["Quarter_End"] = additions["Quarter_Start"] + pd.offsets.QuarterEnd(0)
    additions = additions.rename(columns={"Waits": "Number_Of_Waiting_Times_Identified"})
    for statistic, column in (("mean days", "Mean"), ("75th percentile days", "P75"),
                              ("90th percentile days", "P90"),
                              *((f"waits of {label}", label) for _, _, label in measures.WAIT_BANDS_DAYS)):
        frames.append(_long(additions, "project addition", statistic, column))
    day = pd.Timestamp(snapshot) if snapshot is not None else end
    waiting = measures.still_waiting(requests, day)
    quarter_start = day.to_period("Q").start_time
    for waiting_for in ("first response", "first service"):
        for band in measures.WAIT_BANDS:
            chosen = waiting[(waiting["Waiting_For"] == waiting_for) & (waiting["Age_Band"] == band)]
            base = {"LA_Code": council_code, "Metric": f"Still waiting for a {waiting_for}",
                    "Quarter_Start": quarter_start, "Quarter_End": day, "Age_Band": band,
                    "Number_Of_Waiting_Times_Identified": len(chosen)}
            frames.append(_long(pd.DataFrame([{**base, "value": len(chosen)}]), "project addition",
                                f"number still waiting at {day.date()}", "value"))
            median = chosen["Days_Waiting"].median() if len(chosen) else None
            frames.append(_long(pd.DataFrame([{**base, "value": median}]), "project addition",
                                "median days waited so far", "value"))
    table = pd.concat(frames, ignore_index=True)
    small_band = table["statistic"].str.startswith("waits of") & (table["value"] < measures.SUPPRESS_BELOW)
    table["suppressed"] = (table["waits"] < measures.SUPPRESS_BELOW) | small_band
    table.loc[table["suppressed"], "value"] = None
    table.insert(0, "council_code", council_code)
    return table.drop(columns="LA_Code").reset_index(drop=True)


def _long(frame: pd.DataFrame, method: str, statistic: str, column: str) -> pd.DataFrame:
    return pd.DataFrame({
        "LA_Code": frame["LA_Code"], "method": method, "metric": frame["Metric"],
        "quarter_start": pd.to_datetime(frame["Quarter_Start"]).dt.date,
        "quarter_end": pd.to_datetime(frame["Quarter_End"]).dt.date, "age_band": frame["Age_Band"],
        "statistic": statistic, "value": frame[column].astype(float),
        "waits": frame["Number_Of_Waiting_Times_Identified"].astype(int)})
