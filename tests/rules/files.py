"""Helpers for tests that write rule files: a valid rule to start from, changed per test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from revertguard.rules import BASELINE_DIR
from revertguard.rules.yamldoc import dump_yaml, read_yaml

SEED_FILE = BASELINE_DIR / "SeedCloudInstanceRevert.yaml"


def seed_data() -> dict[str, Any]:
    """The shipped seed rule as plain data (a fresh copy each call)."""
    return copy.deepcopy(read_yaml(SEED_FILE).data)


def write_rule(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def small_rule(rule_id: str = "0b8f6f3e-2a55-4d6a-9a55-3f0c2b9a1e10", **changes: Any) -> dict[str, Any]:
    """A compact valid rule over AWSCloudTrail; keyword arguments replace or (None) remove fields."""
    data: dict[str, Any] = {
        "id": rule_id,
        "name": "Root volume replaced",
        "description": "Identifies CreateReplaceRootVolumeTask calls.",
        "severity": "High",
        "requiredDataConnectors": [{"connectorId": "AWS", "dataTypes": ["AWSCloudTrail"]}],
        "queryFrequency": "1h",
        "queryPeriod": "1h",
        "triggerOperator": "gt",
        "triggerThreshold": 0,
        "tactics": ["DefenseEvasion"],
        "relevantTechniques": ["T1578.004"],
        "query": "AWSCloudTrail\n| where EventName == \"CreateReplaceRootVolumeTask\"\n"
                 "| project TimeGenerated, UserIdentityArn, SourceIpAddress, RecipientAccountId\n",
        "entityMappings": [
            {"entityType": "Account", "fieldMappings": [{"identifier": "FullName", "columnName": "UserIdentityArn"}]},
            {"entityType": "IP", "fieldMappings": [{"identifier": "Address", "columnName": "SourceIpAddress"}]},
        ],
        "customDetails": {"AwsAccountId": "RecipientAccountId"},
        "alertDetailsOverride": {"alertDisplayNameFormat": "Root volume replaced by {{UserIdentityArn}}"},
        "eventGroupingSettings": {"aggregationKind": "AlertPerResult"},
        "version": "1.0.0",
        "kind": "Scheduled",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
