"""`sentinel export`: Sentinel YAML, ARM templates and watchlists, deterministic and escaped."""

from __future__ import annotations

import json

import pytest

from revertguard.cli import main
from revertguard.errors import UsageError
from revertguard.rules import load_rule, load_rules
from revertguard.rules.watchlist import load_watchlists, shipped_watchlists
from revertguard.sentinel.arm import API_VERSION, arm_escape, rule_body
from revertguard.sentinel.content import ValidationFailed
from revertguard.sentinel.export import export, export_rules
from tests.rules.files import SEED_FILE, small_rule, write_rule

# Properties the REST API requires of a scheduled rule (AlertRules.json, stable/2025-09-01).
REQUIRED_PROPERTIES = {"displayName", "enabled", "severity", "query", "queryFrequency", "queryPeriod",
                       "triggerOperator", "triggerThreshold", "suppressionEnabled", "suppressionDuration"}
WATCHING_QUERY = ("AWSCloudTrail\n| where EventName == \"CreateReplaceRootVolumeTask\"\n"
                  "| join kind=leftanti (_GetWatchlist('RevertGuardApprovedIdentities') | project UserIdentityArn = "
                  "SearchKey) on UserIdentityArn\n| project TimeGenerated, UserIdentityArn, SourceIpAddress, "
                  "RecipientAccountId\n")


def _read_tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_seed_exports_as_the_shipped_yaml_and_round_trips(tmp_path):
    result = export_rules("seed", tmp_path)
    assert (tmp_path / "rules" / "SeedCloudInstanceRevert.yaml").read_bytes() == SEED_FILE.read_bytes()
    reloaded = load_rule(tmp_path / "rules" / "SeedCloudInstanceRevert.yaml")
    assert reloaded.query == load_rules("seed")[0].query
    assert [p.as_posix() for p in result.files] == [
        "rules/SeedCloudInstanceRevert.yaml", "arm/rules/SeedCloudInstanceRevert.json", "arm/revertguard-sentinel.json"]


def test_arm_template_for_a_rule(tmp_path):
    export_rules("seed", tmp_path, formats=["arm"])
    assert not (tmp_path / "rules").exists()
    template = json.loads((tmp_path / "arm" / "rules" / "SeedCloudInstanceRevert.json").read_text())
    assert template["$schema"].endswith("/deploymentTemplate.json#")
    assert template["contentVersion"] == "1.0.0.0"
    assert template["parameters"]["workspace"]["type"] == "string"
    (resource,) = template["resources"]
    seed = load_rules("seed")[0]
    assert resource["type"] == "Microsoft.SecurityInsights/alertRules"
    assert resource["apiVersion"] == API_VERSION == "2025-09-01"
    assert resource["scope"] == "[concat('Microsoft.OperationalInsights/workspaces/', parameters('workspace'))]"
    assert resource["kind"] == "Scheduled" and resource["name"] == seed.id
    props = resource["properties"]
    assert set(props) >= REQUIRED_PROPERTIES
    assert props["query"] == seed.query
    assert (props["queryFrequency"], props["queryPeriod"]) == ("P1D", "P1D")
    assert props["triggerOperator"] == "GreaterThan" and props["triggerThreshold"] == 0
    assert props["techniques"] == ["T1578"] and props["tactics"] == ["DefenseEvasion"]
    assert "templateVersion" not in props and "alertRuleTemplateName" not in props
    assert props["suppressionEnabled"] is False and props["suppressionDuration"] == "PT5H"
    assert props["eventGroupingSettings"] == {"aggregationKind": "AlertPerResult"}
    assert props["entityMappings"][0] == {"entityType": "Account",
                                          "fieldMappings": [{"identifier": "FullName", "columnName": "ActorIdentity"}]}
    assert props["customDetails"]["AwsAccountId"] == "RecipientAccountId"
    assert props["alertDetailsOverride"]["alertDisplayNameFormat"].startswith("{{Operation}}")
    grouping = props["incidentConfiguration"]["groupingConfiguration"]
    assert props["incidentConfiguration"]["createIncident"] is True
    assert {"enabled", "reopenClosedIncident", "lookbackDuration", "matchingMethod"} <= set(grouping)
    assert grouping["matchingMethod"] == "Selected" and grouping["groupByEntities"] == ["Account"]
    assert grouping["lookbackDuration"] == "P1D"


