"""AWS CloudTrail record -> `AWSCloudTrail` row, as the Sentinel AWS S3 connector maps it.

The record is decoded straight into a struct whose JSON blobs (`requestParameters`, ...) stay
raw bytes: they are stored as compact JSON text, so parsing them into Python objects would be
wasted work. Field-by-field decisions are listed in `revertguard.ingest.mappings`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from revertguard.ingest.timestamps import TimestampError, parse_iso, parse_optional_iso
from revertguard.ingest.values import boolean, compact_raw, content_key, obj, text
from revertguard.tables import AWS_CLOUDTRAIL

_NULL = msgspec.Raw(b"")


class _Record(msgspec.Struct):
    """The parts of a CloudTrail record the table uses; unknown keys are skipped unread."""

    eventTime: Any = None
    eventID: Any = None
    eventVersion: Any = None
    eventSource: Any = None
    eventType: Any = None
    eventName: Any = None
    eventCategory: Any = None
    userIdentity: Any = None
    awsRegion: Any = None
    sourceIPAddress: Any = None
    userAgent: Any = None
    errorCode: Any = None
    errorMessage: Any = None
    requestParameters: msgspec.Raw = _NULL
    responseElements: msgspec.Raw = _NULL
    additionalEventData: msgspec.Raw = _NULL
    resources: msgspec.Raw = _NULL
    serviceEventDetails: msgspec.Raw = _NULL
    requestID: Any = None
    apiVersion: Any = None
    readOnly: Any = None
    recipientAccountId: Any = None
    sharedEventID: Any = None
    vpcEndpointId: Any = None
    managementEvent: Any = None
    tlsDetails: Any = None
    # Present only on things that are not CloudTrail records; used to name them in rejections.
    CloudTrailEvent: Any = None


_decode = msgspec.json.Decoder(_Record).decode
_TEMPLATE = dict.fromkeys(AWS_CLOUDTRAIL.column_names, "")
# Non-string columns start as null, not "".
for _name in ("TimeGenerated", "SessionMfaAuthenticated", "SessionCreationDate", "ReadOnly",
              "ManagementEvent", "_BilledSize"):
    _TEMPLATE[_name] = None
_TEMPLATE["Type"] = "AWSCloudTrail"
_TEMPLATE["_IsBillable"] = "True"


class RecordError(ValueError):
    """A record that cannot become a row; the message is the reason shown to the user."""


def unwrap_lookup_event(data: bytes) -> bytes:
    """The CloudTrail record inside a `LookupEvents` item (`CloudTrailEvent` is a JSON string)."""
    record = _decode(data)
    if not isinstance(record.CloudTrailEvent, str):
        raise RecordError("a LookupEvents item without a CloudTrailEvent string")
    return record.CloudTrailEvent.encode()


def map_record(data: bytes) -> tuple[tuple, str]:
    """Map one raw CloudTrail record (JSON bytes) to a row tuple and its deduplication key."""
    try:
        r = _decode(data)
    except msgspec.ValidationError as exc:
        raise RecordError(f"expected a JSON object ({exc})") from None
    except msgspec.DecodeError as exc:
        raise RecordError(f"malformed JSON: {str(exc).removeprefix('JSON is malformed: ')}") from None
    if r.CloudTrailEvent is not None and r.eventName is None:
        return map_record(unwrap_lookup_event(data))
    if r.eventName is None and r.eventSource is None:
        raise RecordError("not a CloudTrail record: it has no eventName or eventSource")
    try:
        time_generated = parse_iso(r.eventTime)
    except TimestampError as exc:
        raise RecordError(f"eventTime: {exc}") from None

    row = _TEMPLATE.copy()
    row["TimeGenerated"] = time_generated
    row["AwsEventId"] = text(r.eventID)
    row["EventVersion"] = text(r.eventVersion)
    row["EventSource"] = text(r.eventSource)
    row["EventTypeName"] = text(r.eventType)
    row["EventName"] = text(r.eventName)

    identity = r.userIdentity if isinstance(r.userIdentity, dict) else {}
    if identity:
        row["UserIdentityType"] = text(identity.get("type"))
        row["UserIdentityPrincipalid"] = text(identity.get("principalId"))
        row["UserIdentityArn"] = text(identity.get("arn"))
        row["UserIdentityAccountId"] = text(identity.get("accountId"))
        row["UserIdentityInvokedBy"] = text(identity.get("invokedBy"))
        row["UserIdentityAccessKeyId"] = text(identity.get("accessKeyId"))
        row["UserIdentityUserName"] = text(identity.get("userName"))
        session = identity.get("sessionContext")
        if isinstance(session, dict):
            attributes = session.get("attributes") or {}
            try:
                row["SessionMfaAuthenticated"] = boolean(attributes.get("mfaAuthenticated"))
                row["SessionCreationDate"] = parse_optional_iso(attributes.get("creationDate"))
            except (ValueError, TimestampError) as exc:
                raise RecordError(f"userIdentity.sessionContext.attributes: {exc}") from None
            issuer = session.get("sessionIssuer") or {}
            row["SessionIssuerType"] = text(issuer.get("type"))
            row["SessionIssuerPrincipalId"] = text(issuer.get("principalId"))
            row["SessionIssuerArn"] = text(issuer.get("arn"))
            row["SessionIssuerAccountId"] = text(issuer.get("accountId"))
            row["SessionIssuerUserName"] = text(issuer.get("userName"))
            row["EC2RoleDelivery"] = text(session.get("ec2RoleDelivery"))
        on_behalf = identity.get("onBehalfOf")
        if isinstance(on_behalf, dict):
            row["UserIdentityUserId"] = text(on_behalf.get("userId"))
            row["UserIdentityStoreArn"] = text(on_behalf.get("identityStoreArn"))

    row["AWSRegion"] = text(r.awsRegion)
    row["SourceIpAddress"] = text(r.sourceIPAddress)
    row["UserAgent"] = text(r.userAgent)
    row["ErrorCode"] = text(r.errorCode)
    row["ErrorMessage"] = text(r.errorMessage)
    row["RequestParameters"] = request = compact_raw(r.requestParameters)
    row["ResponseElements"] = compact_raw(r.responseElements)
    row["AdditionalEventData"] = compact_raw(r.additionalEventData)
    row["Resources"] = compact_raw(r.resources)
    row["ServiceEventDetails"] = compact_raw(r.serviceEventDetails)
    row["AwsRequestId"] = row["AwsRequestId_"] = text(r.requestID)
    row["APIVersion"] = text(r.apiVersion)
    row["RecipientAccountId"] = text(r.recipientAccountId)
    row["SharedEventId"] = text(r.sharedEventID)
    row["VpcEndpointId"] = text(r.vpcEndpointId)
    try:
        row["ReadOnly"] = boolean(r.readOnly)
        row["ManagementEvent"] = boolean(r.managementEvent)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    tls = r.tlsDetails
    if isinstance(tls, dict):
        row["TlsVersion"] = text(tls.get("tlsVersion"))
        row["CipherSuite"] = text(tls.get("cipherSuite"))
        row["ClientProvidedHostHeader"] = text(tls.get("clientProvidedHostHeader"))
    if "ipPermissions" in request:
        _security_group_rule(row, request)
    row["_BilledSize"] = float(len(data))

    values = tuple(row.values())
    key = row["AwsEventId"] or content_key(values)
    return values, key


def _security_group_rule(row: dict, request: str) -> None:
    """IpProtocol, SourcePort, DestinationPort and CidrIp from the first rule of a security-group call."""
    try:
        permissions = msgspec.json.decode(request).get("ipPermissions") or {}
        first = (permissions.get("items") or [{}])[0]
    except (msgspec.DecodeError, AttributeError, IndexError, TypeError):
        return
    if not isinstance(first, dict):
        return
    row["IpProtocol"] = text(first.get("ipProtocol"))
    row["SourcePort"] = text(first.get("fromPort"))
    row["DestinationPort"] = text(first.get("toPort"))
    ranges = obj(first, "ipRanges").get("items") or []
    if ranges and isinstance(ranges[0], dict):
        row["CidrIp"] = text(ranges[0].get("cidrIp"))
