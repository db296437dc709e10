"""AWS CloudTrail record -> `AWSCloudTrail` row, as the Sentinel AWS S3 connector maps it.

This is the hot path of ingestion, so a record is decoded straight into typed structs: unknown
keys are skipped unread, and the JSON blobs (`requestParameters`, ...) stay raw bytes, because
they are stored as compact JSON text anyway. A record whose values have unexpected types (a
number where a string belongs) is decoded loosely and coerced, so it still loads. Field-by-field
decisions are listed in `revertguard.ingest.mappings`.
"""

from __future__ import annotations

from typing import Any, get_type_hints

import msgspec

from revertguard.ingest.report import RecordError
from revertguard.ingest.timestamps import TimestampError, parse_iso, parse_optional_iso
from revertguard.ingest.values import boolean, compact_raw, content_key, obj, text

_NULL = msgspec.Raw(b"")
Str = str | None


class _SessionIssuer(msgspec.Struct, gc=False):
    type: Str = None
    principalId: Str = None
    arn: Str = None
    accountId: Str = None
    userName: Str = None


class _SessionAttributes(msgspec.Struct, gc=False):
    creationDate: Str = None
    mfaAuthenticated: Any = None  # the string "true"/"false" in real records


class _SessionContext(msgspec.Struct, gc=False):
    sessionIssuer: _SessionIssuer | None = None
    attributes: _SessionAttributes | None = None
    ec2RoleDelivery: Str = None


class _OnBehalfOf(msgspec.Struct, gc=False):
    userId: Str = None
    identityStoreArn: Str = None


class _UserIdentity(msgspec.Struct, gc=False):
    type: Str = None
    principalId: Str = None
    arn: Str = None
    accountId: Str = None
    invokedBy: Str = None
    accessKeyId: Str = None
    userName: Str = None
    sessionContext: _SessionContext | None = None
    onBehalfOf: _OnBehalfOf | None = None


class _TlsDetails(msgspec.Struct, gc=False):
    tlsVersion: Str = None
    cipherSuite: Str = None
    clientProvidedHostHeader: Str = None


class _Record(msgspec.Struct, gc=False):
    """The parts of a CloudTrail record the table uses."""

    eventTime: Str = None
    eventID: Str = None
    eventVersion: Str = None
    eventSource: Str = None
    eventType: Str = None
    eventName: Str = None
    userIdentity: _UserIdentity | None = None
    awsRegion: Str = None
    sourceIPAddress: Str = None
    userAgent: Str = None
    errorCode: Str = None
    errorMessage: Str = None
    requestParameters: msgspec.Raw = _NULL
    responseElements: msgspec.Raw = _NULL
    additionalEventData: msgspec.Raw = _NULL
    resources: msgspec.Raw = _NULL
    serviceEventDetails: msgspec.Raw = _NULL
    requestID: Str = None
    apiVersion: Str = None
    readOnly: Any = None
    recipientAccountId: Str = None
    sharedEventID: Str = None
    vpcEndpointId: Str = None
    managementEvent: Any = None
    tlsDetails: _TlsDetails | None = None
    CloudTrailEvent: Any = None  # set only on a LookupEvents item, which wraps a record


_decode_strict = msgspec.json.Decoder(_Record).decode
_decode_any = msgspec.json.Decoder().decode
_NO_IDENTITY = _UserIdentity()
_NO_SESSION = _SessionContext()
_NO_ISSUER = _SessionIssuer()
_NO_ATTRIBUTES = _SessionAttributes()
_NO_TLS = _TlsDetails()
_NO_ON_BEHALF = _OnBehalfOf()
_HINTS = {cls: get_type_hints(cls) for cls in (_Record, _UserIdentity, _SessionContext, _SessionIssuer,
                                               _SessionAttributes, _OnBehalfOf, _TlsDetails)}


def _decode(data: bytes) -> _Record:
    try:
        return _decode_strict(data)
    except msgspec.ValidationError:
        pass  # a value of an unexpected type somewhere: decode loosely and coerce below
    except msgspec.DecodeError as exc:
        raise RecordError(f"malformed JSON: {str(exc).removeprefix('JSON is malformed: ')}") from None
    value = _decode_any(data)
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {type(value).__name__}")
    return msgspec.convert(_coerce(value, _Record), _Record)


def _coerce(value: dict, cls: type) -> dict:
    """Make a loosely typed record fit `cls`: non-strings in string fields become their JSON text."""
    out: dict[str, Any] = {}
    for name, hint in _HINTS[cls].items():
        if name not in value:
            continue
        item = value[name]
        if hint is msgspec.Raw:
            out[name] = msgspec.Raw(msgspec.json.encode(item))
        elif hint == Str:
            out[name] = None if item is None else text(item)
        elif hint is Any:
            out[name] = item
        else:  # a nested struct (`X | None`)
            nested = next(a for a in hint.__args__ if a is not type(None))
            out[name] = _coerce(item, nested) if isinstance(item, dict) else None
    return out


