"""Notebook conventions, and papermill runs with non-default and bad parameters."""

import ast
import json
from pathlib import Path

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from conftest import ROOT

NOTEBOOK_SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def cells(script: Path) -> list[tuple[str, str]]:
    """(header line, body) of each '# %%' cell of a jupytext percent script."""
    found, header, body = [], None, []
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if header is not None:
                found.append((header, "\n".join(body)))
            header, body = line, []
        elif header is not None:
            body.append(line)
    if header is not None:
        found.append((header, "\n".join(body)))
    return found


@pytest.mark.parametrize("script", NOTEBOOK_SOURCES, ids=lambda p: p.stem)
def test_first_cell_is_the_literal_parameters_cell(script):
    code_cells = [(h, b) for h, b in cells(script) if "[markdown]" not in h]
    header, body = code_cells[0]
    assert 'tags=["parameters"]' in header
    assert sum('"parameters"' in h for h, _ in code_cells) == 1
    for node in ast.parse(body).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        ast.literal_eval(node.value)  # literals only: derived values would ignore overrides


@pytest.mark.parametrize("script", NOTEBOOK_SOURCES, ids=lambda p: p.stem)
def test_notebooks_only_orchestrate(script):
    source = "\n".join(b for h, b in cells(script) if "[markdown]" not in h)
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.startswith("%")))
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), "logic belongs in src/scrutiny"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("open", "exec", "eval"), "no file I/O in notebooks"
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("use", "to_csv", "read_csv"), "no backends or file I/O in notebooks"


@pytest.mark.slow
def test_papermill_with_non_default_parameters_writes_the_quarter_1_tables(tmp_path):
    output = tmp_path / "run.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "quarterly_dashboard.ipynb"), str(output), kernel_name="python3",
        parameters={"quarter": 1, "output_dir": str(tmp_path / "tables")}, cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(output.read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "quarter = 1" in "".join(injected[0]["source"])
    pngs = sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
    assert pngs >= 1
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "Apr-Jun 2025" in html and "Apr-Dec 2025" not in html
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "quarterly_dashboard.csv", "quarterly_dashboard_activity.csv", "quarterly_dashboard_in_year.csv",
        "quarterly_dashboard_summary.csv", "quarterly_dashboard_trends.csv"]


@pytest.mark.slow
def test_papermill_with_a_bad_quarter_fails_with_a_clear_error(tmp_path):
    with pytest.raises(PapermillExecutionError, match="quarter must be 1, 2, 3 or 4, got 7"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "quarterly_dashboard.ipynb"), str(tmp_path / "run.ipynb"),
            kernel_name="python3", parameters={"quarter": 7}, cwd=str(ROOT / "notebooks"), progress_bar=False,
        )


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "data" / "processed" / "ascof_time_series.csv").exists(), reason="needs make data")
def test_benchmarking_runs_for_another_council_and_group(tmp_path):
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "benchmarking.ipynb"), str(tmp_path / "run.ipynb"), kernel_name="python3",
        parameters={"council_code": "E10000007", "comparator": "county_councils", "output_dir": str(tmp_path / "tables")},
        cwd=str(ROOT / "notebooks"), progress_bar=False,
    )
    import pandas as pd

    measures = pd.read_csv(tmp_path / "tables" / "benchmarking_measures.csv")
    assert len(measures) == 20 and measures["group_n"].max() <= 23
    html = json.loads((tmp_path / "run.ipynb").read_text())
    text = json.dumps(html)
    assert "Derbyshire" in text and "county councils" in text


@pytest.mark.slow
def test_benchmarking_refuses_an_unknown_comparator(tmp_path):
    with pytest.raises(PapermillExecutionError, match="comparator must be one of"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "benchmarking.ipynb"), str(tmp_path / "run.ipynb"), kernel_name="python3",
            parameters={"comparator": "best_friends"}, cwd=str(ROOT / "notebooks"), progress_bar=False,
        )
