"""The waiting-list notebook on a user's extract given by parameter, and a bad extract's error."""

import json

import pandas as pd
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from conftest import ROOT
from scrutiny.publishing.build import notebook_from_script

ROWS = [(f"R{i}", f"P{i}", queue, team, "standard", received, allocated)
        for i, (queue, team, received, allocated) in enumerate(
            [("care_act_assessment", "Charnwood", f"2025-{m:02d}-{d:02d}", f"2025-{m:02d}-{d + 9:02d}" if d % 3 else "")
             for m in range(1, 13) for d in range(1, 19)]
            + [("carer_assessment", "Melton", f"2025-{m:02d}-05", "") for m in range(4, 13)]
            + [("care_act_assessment", "Melton", "2025-08-20", "2025-08-01")]  # allocated before received
        )]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb") / "waiting_list.ipynb"
    notebook_from_script(ROOT / "notebooks" / "waiting_list.py", path)
    return path


@pytest.mark.slow
def test_runs_on_a_users_extract_at_a_chosen_date(tmp_path, notebook):
    extract = tmp_path / "trays.parquet"
    pd.DataFrame(ROWS, columns=["request_id", "person_id", "queue", "team", "priority", "received_date",
                                "allocated_date"]).replace("", None).to_parquet(extract, index=False)
    output = tmp_path / "run.ipynb"
    papermill.execute_notebook(str(notebook), str(output), kernel_name="python3", cwd=str(ROOT / "notebooks"),
                               parameters={"extract": str(extract), "snapshot_date": "2025-11-30",
                                           "output_dir": str(tmp_path / "tables")}, progress_bar=False)
    text = output.read_text()
    assert "are synthetic" not in text and "trays.parquet" in text
    assert "allocated before received" in text
    snapshot = pd.read_csv(tmp_path / "tables" / "waiting_list_snapshot.csv").set_index("queue")
    assert snapshot.at["carer_assessment", "waiting"] == 8  # April to November requests, none allocated
    for table in (tmp_path / "tables").glob("*.csv"):
        assert "P1" not in set(pd.read_csv(table, dtype=str).to_numpy().ravel()), table.name
    outputs = json.loads(text)["cells"]
    assert not any(o.get("output_type") == "error" for c in outputs for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_bad_extract_stops_with_file_row_and_column(tmp_path, notebook):
    extract = tmp_path / "trays.csv"
    extract.write_text("request_id,person_id,queue,team,priority,received_date,allocated_date\n"
                       "R1,P1,care_act_assessment,Melton,high,31/01/2025,\n")
    with pytest.raises(PapermillExecutionError, match=r"row 2, column received_date: '31/01/2025'"):
        papermill.execute_notebook(str(notebook), str(tmp_path / "run.ipynb"), kernel_name="python3",
                                   cwd=str(ROOT / "notebooks"), parameters={"extract": str(extract)},
                                   progress_bar=False)
