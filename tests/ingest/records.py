"""Raw records written for the ingest tests: every field holds a distinct value, so a test can
check that each column received exactly the raw field Sentinel would put there."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

from revertguard.store import Store, quote_ident
from revertguard.tables import TABLES

ACCOUNT = "111122223333"
SUBSCRIPTION = "8f153238-e602-427e-a7c0-3043fbe50918"


def cloudtrail_record(n: int = 1, **overrides) -> dict:
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE{n}:alice",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice{n}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIAEXAMPLE{n:08d}",
            "userName": f"alice{n}",
            "invokedBy": "cloudformation.amazonaws.com",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAISSUER",
                                  "arn": f"arn:aws:iam::{ACCOUNT}:role/Admin", "accountId": "444455556666",
                                  "userName": "Admin"},
                "attributes": {"creationDate": "2026-11-20T11:58:02Z", "mfaAuthenticated": "true"},
                "ec2RoleDelivery": "2.0",
            },
            "onBehalfOf": {"userId": "uid-123", "identityStoreArn": "arn:aws:identitystore::123:identitystore/d-1"},
        },
        "eventTime": f"2026-11-20T12:{n % 60:02d}:07Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "StopInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "aws-cli/2.17.3 Python/3.11.9",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": f"i-0a1b2c3d4e5f6{n:05d}"}]}, "force": False},
        "responseElements": {"requestId": "req", "instancesSet": {"items": [{"instanceId": "i-1",
                                                                             "currentState": {"code": 64}}]}},
        "additionalEventData": {"x": 1},
        "requestID": f"5c1a7e2d-0000-4000-8000-{n:012d}",
        "eventID": f"e1d2c3b4-0000-4000-8000-{n:012d}",
        "readOnly": False,
        "resources": [{"ARN": "arn:aws:ec2:us-east-1:1:instance/i-1", "accountId": ACCOUNT,
                       "type": "AWS::EC2::Instance"}],
        "eventType": "AwsApiCall",
        "apiVersion": "2016-11-15",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "sharedEventID": "shared-1",
        "vpcEndpointId": "vpce-1",
        "serviceEventDetails": {"snapshotId": "snap-1"},
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"},
    }
    record.update(overrides)
    return record


def azure_rest_event(n: int = 1, status: str = "Succeeded", **overrides) -> dict:
    resource_id = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/VM-RG01/providers/Microsoft.Compute/"
                   f"disks/Restored{n}")
    event = {
        "authorization": {"action": "Microsoft.Compute/disks/write", "scope": resource_id},
        "caller": "adele@contoso.example",
        "channels": "Operation",
        "claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "adele@contoso.example",
                   "ipaddr": "203.0.113.9"},
        "correlationId": f"corr-{n}",
        "description": "",
        "eventDataId": f"evdata-{n}",
        "eventName": {"value": "EndRequest", "localizedValue": "End request"},
        "category": {"value": "Administrative", "localizedValue": "Administrative"},
        "eventTimestamp": f"2026-11-20T12:{n % 60:02d}:53.0422877Z",
        "httpRequest": {"clientRequestId": "cr-1", "clientIpAddress": "203.0.113.9", "method": "PUT"},
        "id": f"{resource_id}/events/evdata-{n}/ticks/1",
        "level": "Informational",
        "operationId": f"corr-{n}",
        "operationName": {"value": "Microsoft.Compute/disks/write", "localizedValue": "Create or Update Disk"},
        "resourceGroupName": "VM-RG01",
        "resourceProviderName": {"value": "Microsoft.Compute", "localizedValue": "Microsoft.Compute"},
        "resourceType": {"value": "Microsoft.Compute/disks", "localizedValue": "Microsoft.Compute/disks"},
        "resourceId": resource_id,
        "status": {"value": status, "localizedValue": status},
        "subStatus": {"value": "Created", "localizedValue": "Created (HTTP Status Code: 201)"},
        "submissionTimestamp": f"2026-11-20T12:{n % 60:02d}:59.1Z",
        "subscriptionId": SUBSCRIPTION,
        "tenantId": "2ad3fc79-1859-42fa-9011-6f8df2251b22",
        "properties": {"statusCode": "Created", "serviceRequestId": "srv-1",
                       "responseBody": json.dumps({"properties": {"creationData": {"createOption": "Copy"}}}),
                       "hierarchy": f"tenant/MG/{SUBSCRIPTION}"},
        "relatedEvents": [],
    }
    event.update(overrides)
    return event


def azure_diagnostic_record(n: int = 1, result: str = "Start", **overrides) -> dict:
    record = {
        "time": f"2026-11-20T13:{n % 60:02d}:01.1234567Z",
        "resourceId": f"/SUBSCRIPTIONS/{SUBSCRIPTION.upper()}/RESOURCEGROUPS/VM-RG01/PROVIDERS/MICROSOFT.COMPUTE/"
                      f"VIRTUALMACHINES/LINUX{n:02d}",
        "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION",
        "category": "Administrative",
        "resultType": result,
        "resultSignature": "Started.",
        "durationMs": "0",
        "callerIpAddress": "198.51.100.44",
        "correlationId": f"dcorr-{n}",
        "identity": {
            "authorization": {"scope": "/subscriptions/x",
                              "action": "Microsoft.Compute/virtualMachines/deallocate/action",
                              "evidence": {"role": "Contributor", "principalType": "User"}},
            "claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "bob@contoso.example",
                       "http://schemas.microsoft.com/identity/claims/objectidentifier": "oid-bob"},
        },
        "level": "Information",
        "location": "global",
        "properties": {"eventCategory": "Administrative", "entity": "/subscriptions/x/vm", "message":
                       "Microsoft.Compute/virtualMachines/deallocate/action", "hierarchy": "t/MG/s",
                       "eventDataId": f"devdata-{n}", "statusCode": "Accepted"},
    }
    record.update(overrides)
    return record


def gcp_entry(n: int = 1, **overrides) -> dict:
    entry = {
        "insertId": f"-abc{n}",
        "logName": "projects/prod-project/logs/cloudaudit.googleapis.com%2Factivity",
        "timestamp": f"2026-11-20T14:{n % 60:02d}:00.123456Z",
        "receiveTimestamp": f"2026-11-20T14:{n % 60:02d}:01.987654321Z",
        "severity": "NOTICE",
        "resource": {"type": "gce_disk", "labels": {"project_id": "prod-project", "zone": "us-central1-a",
                                                   "disk_id": "123"}},
        "operation": {"id": "operation-1", "producer": "compute.googleapis.com", "first": True},
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "serviceName": "compute.googleapis.com",
            "methodName": "v1.compute.disks.insert",
            "resourceName": f"projects/prod-project/zones/us-central1-a/disks/restored-{n}",
            "authenticationInfo": {"principalEmail": "carol@example.com"},
            "authorizationInfo": [{"permission": "compute.disks.create", "granted": True}],
            "requestMetadata": {"callerIp": "203.0.113.10", "callerSuppliedUserAgent": "gcloud"},
            "request": {"name": f"restored-{n}", "sourceSnapshot": "projects/prod-project/global/snapshots/s1"},
            "response": {"status": "RUNNING"},
            "resourceLocation": {"currentLocations": ["us-central1-a"]},
            "status": {"code": 0, "message": "ok"},
            "metadata": {"m": 1},
            "numResponseItems": "3",
        },
    }
    entry.update(overrides)
    return entry


def write_json(path: Path, value: object, *, gz: bool = False, pretty: bool = False) -> Path:
    data = json.dumps(value, indent=2 if pretty else None).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def write_lines(path: Path, values: list, *, gz: bool = False) -> Path:
    data = b"".join(json.dumps(v).encode() + b"\n" for v in values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def delivery_path(root: Path, *, region: str = "us-east-1", org: str | None = None) -> Path:
    prefix = root / "AWSLogs" / (org or "") / ACCOUNT if org else root / "AWSLogs" / ACCOUNT
    return (prefix / "CloudTrail" / region / "2026" / "11" / "20"
            / f"{ACCOUNT}_CloudTrail_{region}_20261120T1210Z_Sx8bQ2mR4tYp7VnA.json.gz")


def rows(store: Store, table: str, order: str = "TimeGenerated") -> list[dict]:
    """Every row of a table as dicts (all columns, hidden ones too), ordered."""
    names = TABLES[table].column_names
    cursor = store.con.execute(
        f"SELECT {', '.join(quote_ident(n) for n in names)} FROM {quote_ident(table)} ORDER BY {quote_ident(order)}")
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def without(record: dict, *paths: str) -> dict:
    """A deep copy of a record with the dotted paths removed."""
    out = copy.deepcopy(record)
    for path in paths:
        node = out
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node.pop(last, None)
    return out
