"""`sentinel validate`: the shipped rules pass; each Sentinel constraint fires on a broken rule."""

from __future__ import annotations

import pytest

from revertguard.cli import main
from revertguard.sentinel.validate import validate_rule_files
from tests.rules.files import seed_data, small_rule, write_rule

OTHER_ID = "1c7e2b4a-5d6f-4a8b-9c0d-1e2f3a4b5c6d"


def test_shipped_rules_pass_without_errors_or_warnings():
    report = validate_rule_files()
    assert report.files, "no shipped rules found"
    assert report.problems == []


def test_cli_validates_shipped_rules(capsys):
    assert main(["sentinel", "validate"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def _errors(tmp_path, **changes):
    path = write_rule(tmp_path, "rule", small_rule(**changes))
    report = validate_rule_files([path])
    return path, [str(p) for p in report.errors]


def _error_matching(tmp_path, fragment, **changes):
    path, errors = _errors(tmp_path, **changes)
    found = [e for e in errors if fragment in e]
    assert found, f"expected an error containing {fragment!r}, got {errors}"
    assert found[0].startswith(f"{path}:"), found[0]
    return found[0]


def test_a_valid_small_rule_passes(tmp_path):
    assert _errors(tmp_path) == (tmp_path / "rule.yaml", [])


def long_query(n):
    return "AWSCloudTrail\n| project UserIdentityArn, SourceIpAddress, RecipientAccountId\n" + "//" + "x" * n


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"id": "not-a-guid"}, "id: 'not-a-guid' is not a GUID"),
    ({"name": "x" * 257}, "name: is 257 characters; Sentinel allows at most 256"),
    ({"name": "  "}, "name: must not be empty"),
    ({"description": "x" * 5001}, "description: is 5001 characters"),
    ({"severity": "Critical"}, "severity: 'Critical' is not one of Informational, Low, Medium, High"),
    ({"status": "Live"}, "status: 'Live' is not one of Available, InPreview, Deprecated"),
    ({"queryFrequency": "1m", "queryPeriod": "1h"}, "queryFrequency: 1m is outside Sentinel's range"),
    ({"queryPeriod": "15d", "queryFrequency": "1d"}, "queryPeriod: 15d is outside Sentinel's range"),
    ({"queryFrequency": "2h", "queryPeriod": "1h"}, "queryPeriod: 1h is shorter than queryFrequency 2h"),
    ({"queryFrequency": "30m", "queryPeriod": "2d"}, "too frequent for a queryPeriod of 2 days or more"),
    ({"triggerOperator": "gte"}, "triggerOperator: 'gte' is not one of gt, lt, eq, ne"),
    ({"triggerThreshold": 10001}, "triggerThreshold: 10001 is outside Sentinel's range of 0 to 10000"),
    ({"triggerThreshold": -1}, "outside Sentinel's range"),
    ({"tactics": ["Defense Evasion"]}, "'Defense Evasion' is not a Sentinel tactic (write DefenseEvasion)"),
    ({"tactics": ["DefenseEvasion", "DefenseEvasion"]}, "DefenseEvasion is listed twice"),
    ({"relevantTechniques": ["T1578.4"]}, "'T1578.4' is not a technique id"),
    ({"tactics": ["Impact"]}, "T1578.004 belongs to DefenseEvasion; add DefenseEvasion to 'tactics'"),
    ({"tactics": ["DefenseEvasion"], "relevantTechniques": ["T1078"]},
     "T1078 belongs to InitialAccess, Persistence, PrivilegeEscalation, DefenseEvasion; add InitialAccess"),
    ({"query": long_query(10_000)}, "query: is 10"),
    ({"query": "  \n"}, "query: must not be empty"),
    ({"entityMappings": [{"entityType": "IP", "fieldMappings": [{"identifier": "Address",
                                                                  "columnName": "SourceIpAddress"}]}] * 11},
     "entityMappings: has 11 entries; Sentinel allows 1 to 10"),
    ({"entityMappings": []}, "entityMappings: has 0 entries"),
    ({"entityMappings": [{"entityType": "Instance", "fieldMappings": [{"identifier": "Id", "columnName": "X"}]}]},
     "'Instance' is not an entity type"),
    ({"entityMappings": [{"entityType": "Account", "fieldMappings": [{"identifier": "Address",
                                                                       "columnName": "UserIdentityArn"}]}]},
     "'Address' is not an identifier of Account"),
    ({"entityMappings": [{"entityType": "Account", "fieldMappings": [{"identifier": "UPNSuffix",
                                                                       "columnName": "UserIdentityArn"}]}]},
     "Account needs one of these identifier combinations: FullName; Sid; Name; AadUserId; PUID; ObjectGuid"),
    ({"entityMappings": [{"entityType": "Account", "fieldMappings": [
        {"identifier": "Name", "columnName": "UserIdentityArn"}, {"identifier": "Name", "columnName": "X"}]}]},
     "Name is mapped twice in this entity"),
    ({"entityMappings": [{"entityType": "IP", "fieldMappings": [{"identifier": "Address",
                                                                  "columnName": "Source-Ip"}]}]},
     "'Source-Ip' is not a column name"),
    ({"entityMappings": [{"entityType": "Account", "fieldMappings": [
        {"identifier": i, "columnName": "UserIdentityArn"} for i in ("Name", "FullName", "Sid", "PUID")]}]},
     "fieldMappings: has 4 entries; Sentinel allows 1 to 3"),
    ({"customDetails": {"AVeryLongCustomDetailKey": "RecipientAccountId"}}, "must start with a letter"),
    ({"customDetails": {"Account": "Recipient Account"}}, "value 'Recipient Account' must be a column name"),
    ({"customDetails": {f"K{i}": "RecipientAccountId" for i in range(21)}},
     "customDetails: has 21 entries; Sentinel allows at most 20"),
    ({"alertDetailsOverride": {"alertDisplayNameFormat": "{{UserIdentityArn}} {{SourceIpAddress}} {{EventName}} "
                                                         "{{AWSRegion}}"}},
     "has 4 {{column}} placeholders; Sentinel allows at most 3"),
    ({"alertDetailsOverride": {"alertDisplayNameFormat": "Reverted by {{ UserIdentityArn }}"}},
     "placeholder {{ UserIdentityArn }} must be a column name exactly, without spaces"),
    ({"alertDetailsOverride": {"alertDescriptionFormat": "x" * 5001}}, "alertDescriptionFormat: is 5001 characters"),
    ({"alertDetailsOverride": {"alertDisplayNameFormat": "x" * 257}}, "alertDisplayNameFormat: is 257 characters"),
    ({"alertDetailsOverride": {"alertDynamicProperties": [{"alertProperty": "Colour", "value": "EventName"}]}},
     "'Colour' is not one of AlertLink"),
    ({"alertDetailsOverride": {"alertNameFormat": "x"}}, "not an alertDetailsOverride field"),
    ({"eventGroupingSettings": {"aggregationKind": "PerRow"}}, "'PerRow' is not one of SingleAlert, AlertPerResult"),
    ({"version": "1.0"}, "version: '1.0' is not a version of the form X.Y.Z"),
    ({"version": 1.0}, "version: must be text, not the number 1.0 (quote it)"),
    ({"kind": "NRT"}, "'NRT' is not a kind revertguard handles; use Scheduled (NRT rules are not supported"),
    ({"requiredDataConnectors": [{"connectorId": "AzureActivity", "dataTypes": ["AWSCloudTrail"]}]},
     "connector 'AzureActivity' does not bring AWSCloudTrail; use AWS or AWSS3"),
    ({"requiredDataConnectors": [{"connectorId": "AWS"}]}, "requiredDataConnectors[0]: 'dataTypes' is missing"),
    ({"query": "AWSCloudTrail | extend AccountCustomEntity = UserIdentityArn"},
     "the query emits the legacy column AccountCustomEntity; map it"),
    ({"query": "AWSCloudTrail | join (_GetWatchlist('UnknownList')) on $left.UserIdentityArn == $right.SearchKey"},
     "reads _GetWatchlist('UnknownList'), which has no watchlist definition"),
    ({"suppressionDuration": "2d"}, "suppressionDuration: must be between 5 minutes and 24 hours"),
    ({"incidentConfiguration": {"createIncident": True, "groupingConfiguration": {
        "enabled": True, "reopenClosedIncident": False, "lookbackDuration": "5h", "matchingMethod": "Selected"}}},
     "Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails"),
    ({"incidentConfiguration": {"createIncident": True, "groupingConfiguration": {
        "matchingMethod": "Selected", "groupByEntities": ["Host"]}}}, "'Host' is not an entity type this rule maps"),
    ({"incidentConfiguration": {"createIncident": True, "groupingConfiguration": {"lookbackDuration": "8d"}}},
     "lookbackDuration: must be between 5 minutes and 7 days"),
    ({"severity": None}, "required field 'severity' is missing"),
])
def test_each_constraint_fires_with_a_useful_message(tmp_path, changes, fragment):
    _error_matching(tmp_path, fragment, **changes)


