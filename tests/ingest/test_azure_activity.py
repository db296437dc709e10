"""Azure Activity Log records (REST and diagnostic settings) land as the current Sentinel connector writes them."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from revertguard.ingest import ingest
from revertguard.ingest.azure_activity import normalize_status, parse_resource_id
from tests.ingest.records import SUBSCRIPTION, azure_diagnostic_record, azure_rest_event, rows, write_json, write_lines


def test_rest_event_columns(store, tmp_path):
    event = azure_rest_event(3)
    report = ingest([str(write_json(tmp_path / "activity.json", [event]))], store)
    assert report.rejected == 0
    (row,) = rows(store, "AzureActivity")
    assert row["TimeGenerated"] == datetime(2026, 11, 20, 12, 3, 53, 42287)
    assert row["EventSubmissionTimestamp"] == datetime(2026, 11, 20, 12, 3, 59, 100000)
    assert row["OperationNameValue"] == "Microsoft.Compute/disks/write"
    assert row["ActivityStatusValue"] == "Success"  # REST "Succeeded", in the connector's words
    assert row["ActivitySubstatusValue"] == "Created"
    assert row["CategoryValue"] == "Administrative"
    assert row["Caller"] == "adele@contoso.example"
    assert row["CallerIpAddress"] == "203.0.113.9"
    assert row["CorrelationId"] == "corr-3"
    assert row["EventDataId"] == "evdata-3"
    assert row["ResourceGroup"] == "VM-RG01"
    assert row["ResourceProviderValue"] == "MICROSOFT.COMPUTE"
    assert row["SubscriptionId"] == SUBSCRIPTION and row["_SubscriptionId"] == SUBSCRIPTION
    assert row["_ResourceId"] == event["resourceId"].lower()
    assert row["Hierarchy"] == f"tenant/MG/{SUBSCRIPTION}"
    assert json.loads(row["HTTPRequest"]) == event["httpRequest"]
    assert json.loads(row["Authorization_d"]) == event["authorization"] == json.loads(row["Authorization"])
    assert json.loads(row["Claims_d"]) == event["claims"]
    assert (row["SourceSystem"], row["Type"]) == ("Azure", "AzureActivity")
    # The current connector leaves the legacy columns empty.
    for legacy in ("OperationName", "ActivityStatus", "ActivitySubstatus", "Category", "ResourceId",
                   "ResourceProvider", "Resource", "Level", "OperationId"):
        assert row[legacy] == "", legacy


def test_properties_keep_the_body_as_a_string_and_gain_sentinels_enrichment_keys(store, tmp_path):
    event = azure_rest_event(1)
    ingest([str(write_json(tmp_path / "activity.json", [event]))], store)
    (row,) = rows(store, "AzureActivity")
    props = json.loads(row["Properties_d"])
    assert props == json.loads(row["Properties"])
    assert isinstance(props["responseBody"], str)  # still JSON text inside the dynamic: parse twice
    assert json.loads(props["responseBody"])["properties"]["creationData"]["createOption"] == "Copy"
    assert props["entity"] == event["resourceId"]
    assert props["message"] == "Microsoft.Compute/disks/write"
    assert props["caller"] == "adele@contoso.example"
    assert props["eventDataId"] == "evdata-1"
    assert props["resource"] == "restored1"
    assert props["resourceGroup"] == "VM-RG01"
    assert props["resourceProviderValue"] == "MICROSOFT.COMPUTE"
    assert props["subscriptionId"] == SUBSCRIPTION
    assert props["activityStatusValue"] == "Success"
    assert props["activitySubstatusValue"] == "Created"
    assert props["statusCode"] == "Created"  # raw properties are kept


def test_diagnostic_record_columns(store, tmp_path):
    record = azure_diagnostic_record(4)
    path = (tmp_path / "insights-activity-logs" / f"resourceId=/SUBSCRIPTIONS/{SUBSCRIPTION.upper()}"
            / "y=2026" / "m=11" / "d=20" / "h=13" / "m=00" / "PT1H.json")
    write_lines(path, [record, azure_diagnostic_record(5, result="Success")])
    report = ingest([str(tmp_path)], store)
    assert report.rejected == 0 and report.added == 2
    row = rows(store, "AzureActivity")[0]
    assert row["TimeGenerated"] == datetime(2026, 11, 20, 13, 4, 1, 123456)
    assert row["OperationNameValue"] == "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION"
    assert row["ActivityStatusValue"] == "Start"
    assert row["Caller"] == "bob@contoso.example"  # the UPN claim
    assert row["CallerIpAddress"] == "198.51.100.44"
    assert row["EventDataId"] == "devdata-4"
    assert row["ResourceGroup"] == "VM-RG01" and row["SubscriptionId"] == SUBSCRIPTION.upper()
    assert row["ResourceProviderValue"] == "MICROSOFT.COMPUTE"
    assert row["_ResourceId"] == record["resourceId"].lower()
    assert json.loads(row["HTTPRequest"]) == {"clientIpAddress": "198.51.100.44"}
    assert json.loads(row["Authorization_d"])["evidence"]["role"] == "Contributor"
    assert json.loads(row["Properties_d"])["resource"] == "linux04"


def test_service_principal_caller_is_its_object_id(store, tmp_path):
    record = azure_diagnostic_record()
    record["identity"]["claims"] = {"http://schemas.microsoft.com/identity/claims/objectidentifier": "5a6b-oid",
                                    "appid": "app-1"}
    ingest([str(write_lines(tmp_path / "PT1H.json", [record]))], store)
    assert rows(store, "AzureActivity")[0]["Caller"] == "5a6b-oid"


def test_event_hub_messages_and_rest_pages_load(store, tmp_path):
    hub = write_json(tmp_path / "hub.json", {"records": [azure_diagnostic_record(n) for n in range(3)]})
    page = write_json(tmp_path / "page.json", {"value": [azure_rest_event(n) for n in range(2)], "nextLink": None})
    report = ingest([str(hub), str(page)], store)
    assert report.rejected == 0 and report.added == 5


@pytest.mark.parametrize("raw, stored", [("Started", "Start"), ("Accepted", "Accept"), ("Succeeded", "Success"),
                                         ("Failed", "Failure"), ("succeeded", "Success"), ("Success", "Success"),
                                         ("Active", "Active")])
def test_status_vocabulary(raw, stored):
    assert normalize_status(raw) == stored


def test_resource_ids_parse_in_any_case():
    rid = "/SUBSCRIPTIONS/ABC/RESOURCEGROUPS/RG-1/PROVIDERS/MICROSOFT.COMPUTE/DISKS/D1"
    assert parse_resource_id(rid) == ("ABC", "RG-1", "D1")
    assert parse_resource_id("/subscriptions/abc") == ("abc", "", "abc")
