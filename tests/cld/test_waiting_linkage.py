"""The waiting-time linkage's sort key and packed rows (engine helpers), checked inside DuckDB."""

import itertools

import duckdb
import pytest

from scrutiny.cld.engine import _PACK_BANDS, _chronology_key, _pack, _unpack

BIGGEST, SMALLEST = (1 << 63) - 1, -(1 << 63)


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _events(con, rows) -> None:
    con.execute("CREATE TABLE events (Event_Start_Date DATE, Event_Type VARCHAR, ImportDate DATE, "
                "Der_Unique_Record_ID BIGINT)")
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows)


def _key(con) -> str:
    bounds = con.execute("SELECT min(Event_Start_Date), max(Event_Start_Date), min(ImportDate), max(ImportDate), "
                         "min(Der_Unique_Record_ID), max(Der_Unique_Record_ID) FROM events").fetchall()[0]
    return _chronology_key(*bounds)


@pytest.mark.parametrize("records, kind", [([3, 5, 40, 41], "BIGINT"), ([SMALLEST, -1, 0, 7, BIGGEST], "HUGEINT")])
def test_one_key_orders_events_as_the_four_sort_keys_do(con, records, kind):
    # ties on start and type fall to ImportDate, then to the record id, both descending, over the
    # whole BIGINT range of record ids (which needs a HUGEINT key)
    rows = list(itertools.product(["2023-04-01", "2023-04-02", "2026-03-31"], ["Service", "Request", "Assessment"],
                                  ["2024-06-30", "2024-09-30", "2025-12-31"], records))
    _events(con, rows)
    key = _key(con)
    assert con.execute(f"SELECT typeof({key}) FROM events LIMIT 1").fetchall()[0][0] == kind
    by_key = con.execute(f"SELECT * FROM events ORDER BY {key}").fetchall()
    by_fields = con.execute("""
        SELECT * FROM events ORDER BY Event_Start_Date,
            CASE Event_Type WHEN 'Request' THEN 1 WHEN 'Assessment' THEN 2 ELSE 3 END,
            ImportDate DESC, Der_Unique_Record_ID DESC""").fetchall()
    assert len(by_key) == len(rows)
    assert by_key == by_fields


@pytest.mark.parametrize("field", ["Event_Start_Date", "ImportDate", "Der_Unique_Record_ID"])
def test_an_event_without_a_key_field_is_an_error(con, field):
    _events(con, [("2024-05-01", "Request", "2024-06-30", 1), ("2024-05-02", "Service", "2024-06-30", 2)])
    key = _key(con)
    con.execute(f"UPDATE events SET {field} = NULL WHERE Event_Type = 'Service'")
    with pytest.raises(duckdb.Error, match="CLD waiting times: an event without a start date"):
        con.execute(f"SELECT {key} FROM events").fetchall()


def test_a_packed_row_gives_back_what_was_packed_and_sorts_by_its_order(con):
    rows = con.execute(f"""
        WITH rows AS (SELECT * FROM (VALUES (1, 1, DATE '2023-04-01', 2), (2, 0, DATE '1900-01-01', 3),
                                            (2097151, 1, DATE '2258-11-11', 0))
                      t(ord, block_progress, start_date, band))
        SELECT {_unpack('packed', 'ord')}, {_unpack('packed', 'block_progress')},
               {_unpack('packed', 'start')}, {_unpack('packed', 'band')}
        FROM (SELECT {_pack()} AS packed FROM rows) ORDER BY packed""").fetchall()
    assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [
        (1, 1, "2023-04-01", _PACK_BANDS[2]), (2, 0, "1900-01-01", "65 and above"),
        (2097151, 1, "2258-11-11", "Unknown")]


@pytest.mark.parametrize("ord, start", [(2097152, "2024-01-01"), (1, "1899-12-31"), (1, "2258-11-12")])
def test_a_row_the_packed_row_cannot_hold_is_an_error(con, ord, start):
    with pytest.raises(duckdb.Error, match="over 2 million events, or an event starting outside 1900 to 2258"):
        con.execute(f"SELECT {_pack()} FROM (SELECT {ord} AS ord, 0 AS block_progress, "
                    f"DATE '{start}' AS start_date, 1 AS band)").fetchall()
