"""The provenance section: each report states its own method rules; software on one line."""

import re
from html import unescape
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from scrutiny.benchmarking.report import METHOD_RULES as BENCHMARKING_RULES
from scrutiny.dashboard.report import METHOD_RULES as DASHBOARD_RULES
from scrutiny.publishing.provenance import provenance_html
from scrutiny.use_of_resources.render import METHOD as USE_OF_RESOURCES_RULES
from scrutiny.waiting_list.report import METHOD_RULES as WAITING_LIST_RULES

INPUTS = SimpleNamespace(
    sources=pd.DataFrame({"source_id": ["a"], "publisher": ["P"], "title": ["T"], "published": [date(2025, 9, 1)],
                          "licence": ["OGL"]}),
    files=pd.DataFrame({"file": ["observations.csv"], "sha256": ["0" * 64]}),
)
RULE_SETS = {"dashboard": DASHBOARD_RULES, "benchmarking": BENCHMARKING_RULES,
             "use_of_resources": USE_OF_RESOURCES_RULES, "waiting_list": WAITING_LIST_RULES}


def _method_items(html: str) -> list[str]:
    method = html.split("<h4>Method", 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", method)


@pytest.mark.parametrize("name", RULE_SETS)
def test_a_report_states_its_own_method_rules_and_no_other(name):
    html = provenance_html(INPUTS, {"quarter": 3}, date(2026, 3, 2), {"a"}, method_rules=RULE_SETS[name])
    items = [unescape(item) for item in _method_items(html)]
    assert items == list(RULE_SETS[name])
    for other, rules in RULE_SETS.items():
        if other != name:
            assert rules[0] not in items, other


def test_the_rule_sets_differ():
    firsts = [rules[0] for rules in RULE_SETS.values()]
    assert len(set(firsts)) == len(firsts)


def test_provenance_refuses_to_print_no_method():
    with pytest.raises(ValueError, match="method rules"):
        provenance_html(INPUTS, {}, date(2026, 3, 2), set(), method_rules=[])


def test_software_versions_are_one_line_not_a_table():
    html = provenance_html(INPUTS, {}, date(2026, 3, 2), set(), method_rules=["A rule."])
    assert "<h4>Software</h4>" not in html
    assert re.search(r"<b>Software:</b> scrutiny [^<;]*; pandas [^<]*\. <b>Code version</b>", html)
