"""Fixtures of the CLD engine tests: the toy timelines run through both engines."""

import pytest

from tests.cld.toy import make_engine, toy_extract


@pytest.fixture(scope="module", params=["duckdb", "pandas"])
def toy_engine(request):
    """The toy timelines of the specification, prepared by each engine in turn."""
    return make_engine(request.param, toy_extract())