def test_yaml_settings_reach_the_arm_properties(tmp_path):
    rule = load_rule(write_rule(tmp_path, "r", small_rule(
        triggerOperator="eq", queryFrequency="00:30:00", queryPeriod="PT90M", suppressionEnabled=True,
        suppressionDuration="2h", relevantTechniques=["T1578.004", "T1578.002", "T1070"],
        incidentConfiguration={"createIncident": False})))
    props = rule_body(rule)["properties"]
    assert props["triggerOperator"] == "Equal"
    assert (props["queryFrequency"], props["queryPeriod"]) == ("PT30M", "PT1H30M")
    assert (props["suppressionEnabled"], props["suppressionDuration"]) == (True, "PT2H")
    assert props["techniques"] == ["T1070", "T1578"]
    assert props["incidentConfiguration"] == {"createIncident": False}


def test_watchlists_the_rules_read_are_exported_with_their_rows(tmp_path):
    rules_dir, lists = tmp_path / "rules", tmp_path / "lists"
    rules_dir.mkdir()
    lists.mkdir()
    write_rule(rules_dir, "Watching", small_rule(query=WATCHING_QUERY))
    (lists / "RevertGuardApprovedIdentities.csv").write_text(
        "Identity,Cloud,Scope,Operations,Reason,Owner,Expires\n"
        "arn:aws:iam::111122223333:role/DR,aws,*,*,DR runbook,ops,\n"
        "\"[parameters('x')]\",aws,*,*,\"=cmd|' /C calc'!A0\",ops,\n")
    out = tmp_path / "out"
    export_rules([str(rules_dir)], out, watchlist_paths=[lists])
    csv_text = (out / "watchlists" / "RevertGuardApprovedIdentities.csv").read_bytes().decode("utf-8")
    assert csv_text.startswith("Identity,Cloud,Scope,Operations,Reason,Owner,Expires\r\n")
    assert "=cmd|' /C calc'!A0" in csv_text  # values are data: exported as they are, only CSV-quoted
    assert sorted(p.name for p in (out / "watchlists").iterdir()) == ["RevertGuardApprovedIdentities.csv"]
    combined = json.loads((out / "arm" / "revertguard-sentinel.json").read_text())
    types = [r["type"] for r in combined["resources"]]
    item_type = "Microsoft.SecurityInsights/watchlists/watchlistItems"
    assert types == ["Microsoft.SecurityInsights/watchlists", item_type, item_type,
                     "Microsoft.SecurityInsights/alertRules"]
    watchlist, first_item, second_item, rule = combined["resources"]
    assert watchlist["name"] == "RevertGuardApprovedIdentities"
    assert watchlist["properties"]["itemsSearchKey"] == "Identity"
    assert {"displayName", "provider", "itemsSearchKey"} <= set(watchlist["properties"])
    assert first_item["name"].startswith("RevertGuardApprovedIdentities/")
    assert first_item["properties"]["itemsKeyValue"]["Identity"] == "arn:aws:iam::111122223333:role/DR"
    # ARM would evaluate "[...]" as an expression: the value is escaped to stay literal.
    assert second_item["properties"]["itemsKeyValue"]["Identity"] == "[[parameters('x')]"
    assert rule["dependsOn"] == [first_item["dependsOn"][0]]
    assert "'RevertGuardApprovedIdentities')]" in rule["dependsOn"][0]
    per_watchlist = json.loads((out / "arm" / "watchlists" / "RevertGuardApprovedIdentities.json").read_text())
    assert per_watchlist["resources"] == combined["resources"][:3]