def test_errors_point_at_the_line_of_the_field(tmp_path):
    path, errors = _errors(tmp_path, severity="Critical")
    line = path.read_text().splitlines().index("severity: Critical") + 1
    assert errors == [f"{path}:{line}: error: severity: 'Critical' is not one of Informational, Low, Medium, High"]


def test_duplicate_ids_and_file_names_across_the_set(tmp_path):
    first = write_rule(tmp_path, "One", small_rule())
    second = write_rule(tmp_path, "Two", small_rule(name="Another"))
    (tmp_path / "sub").mkdir()
    third = write_rule(tmp_path / "sub", "one", small_rule(OTHER_ID, name="Third"))
    errors = [str(p) for p in validate_rule_files([tmp_path]).errors]
    assert any(e.startswith(f"{second}:") and f"is also the id of {first}" in e for e in errors), errors
    assert any(e.startswith(f"{third}:") and "same file name" in e for e in errors), errors


def test_warnings_do_not_fail_but_are_reported(tmp_path, capsys):
    path = write_rule(tmp_path, "rule", small_rule(entityMappings=None, querFrequency="1h",
                                                   customDetails={"Region": "NoSuchColumn"}))
    report = validate_rule_files([path])
    assert report.ok
    warnings = "\n".join(str(w) for w in report.warnings)
    assert "no 'entityMappings'" in warnings
    assert "querFrequency: not a Sentinel analytics rule field (a typo?)" in warnings
    assert "column 'NoSuchColumn' does not appear in the query" in warnings
    assert main(["sentinel", "validate", str(path)]) == 0
    assert "warning" in capsys.readouterr().out


