"""A report notebook reloads changed helpers in JupyterLab, and skips the per-cell check in a build."""

import pytest

from scrutiny.publishing import notebook


class FakeShell:
    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line):
        self.magics.append((name, line))


@pytest.fixture
def shell(monkeypatch):
    import IPython

    fake = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    return fake


def test_interactive_kernel_turns_autoreload_on(shell, monkeypatch):
    monkeypatch.delenv(notebook.BATCH_BUILD, raising=False)
    assert notebook.reload_helpers_on_change() is True
    assert shell.magics == [("load_ext", "autoreload"), ("autoreload", "2")]


def test_build_kernel_leaves_autoreload_off(shell, monkeypatch):
    monkeypatch.setenv(notebook.BATCH_BUILD, "1")
    assert notebook.reload_helpers_on_change() is False
    assert shell.magics == []


def test_outside_ipython_nothing_happens(monkeypatch):
    import IPython

    monkeypatch.delenv(notebook.BATCH_BUILD, raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert notebook.reload_helpers_on_change() is False


def test_every_report_notebook_calls_it():
    from conftest import ROOT

    for script in sorted((ROOT / "notebooks").glob("*.py")):
        assert "reload_helpers_on_change()" in script.read_text(encoding="utf-8"), script.name