def test_export_is_deterministic(tmp_path):
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "RevertGuardLabScopes.csv").write_text("Scope,Cloud,Name,Owner,Description\n1,aws,lab,me,x\n")
    export_rules("all", tmp_path / "a", watchlist_paths=[lists], all_watchlists=True)
    export_rules("all", tmp_path / "b", watchlist_paths=[lists], all_watchlists=True)
    first, second = _read_tree(tmp_path / "a"), _read_tree(tmp_path / "b")
    assert first == second
    assert len([name for name in first if name.startswith("watchlists/")]) == len(shipped_watchlists())
    assert all(b"2026-" not in content and b"2025-" not in content.replace(b"2025-09-01", b"")
               for content in first.values())


def test_arm_escape_only_touches_expression_shaped_strings():
    assert arm_escape("[concat('a')]") == "[[concat('a')]"
    assert arm_escape("[not an expression") == "[not an expression"
    assert arm_escape({"a": ["[x]", 1, None, {"b": "plain"}]}) == {"a": ["[[x]", 1, None, {"b": "plain"}]}


def test_descriptions_and_queries_are_escaped_in_arm(tmp_path):
    rule = write_rule(tmp_path, "r", small_rule(description="[reference('x').secret]",
                                                query="[AWSCloudTrail | project UserIdentityArn, SourceIpAddress, "
                                                      "RecipientAccountId]"))
    export_rules([str(rule)], tmp_path / "out", formats=["arm"])
    props = json.loads((tmp_path / "out" / "arm" / "rules" / "r.json").read_text())["resources"][0]["properties"]
    assert props["description"] == "[[reference('x').secret]"
    assert props["query"].startswith("[[AWSCloudTrail")


def test_a_rule_reading_an_undefined_watchlist_is_not_exported(tmp_path):
    rule = load_rule(write_rule(tmp_path, "r", small_rule(query="AWSCloudTrail | join (_GetWatchlist('Nope')) "
                                                                "on UserIdentityArn, SourceIpAddress, "
                                                                "RecipientAccountId")))
    with pytest.raises(UsageError, match="no watchlist definition for 'Nope' \\(read by Root volume replaced\\)"):
        export([rule], tmp_path / "out", watchlists=shipped_watchlists())
    assert not (tmp_path / "out").exists()


def test_invalid_rules_stop_the_export_before_writing(tmp_path, capsys):
    rule = write_rule(tmp_path, "r", small_rule(severity="Critical"))
    with pytest.raises(ValidationFailed, match="severity: 'Critical'"):
        export_rules([str(rule)], tmp_path / "out")
    assert main(["sentinel", "export", "--rules", str(rule), "--out", str(tmp_path / "out")]) == 1
    assert "nothing was written or sent" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_export(tmp_path, capsys):
    assert main(["sentinel", "export", "--out", str(tmp_path), "--format", "yaml", "--all-watchlists"]) == 0
    out = capsys.readouterr().out
    assert "rules/SeedCloudInstanceRevert.yaml" in out and "watchlists/RevertGuardLabScopes.csv" in out
    assert not (tmp_path / "arm").exists()
    assert (tmp_path / "watchlists" / "RevertGuardChaosRoles.csv").read_bytes() == \
        b"Identity,Cloud,Scope,Service,Description\r\n"


def test_user_yaml_watchlist_overrides_the_shipped_one(tmp_path):
    lists = tmp_path / "lists"
    lists.mkdir()
    text = (shipped_watchlists()["RevertGuardLabScopes"].path.read_text()
            .replace("rows: []", "rows:\n  - Scope: \"777788889999\"\n    Cloud: aws\n"))
    (lists / "labs.yaml").write_text(text)
    assert load_watchlists([lists])["RevertGuardLabScopes"].rows == ({"Scope": "777788889999", "Cloud": "aws"},)
