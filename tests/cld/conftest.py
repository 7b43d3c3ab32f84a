"""Fixtures of the CLD engine tests: the toy timelines run through both engines."""

import pytest

from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import open_extract
from scrutiny.cld.reference import ReferenceEngine
from tests.cld.toy import RY_END, toy_extract


def make_engine(kind: str, frame, period_end=RY_END):
    """An engine of ``kind`` (``duckdb`` or ``pandas``) over an extract given as a DataFrame."""
    extract = open_extract(frame)
    if kind == "duckdb":
        return DuckDBEngine(extract, period_end)
    return ReferenceEngine(extract.frame(), period_end)


@pytest.fixture(scope="module", params=["duckdb", "pandas"])
def toy_engine(request):
    """The toy timelines of the specification, prepared by each engine in turn."""
    return make_engine(request.param, toy_extract())
