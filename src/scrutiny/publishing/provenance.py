"""The provenance section every report ends with: inputs and their hashes, sources and their
publication dates, parameters, and the method rules and version used."""

from __future__ import annotations

import re
import subprocess
from html import escape
from importlib import metadata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

#: Bump when a rule changes in a way that can change a verdict.
METHOD_VERSION = "1.1"



def git_commit(root: Path | None = None) -> str:
    """The current git commit (with '+changes' if the work tree differs), or 'unknown'."""
    try:
        cwd = str(root) if root else None
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                             check=True, cwd=cwd).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True, cwd=cwd).stdout.strip()
        return sha + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions(names=("scrutiny", "pandas", "numpy", "scipy", "duckdb", "pandera", "matplotlib", "papermill", "nbconvert")) -> dict[str, str]:
    """Installed versions of the packages that shape the figures."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


_HASH = re.compile(r"[0-9a-f]{32,}")


def _cell(value) -> str:
    """A table cell: a hash may break anywhere; file names, paths and ids break after '_' or '/',
    never inside a word."""
    text = "" if pd.isna(value) else str(value)
    if _HASH.fullmatch(text):
        return f'<td class="hash">{text}</td>'
    return "<td>" + re.sub(r"([_/])", r"\1<wbr>", escape(text)) + "</td>"


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f'<table class="provenance"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def software_line() -> str:
    """The package versions as one line (a table of ten rows would print a page of its own)."""
    return "; ".join(f"{name} {version}" for name, version in package_versions().items())


def provenance_html(inputs, parameters: dict, cut_off, used_sources: set[str], national_files: pd.DataFrame | None = None,
                    *, method_rules: Sequence[str], sources: pd.DataFrame | None = None) -> str:
    """The provenance section as HTML (``national_files``: the national tables used, if any).

    ``method_rules`` are the rules of the report it ends: each report states its own method.
    ``sources`` is the table the ``used_sources`` ids are looked up in (default: sources.csv); a
    report whose figures come from its own folder's sources (Use of Resources) passes that table.
    """
    if not method_rules:
        raise ValueError("provenance_html needs the report's own method rules")
    params = pd.DataFrame({"parameter": list(parameters), "value": [str(v) for v in parameters.values()]})
    catalogue = inputs.sources if sources is None else sources
    sources = catalogue[catalogue["source_id"].isin(sorted(used_sources))][
        ["source_id", "publisher", "title", "published", "licence"]
    ].rename(columns={"published": "published (vintage)"})
    rules = "".join(f"<li>{escape(rule)}</li>" for rule in method_rules)
    return (
        "<style>.provenance{border-collapse:collapse;font-size:8pt;margin-bottom:8px}"
        ".provenance td,.provenance th{border:1px solid #9aa5b1 !important;padding:2px 4px !important;text-align:left !important;vertical-align:top !important}"
        ".provenance td.hash{overflow-wrap:anywhere}</style>"
        f"<p>Figures published after the cut-off date of <b>{cut_off:%d %B %Y}</b> are not used.</p>"
        "<h4>Parameters</h4>" + _table(params)
        + "<h4>Input files</h4>" + _table(inputs.files)
        + ("" if national_files is None else "<h4>National files (make data)</h4>" + _table(national_files))
        + "<h4>Sources of the figures used</h4>" + _table(sources)
        # the method and the software line print together, so neither is left alone on a last page
        + f"<div style=\"break-inside:avoid\"><h4>Method (version {METHOD_VERSION})</h4><ol>{rules}</ol>"
        + f"<p><b>Software:</b> {escape(software_line())}. <b>Code version</b> (git commit): {escape(git_commit())}</p></div>"
    )


def used_source_ids(table: pd.DataFrame, inputs, cut_off=None) -> set[str]:
    """Source ids behind the figures and benchmarks a dashboard shows; with ``cut_off``, only the
    national averages and targets known by then, and only sources published by then."""
    used = set(table["current_source"].dropna()) | set(table["previous_source"].dropna())
    averages, targets = inputs.national_averages, inputs.targets
    if cut_off is not None:
        averages = averages[averages["published"] <= cut_off]
        targets = targets[targets["as_of"] <= cut_off]
    used |= set(averages["source"]) | set(targets["source"])
    known = sources_published_by(inputs, cut_off) if cut_off is not None else set(inputs.sources["source_id"])
    return {s for s in used if s in known}


def sources_published_by(inputs, cut_off) -> set[str]:
    """Source ids published by the cut-off date (what a report may draw on)."""
    sources = inputs.sources
    return set(sources.loc[sources["published"] <= cut_off, "source_id"])
