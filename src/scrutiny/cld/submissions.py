"""Which submission serves which quarter: DHSC's derived reporting periods and submission selection
(cld-methods.md 3.1 and 3.2), in DuckDB SQL over the ``cld_standard`` view of an opened extract.

A submission is one file a council sent, identified by council code and ``ImportDate``. Its
reporting period is re-derived from the event end dates in it (``v2``, DHSC's newest method and the
default; ``v1``, the method in use to Q4 2025/26) or taken as stated in the file (``stated``).
The joined table used by every measure takes, for each quarter, the latest eligible submission
covering it; a file chosen for several quarters is used once with the earliest start and latest end
of those quarters as its reference period.

An extract in which every council has a single submission (a council's own local extract) is used
whole, with the reference period from the start of the data to the period end, exactly as before
selection existed (``auto``, the default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

PERIOD_METHODS = ("v2", "v1", "stated")
MODES = ("auto", "whole", "joined", "single")
CITY_OF_LONDON = ("714", "E09000001")  # V2 waives the minimum of 10 events a month
ISLES_OF_SCILLY = ("906", "E06000053")  # V2 uses the stated period
V2_CALENDAR_START = "2020-04-01"
TABLE = "cld_submission_periods"


@dataclass
class Selection:
    """The outcome of submission selection: the DuckDB table ``cld_submission_periods`` (council,
    ImportDate, reference period of the rows of that file) and what was decided."""

    mode: str
    period_method: str
    table: str = TABLE
    chosen: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)


def _type_case(column: str = "Event_Type") -> str:
    return (f"CASE WHEN lower({column}) LIKE '%request%' THEN 'Request' "
            f"WHEN lower({column}) LIKE '%assessment%' THEN 'Assessment' "
            f"WHEN lower({column}) LIKE '%service%' THEN 'Service' "
            f"WHEN lower({column}) LIKE '%review%' THEN 'Review' END")


def _list(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def derived_periods(con: duckdb.DuckDBPyConnection, method: str = "v2") -> pd.DataFrame:
    """One row per submission (LA_Code, ImportDate) with ``derived_start`` and ``derived_end``
    (NULL when no period can be derived; such a file is never selected) and, for V2, QA flags."""
    if method not in PERIOD_METHODS:
        raise ValueError(f"period method {method!r}: expected one of {', '.join(PERIOD_METHODS)}")
    if method == "stated":
        return con.sql("""
            SELECT LA_Code, ImportDate, min(Reporting_Period_Start_Date) AS derived_start,
                   max(Reporting_Period_End_Date) AS derived_end
            FROM cld_standard GROUP BY ALL ORDER BY ALL""").df()
    if method == "v1":
        return con.sql(f"""
            WITH ended AS (
                SELECT LA_Code, ImportDate, {_type_case()} AS kind,
                       date_trunc('month', Event_End_Date) AS month
                FROM cld_standard
                WHERE Event_End_Date IS NOT NULL AND Event_End_Date < date_trunc('month', ImportDate)
            ), monthly AS (
                SELECT LA_Code, ImportDate, month, count(*) AS n, count(DISTINCT kind) AS t
                FROM ended GROUP BY ALL
            ), totals AS (
                SELECT *, sum(n) OVER file AS total, max(t) OVER file AS types FROM monthly
                WINDOW file AS (PARTITION BY LA_Code, ImportDate)
            )
            SELECT LA_Code, ImportDate,
                   CAST(min(month) FILTER (WHERE qualifies) AS DATE) AS derived_start,
                   last_day(max(month) FILTER (WHERE qualifies)) AS derived_end
            FROM (SELECT *, total < 100 OR (100.0 * n / total >= 2 AND t >= types - 1) AS qualifies FROM totals)
            GROUP BY ALL ORDER BY ALL""").df()
    return con.sql(f"""
        WITH files AS (
            SELECT DISTINCT LA_Code, ImportDate FROM cld_standard
        ), kinds AS (
            SELECT * FROM (VALUES ('Request'), ('Assessment'), ('Service')) k(kind)
        ), months AS (
            SELECT f.LA_Code, f.ImportDate, k.kind, CAST(m AS DATE) AS month
            FROM files f CROSS JOIN kinds k,
                 LATERAL generate_series(DATE '{V2_CALENDAR_START}',
                                         date_trunc('month', f.ImportDate) - INTERVAL 1 MONTH,
                                         INTERVAL 1 MONTH) s(m)
        ), events AS (
            SELECT LA_Code, ImportDate, {_type_case()} AS kind, date_trunc('month', Event_End_Date) AS month
            FROM cld_standard
        ), type_totals AS (
            SELECT LA_Code, ImportDate, kind, count(*) AS type_total FROM events
            WHERE kind IN ('Request', 'Assessment', 'Service') GROUP BY ALL
        ), monthly AS (
            SELECT m.LA_Code, m.ImportDate, m.kind, m.month, count(e.month) AS n
            FROM months m LEFT JOIN events e ON e.LA_Code = m.LA_Code AND e.ImportDate = m.ImportDate
                 AND e.kind = m.kind AND e.month = m.month
            GROUP BY ALL
        ), medians AS (
            SELECT LA_Code, ImportDate, kind, median(n) FILTER (WHERE n > 0) AS median_month
            FROM monthly GROUP BY ALL
        ), file_median AS (
            SELECT LA_Code, ImportDate, median(type_total) AS median_total, count(*) AS types
            FROM type_totals GROUP BY ALL
        ), complete AS (
            SELECT m.*, coalesce(t.type_total, 0) >= 0.05 * f.median_total
                        AND (m.n >= 10 OR m.LA_Code IN {_list(CITY_OF_LONDON)})
                        AND m.n >= 0.2 * d.median_month AS complete
            FROM monthly m
            JOIN file_median f USING (LA_Code, ImportDate)
            LEFT JOIN type_totals t USING (LA_Code, ImportDate, kind)
            LEFT JOIN medians d USING (LA_Code, ImportDate, kind)
        ), allowed AS (
            SELECT *, complete OR coalesce(lag(complete) OVER w AND lead(complete) OVER w, false) AS allowed
            FROM complete WINDOW w AS (PARTITION BY LA_Code, ImportDate, kind ORDER BY month)
        ), covered AS (
            SELECT a.LA_Code, a.ImportDate, a.month, bool_and(a.allowed) AND count(*) = 3
                   AND any_value(f.types) = 3 AS covered
            FROM allowed a JOIN file_median f USING (LA_Code, ImportDate) GROUP BY ALL
        ), runs AS (
            SELECT *, datediff('month', DATE '{V2_CALENDAR_START}', month)
                      - row_number() OVER (PARTITION BY LA_Code, ImportDate ORDER BY month) AS run
            FROM covered WHERE covered
        ), spans AS (
            SELECT LA_Code, ImportDate, min(month) AS derived_start, last_day(max(month)) AS derived_end,
                   count(*) AS months
            FROM runs GROUP BY LA_Code, ImportDate, run
        ), flags AS (
            SELECT LA_Code, ImportDate,
                   bool_or(NOT complete AND month > first_complete AND month < last_complete) AS gap_flag
            FROM (SELECT *, min(month) FILTER (WHERE complete) OVER k AS first_complete,
                         max(month) FILTER (WHERE complete) OVER k AS last_complete
                  FROM complete WINDOW k AS (PARTITION BY LA_Code, ImportDate, kind))
            GROUP BY ALL
        ), stated AS (
            SELECT LA_Code, ImportDate, min(Reporting_Period_Start_Date) AS stated_start,
                   max(Reporting_Period_End_Date) AS stated_end
            FROM cld_standard GROUP BY ALL
        )
        SELECT f.LA_Code, f.ImportDate,
               CASE WHEN f.LA_Code IN {_list(ISLES_OF_SCILLY)} THEN st.stated_start
                    ELSE CAST(s.derived_start AS DATE) END AS derived_start,
               CASE WHEN f.LA_Code IN {_list(ISLES_OF_SCILLY)} THEN st.stated_end ELSE s.derived_end END
                   AS derived_end,
               coalesce(g.gap_flag, false) AS gap_flag, coalesce(fm.types, 0) < 3 AS missing_type_flag
        FROM files f
        LEFT JOIN (SELECT * FROM spans QUALIFY row_number() OVER (PARTITION BY LA_Code, ImportDate
                   ORDER BY derived_end DESC, months DESC, derived_start DESC) = 1) s USING (LA_Code, ImportDate)
        LEFT JOIN flags g USING (LA_Code, ImportDate)
        LEFT JOIN file_median fm USING (LA_Code, ImportDate)
        LEFT JOIN stated st USING (LA_Code, ImportDate)
        ORDER BY ALL""").df()


def quarters(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive three-month reference periods from ``start`` to ``end`` (3.2)."""
    found, first = [], pd.Timestamp(start)
    while first <= end:
        last = first + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        found.append((first, min(last, pd.Timestamp(end))))
        first = last + pd.Timedelta(days=1)
    return found