def test_cli_fails_on_errors_and_names_file_and_field(tmp_path, capsys):
    path = write_rule(tmp_path, "rule", small_rule(severity="Critical"))
    assert main(["sentinel", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:" in out and "severity: 'Critical'" in out and "1 error(s)" in out


def test_cli_prints_markup_in_rule_values_as_text(tmp_path, capsys):
    path = write_rule(tmp_path, "rule", small_rule(severity="[bold]Critical[/bold]"))
    assert main(["sentinel", "validate", str(path)]) == 1
    assert "'[bold]Critical[/bold]'" in capsys.readouterr().out


def test_invalid_yaml_is_a_problem_not_a_crash(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("id: [\n")
    write_rule(tmp_path, "good", small_rule())
    report = validate_rule_files([tmp_path])
    assert len(report.files) == 2 and len(report.errors) == 1 and "invalid YAML" in str(report.errors[0])


def test_seed_rule_copy_with_watchlists_from_user_files(tmp_path):
    data = seed_data()
    data["query"] += "\n| join kind=leftanti (_GetWatchlist('MyList')) on $left.ActorIdentity == $right.SearchKey"
    path = write_rule(tmp_path, "seedcopy", data)
    assert not validate_rule_files([path]).ok
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "MyList.yaml").write_text("alias: MyList\nsearchKey: Id\ncolumns:\n  - name: Id\n")
    from revertguard.rules.watchlist import load_watchlists
    assert validate_rule_files([path], load_watchlists([tmp_path / "lists"])).ok
    assert main(["sentinel", "validate", str(path), "--watchlists", str(tmp_path / "lists")]) == 0
