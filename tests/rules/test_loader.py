"""The rule loader: shipped content, selections, the seed kept verbatim, clear errors."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest

from revertguard.cli import main
from revertguard.errors import UsageError
from revertguard.rules import (
    BASELINE_DIR,
    RuleFileError,
    find_rule,
    load_rule,
    load_rule_tests,
    load_rules,
    rule_files,
)
from revertguard.rules.timespans import TimespanError, iso_duration, parse_timespan, short_timespan
from tests.rules.files import SEED_FILE, small_rule, write_rule

SEED_DOCUMENT = "seed/T1578.004-sentinel-detection.txt"
# SHA-256 of the seed query as the seed document gives it; changes only if someone edits the query.
SEED_QUERY_SHA256 = "68b4ef1373270c2c84a78af73de6d7679382ee0b5fb63e33f89856ffb3c6c36a"


def _seed_document() -> Path:
    candidates = [Path(__file__).resolve().parents[3] / "shared" / SEED_DOCUMENT]
    if os.environ.get("REVERTGUARD_SHARED"):
        candidates.insert(0, Path(os.environ["REVERTGUARD_SHARED"]) / SEED_DOCUMENT)
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip("../shared/seed is not present (set REVERTGUARD_SHARED to the shared folder)")


def _query_in_seed_document(text: str) -> str:
    # The document's query follows its "KQL Detection Query" heading; the page it was copied from
    # runs the description on after the query's last operator, so the query ends there.
    start = text.index("KQL Detection Query\n") + len("KQL Detection Query\n")
    last_operator = "| sort by TimeGenerated desc"
    return text[start:text.index(last_operator, start) + len(last_operator)]


def test_seed_rule_query_is_the_seed_documents_query_character_for_character():
    seed = load_rules("seed")[0]
    expected = _query_in_seed_document(_seed_document().read_text(encoding="utf-8"))
    assert seed.query == expected


def test_seed_rule_query_is_unchanged():
    query = load_rules("seed")[0].query
    assert query.startswith("// Detect cloud instance snapshot revert operations (T1578.004)\n")
    assert query.endswith("\n| sort by TimeGenerated desc")
    assert hashlib.sha256(query.encode()).hexdigest() == SEED_QUERY_SHA256


def test_seed_rule_metadata():
    (seed,) = load_rules("seed")
    assert seed.baseline and seed.path.resolve() == SEED_FILE.resolve()
    assert seed.kind == "Scheduled" and seed.version == "1.0.0"
    assert seed.tactics == ("DefenseEvasion",) and seed.techniques == ("T1578.004",)
    # The query looks back ago(24h): run daily over one day.
    assert seed.query_frequency == seed.query_period == timedelta(days=1)
    assert {c.connector_id for c in seed.required_data_connectors} == {"AWS", "AWSS3", "AzureActivity"}
    assert seed.tables == ("AWSCloudTrail", "AzureActivity")
    mapped = {f.column for m in seed.entity_mappings for f in m.fields}
    assert mapped == {"ActorIdentity", "SourceIP"}
    assert seed.aggregation_kind == "AlertPerResult"


def test_selections():
    seed = rule_files("seed")
    assert seed and all(p.is_relative_to(BASELINE_DIR) for p in seed)
    every = rule_files("all")
    assert set(seed) <= set(every)
    assert not set(rule_files("default")) & set(seed)
    assert all(not r.baseline for r in load_rules("default"))
    # Repeats collapse; order follows the selection.
    assert rule_files(["seed", "all", str(SEED_FILE)]) == rule_files("all")


def test_user_files_and_folders(tmp_path):
    folder = tmp_path / "mine"
    (folder / "nested").mkdir(parents=True)
    first = write_rule(folder, "A", small_rule())
    second = write_rule(folder / "nested", "B", small_rule("1c7e2b4a-5d6f-4a8b-9c0d-1e2f3a4b5c6d"))
    (folder / "A.tests.yaml").write_text("cases: []\n")
    assert rule_files(str(folder)) == [first.resolve(), second.resolve()]
    rules = load_rules([str(first)])
    assert [r.name for r in rules] == ["Root volume replaced"] and not rules[0].baseline
    assert rules[0].tests_path == folder / "A.tests.yaml"
    assert load_rule_tests(rules[0]) == {"cases": []}
    assert load_rule(second).tests_path is None and load_rule_tests(load_rule(second)) is None
    with pytest.raises(UsageError, match="holds test cases"):
        rule_files(str(folder / "A.tests.yaml"))
    with pytest.raises(UsageError, match="no rule file or folder 'nope'"):
        rule_files("nope")


def test_rule_fields_are_parsed(tmp_path):
    rule = load_rule(write_rule(tmp_path, "r", small_rule(
        triggerOperator="GreaterThan", triggerThreshold=2,
        query="let ok = _GetWatchlist('RevertGuardLabScopes');\nAWSCloudTrail | join (_GetWatchlist(\"X\")) on A")))
    assert rule.trigger_operator == "gt"
    assert rule.triggers(3) and not rule.triggers(2)
    assert rule.watchlists == ("RevertGuardLabScopes", "X")
    assert rule.tables == ("AWSCloudTrail",)
    assert rule.query_frequency == timedelta(hours=1)
    assert rule.custom_details == {"AwsAccountId": "RecipientAccountId"}
    assert rule.alert_details_override.display_name_format == "Root volume replaced by {{UserIdentityArn}}"


def test_repository_style_quoted_description_is_unwrapped(tmp_path):
    path = write_rule(tmp_path, "r", small_rule())
    text = path.read_text().replace("description: Identifies CreateReplaceRootVolumeTask calls.",
                                    "description: |\n  'Identifies CreateReplaceRootVolumeTask calls.'")
    path.write_text(text)
    assert load_rule(path).description == "Identifies CreateReplaceRootVolumeTask calls."


def test_find_rule_by_id_name_or_file_name(tmp_path):
    rules = load_rules(["seed", str(write_rule(tmp_path, "Mine", small_rule()))])
    assert find_rule("557E3B6F-040E-46D2-89C8-A94EB7373951", rules).baseline
    assert find_rule("root volume replaced", rules).stem == "Mine"
    assert find_rule("mine", rules).name == "Root volume replaced"
    with pytest.raises(UsageError, match="no rule with the id, name or file name"):
        find_rule("nothing", rules)


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: 0b8f6f3e-2a55-4d6a-9a55-3f0c2b9a1e10\nname: x\nquery: |\n  ok\n bad: [\n")
    with pytest.raises(RuleFileError) as info:
        load_rule(path)
    message = str(info.value)
    assert f"{path}:" in message and "invalid YAML" in message
    assert info.value.problems[0].line in (5, 6)


def test_missing_and_mistyped_fields_are_listed_together(tmp_path):
    path = write_rule(tmp_path, "r", small_rule(query=None, triggerThreshold="0", version=1.5))
    with pytest.raises(RuleFileError) as info:
        load_rule(path)
    text = str(info.value)
    assert "required field 'query' is missing" in text
    assert "triggerThreshold: must be a whole number, not str '0'" in text
    assert "version: must be text, not the number 1.5 (quote it)" in text
    line_of_version = path.read_text().splitlines().index("version: 1.5") + 1
    assert f"{path}:{line_of_version}: error: version" in text


def test_duplicate_keys_are_errors(tmp_path):
    path = write_rule(tmp_path, "r", small_rule())
    path.write_text(path.read_text() + "severity: Low\n")
    with pytest.raises(RuleFileError, match="severity: defined more than once"):
        load_rule(path)


def test_yaml_alias_bombs_are_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RuleFileError, match="YAML aliases"):
        load_rule(path)


def test_a_bad_timespan_is_an_error(tmp_path):
    with pytest.raises(RuleFileError, match="queryPeriod: '1w' is not a timespan"):
        load_rule(write_rule(tmp_path, "r", small_rule(queryPeriod="1w")))


def test_cli_reports_a_malformed_rule_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    assert main(["rules", "list", "--rules", str(path)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:" in err and "invalid YAML" in err and "Traceback" not in err


def test_cli_lists_and_shows_rules(capsys):
    assert main(["rules", "list"]) == 0
    assert "Cloud instance revert operations (seed baseline)" in capsys.readouterr().out
    assert main(["rules", "show", "Cloud instance revert operations (seed baseline)"]) == 0
    assert capsys.readouterr().out == SEED_FILE.read_text(encoding="utf-8")
    assert main(["rules", "show", "no-such-rule"]) == 2
    assert "no rule with the id, name or file name 'no-such-rule'" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "expected"), [
    ("5m", timedelta(minutes=5)), ("1h", timedelta(hours=1)), ("1d", timedelta(days=1)), ("14d", timedelta(days=14)),
    ("PT5M", timedelta(minutes=5)), ("PT1H", timedelta(hours=1)), ("P1D", timedelta(days=1)),
    ("P1DT12H", timedelta(days=1, hours=12)), ("pt90m", timedelta(minutes=90)), ("PT0.5S", timedelta(seconds=0.5)),
    ("01:00:00", timedelta(hours=1)), ("1.00:00:00", timedelta(days=1)), ("00:05:00", timedelta(minutes=5)),
])
def test_parse_timespan(text, expected):
    assert parse_timespan(text) == expected


@pytest.mark.parametrize("text", ["5", "5s", "1w", "P1M", "P1Y", "PT", "P", "P1DT", "25:00:00", "", "h"])
def test_parse_timespan_rejects(text):
    with pytest.raises(TimespanError):
        parse_timespan(text)


def test_parse_timespan_explains_unquoted_numbers():
    with pytest.raises(TimespanError, match="quote it"):
        parse_timespan(3600)


@pytest.mark.parametrize(("span", "iso", "short"), [
    (timedelta(minutes=5), "PT5M", "5m"), (timedelta(hours=1), "PT1H", "1h"), (timedelta(days=1), "P1D", "1d"),
    (timedelta(days=14), "P14D", "14d"), (timedelta(days=1, hours=12), "P1DT12H", "36h"),
    (timedelta(hours=1, minutes=30), "PT1H30M", "90m"), (timedelta(seconds=90), "PT1M30S", "PT1M30S"),
    (timedelta(0), "PT0S", "PT0S"),
])
def test_iso_and_short_forms(span, iso, short):
    assert iso_duration(span) == iso
    assert short_timespan(span) == short
    assert parse_timespan(iso) == span