def select_submissions(con: duckdb.DuckDBPyConnection, data_start: object, period_end: object, *,
                       mode: str = "auto", period_method: str = "v2", as_of: object | None = None,
                       excluded_files: tuple = ()) -> Selection:
    """Choose the submissions the measures use and create ``cld_submission_periods``.

    ``whole`` uses every row with the reference period ``data_start`` to ``period_end``; ``joined``
    selects per quarter from ``data_start`` to ``period_end`` (3.2, joined table); ``single`` takes
    one submission covering the 12 months to ``period_end`` (3.2, single table); ``auto`` is
    ``whole`` when every council has one submission, else ``joined``. ``as_of`` is the cut-off for
    ``ImportDate``; ``excluded_files`` are ``ImportFileId`` values of known-bad files."""
    if mode not in MODES:
        raise ValueError(f"submission mode {mode!r}: expected one of {', '.join(MODES)}")
    start, end = pd.Timestamp(data_start), pd.Timestamp(period_end)
    if mode == "auto":
        most = con.execute("SELECT max(n) FROM (SELECT count(DISTINCT ImportDate) AS n FROM cld_standard "
                           "GROUP BY LA_Code)").fetchall()[0][0]
        mode = "whole" if (most or 0) <= 1 else "joined"
    if mode == "whole":
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {TABLE} AS
            SELECT DISTINCT LA_Code, ImportDate, DATE '{start.date()}' AS Ref_Period_Start_Date,
                   DATE '{end.date()}' AS Ref_Period_End_Date FROM cld_standard""")
        chosen = con.sql(f"SELECT * FROM {TABLE} ORDER BY ALL").df()
        return Selection("whole", "none", chosen=chosen)
    derived = derived_periods(con, period_method)
    excluded = {str(v) for v in excluded_files}
    if excluded:
        bad = con.execute(f"SELECT DISTINCT LA_Code, ImportDate FROM cld_standard WHERE CAST(ImportFileId AS "
                          f"VARCHAR) IN {_list(sorted(excluded))}").df()
        marker = derived.merge(bad.assign(_bad=True), how="left", on=["LA_Code", "ImportDate"])
        derived = derived[marker["_bad"].isna().to_numpy()]
    cut_off = pd.Timestamp(as_of) if as_of is not None else None
    wanted = quarters(start, end) if mode == "joined" else \
        [(end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end)]
    picks, warnings = [], []
    imported = pd.to_datetime(derived["ImportDate"])
    d_start, d_end = pd.to_datetime(derived["derived_start"]), pd.to_datetime(derived["derived_end"])
    for council in sorted(con.execute("SELECT DISTINCT LA_Code FROM cld_standard").df()["LA_Code"]):
        mine = derived["LA_Code"] == council
        for first, last in wanted:
            eligible = (mine & (d_start <= first) & (d_end >= last) & (imported > last)
                        & ((imported <= cut_off) if cut_off is not None else True))
            if not eligible.any():
                warnings.append(f"council {council}: no submission covers {first.date()} to {last.date()}")
                continue
            best = imported[eligible].idxmax()
            picks.append((council, derived.loc[best, "ImportDate"], first, last))
    table = pd.DataFrame(picks, columns=["LA_Code", "ImportDate", "quarter_start", "quarter_end"])
    chosen = (table.groupby(["LA_Code", "ImportDate"], as_index=False)
              .agg(Ref_Period_Start_Date=("quarter_start", "min"), Ref_Period_End_Date=("quarter_end", "max"),
                   quarters=("quarter_start", "size")))
    for row in chosen.itertuples():
        span = len(quarters(row.Ref_Period_Start_Date, row.Ref_Period_End_Date))
        if span != row.quarters:  # spec 7.4: one file chosen for quarters that are not contiguous
            warnings.append(f"council {row.LA_Code}: submission of {pd.Timestamp(row.ImportDate).date()} serves "
                            "quarters that are not contiguous")
    con.register("cld_chosen_frame", chosen.astype({"Ref_Period_Start_Date": "datetime64[ns]",
                                                    "Ref_Period_End_Date": "datetime64[ns]"}))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {TABLE} AS
        SELECT LA_Code, CAST(ImportDate AS DATE) AS ImportDate,
               CAST(Ref_Period_Start_Date AS DATE) AS Ref_Period_Start_Date,
               CAST(Ref_Period_End_Date AS DATE) AS Ref_Period_End_Date
        FROM cld_chosen_frame""")
    con.unregister("cld_chosen_frame")
    return Selection(mode, period_method, chosen=chosen, warnings=warnings)