def unwrap_lookup_event(data: bytes) -> bytes:
    """The CloudTrail record inside a `LookupEvents` item (`CloudTrailEvent` is a JSON string)."""
    record = _decode(data)
    if not isinstance(record.CloudTrailEvent, str):
        raise RecordError("a LookupEvents item without a CloudTrailEvent string")
    return record.CloudTrailEvent.encode()


def map_record(data: bytes) -> tuple[tuple, str]:
    """Map one raw CloudTrail record (JSON bytes) to a row tuple and its deduplication key."""
    r = _decode(data)
    if r.CloudTrailEvent is not None and r.eventName is None:
        return map_record(unwrap_lookup_event(data))
    if r.eventName is None and r.eventSource is None:
        raise RecordError("not a CloudTrail record: it has no eventName or eventSource")
    try:
        time_generated = parse_iso(r.eventTime)
    except TimestampError as exc:
        raise RecordError(f"eventTime: {exc}") from None

    identity = r.userIdentity or _NO_IDENTITY
    session = identity.sessionContext or _NO_SESSION
    issuer = session.sessionIssuer or _NO_ISSUER
    attributes = session.attributes or _NO_ATTRIBUTES
    on_behalf = identity.onBehalfOf or _NO_ON_BEHALF
    tls = r.tlsDetails or _NO_TLS
    try:
        mfa = boolean(attributes.mfaAuthenticated)
        session_created = parse_optional_iso(attributes.creationDate)
        read_only = boolean(r.readOnly)
        management = boolean(r.managementEvent)
    except (ValueError, TimestampError) as exc:
        raise RecordError(str(exc)) from None
    request = compact_raw(r.requestParameters)
    protocol = source_port = destination_port = cidr = ""
    if "ipPermissions" in request:
        protocol, source_port, destination_port, cidr = _security_group_rule(request)
    request_id = r.requestID or ""

    # In AWS_CLOUDTRAIL column order (a test checks the two agree).
    row = (
        time_generated,
        r.eventID or "",
        r.eventVersion or "",
        r.eventSource or "",
        r.eventType or "",
        r.eventName or "",
        identity.type or "",
        identity.principalId or "",
        identity.arn or "",
        identity.accountId or "",
        identity.invokedBy or "",
        identity.accessKeyId or "",
        identity.userName or "",
        mfa,
        session_created,
        issuer.type or "",
        issuer.principalId or "",
        issuer.arn or "",
        issuer.accountId or "",
        issuer.userName or "",
        r.awsRegion or "",
        r.sourceIPAddress or "",
        r.userAgent or "",
        r.errorCode or "",
        r.errorMessage or "",
        request,
        compact_raw(r.responseElements),
        compact_raw(r.additionalEventData),
        request_id,  # AwsRequestId (deprecated name)
        request_id,  # AwsRequestId_
        compact_raw(r.resources),
        r.apiVersion or "",
        read_only,
        r.recipientAccountId or "",
        compact_raw(r.serviceEventDetails),
        r.sharedEventID or "",
        r.vpcEndpointId or "",
        management,
        "",  # TenantId: the Log Analytics workspace id, which a local store does not have
        "",  # SourceSystem
        "",  # OperationName
        "",  # Category
        session.ec2RoleDelivery or "",
        tls.tlsVersion or "",
        tls.cipherSuite or "",
        tls.clientProvidedHostHeader or "",
        protocol,
        source_port,
        destination_port,
        cidr,
        on_behalf.userId or "",
        on_behalf.identityStoreArn or "",
        "AWSCloudTrail",  # Type
        float(len(data)),  # _BilledSize
        "True",  # _IsBillable
    )
    return row, row[1] or content_key(row)


def _security_group_rule(request: str) -> tuple[str, str, str, str]:
    """IpProtocol, SourcePort, DestinationPort, CidrIp from the first rule of a security-group call."""
    try:
        items = obj(_decode_any(request), "ipPermissions").get("items") or [{}]
    except msgspec.DecodeError:
        return "", "", "", ""
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    ranges = obj(first, "ipRanges").get("items") or [{}]
    cidr = ranges[0].get("cidrIp") if isinstance(ranges, list) and isinstance(ranges[0], dict) else None
    return text(first.get("ipProtocol")), text(first.get("fromPort")), text(first.get("toPort")), text(cidr)

