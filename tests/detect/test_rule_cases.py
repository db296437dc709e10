"""Every rule's own test cases (`<rule>.tests.yaml`) pass, and every improved rule has them."""

from __future__ import annotations

import pytest

from revertguard.cli import main
from revertguard.detect.ruletests import compare_rows, run_rule_tests
from revertguard.rules import load_rule_tests, load_rules

from ..engines import ENGINES, engine_for

RULES = [r for r in load_rules("all") if r.tests_path is not None]
CASES = [(rule, case) for rule in RULES for case in load_rule_tests(rule)["cases"]]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.stem}::{c['name']}" for r, c in CASES])
def test_rule_case_passes(rule, case, engine, request):
    engines = []

    def make_engine(store):
        engines.append(engine_for(engine, store, request))
        return engines[-1]

    try:
        [result] = run_rule_tests(rule, [case["name"]], engine=make_engine)
    finally:
        for made in engines:
            getattr(made, "close", lambda: None)()
    assert result.passed, "\n".join(result.problems)


def test_every_improved_rule_has_positive_and_negative_cases():
    for rule in load_rules("default"):
        assert rule.tests_path is not None, f"{rule.name} has no test cases"
        cases = load_rule_tests(rule)["cases"]
        expects = [c.get("expect") or {} for c in cases]
        assert any(e.get("rows") for e in expects), f"{rule.name}: no case expects an alert"
        assert any(not e.get("rows") for e in expects), f"{rule.name}: no case expects silence"


def test_differences_are_reported_column_by_column():
    problems = compare_rows("row", [{"Severity": "High", "InstanceId": "i-1"}],
                           [{"Severity": "Medium", "InstanceId": "i-1", "SnapshotId": "snap-1"}])
    assert problems[0] == ('expected row 1 was not returned; the closest differs: '
                           'Severity: expected "High", got "Medium"')
    assert problems[1].startswith("unexpected row: ")
    assert compare_rows("row", [{"Ids": {"set": ["b", "a"]}, "Why": {"contains": ["x", "z"]}}],
                        [{"Ids": ["a", "b"], "Why": "x y z"}]) == []
    assert compare_rows("row", [], [{"A": 1}]) == ['unexpected row: {"A": 1}']


def test_cli_reports_pass_and_fail_with_the_difference(tmp_path, capsys):
    rule = load_rules("default")[0]
    copy = tmp_path / rule.path.name
    copy.write_text(rule.text)
    cases = rule.tests_path.read_text().replace("Severity: High", "Severity: Informational", 1)
    (tmp_path / rule.tests_path.name).write_text(cases)
    assert main(["rules", "test", "--rules", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "PASS" in out
    assert 'Severity: expected "Informational", got "High"' in out
    assert main(["rules", "test", rule.stem, "--case", "nothing matches this"]) == 0
    assert "0 passed, 0 failed" in capsys.readouterr().out
