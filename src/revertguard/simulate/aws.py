"""CloudTrail records for the API calls the scenarios make, shaped like real records.

Shapes follow real records where the project has them (Stratus Red Team detonations, the
CloudTrail user guide samples quoted by Panther): legacy EC2 APIs echo the query in lowerCamel
with `...Set.items` lists and put epoch-millisecond times in `responseElements`; newer EC2 APIs
(CreateReplaceRootVolumeTask, RestoreSnapshotFromRecycleBin) are logged as
`{"<Operation>Request": {PascalCase}}` / `{"<Operation>Response": {...}}`. Shapes no public
sample shows are marked "constructed" where they are built.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from revertguard.simulate.estate import AwsIdentity, AwsInstance
from revertguard.simulate.model import Cloud, Context, Event, cloudtrail_time, epoch_ms

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
_TLS_13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
_TLS_12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")
_DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set."
_STATE = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}


def _console_time(value: datetime) -> str:
    """The `Jul 30, 2024, 9:46:15 PM` form STS and SSM use for times in their responses."""
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year}, {hour}:{value:%M:%S} {'AM' if value.hour < 12 else 'PM'}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def user_identity(identity: AwsIdentity, when: datetime) -> dict:
    """The `userIdentity` block of a record made by `identity` at `when`."""
    if identity.type == "AWSService":
        return {"type": "AWSService", "invokedBy": identity.invoked_by}
    block: dict = {"type": identity.type, "principalId": identity.principal_id, "arn": identity.arn,
                   "accountId": identity.account, "accessKeyId": identity.access_key}
    if identity.type == "IAMUser":
        block["principalId"] = identity.principal_id
        block["userName"] = identity.name
        if not identity.console:
            return block
        block["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                   "attributes": {"creationDate": cloudtrail_time(when - timedelta(minutes=37)),
                                                  "mfaAuthenticated": "true" if identity.mfa else "false"}}
        return block
    block["principalId"] = f"{identity.principal_id}:{identity.session}"
    issuer = {"type": "Role", "principalId": identity.principal_id, "arn": identity.role_arn,
              "accountId": identity.account, "userName": identity.name}
    context: dict = {"sessionIssuer": issuer}
    if identity.web_identity:
        context["webIdFederationData"] = {
            "federatedProvider": f"arn:aws:iam::{identity.account}:oidc-provider/token.actions.githubusercontent.com",
            "attributes": {}}
    else:
        context["webIdFederationData"] = {}
    # Sessions are renewed hourly; the creation date is the top of the hour before the call.
    created = when.replace(minute=0, second=0, microsecond=0) - timedelta(minutes=3)
    context["attributes"] = {"creationDate": cloudtrail_time(created),
                             "mfaAuthenticated": "true" if identity.mfa else "false"}
    if identity.instance_credentials:
        context["ec2RoleDelivery"] = "2.0"
    block["sessionContext"] = context
    if identity.invoked_by:
        block["invokedBy"] = identity.invoked_by
    return block


class CloudTrailSession:
    """One identity calling AWS in one account and region: every method returns an `Event`."""

    def __init__(self, ctx: Context, identity: AwsIdentity, region: str, *, account: str | None = None,
                 ip: str | None = None, user_agent: str | None = None) -> None:
        self.ctx = ctx
        self.identity = identity
        self.region = region
        self.account = account or identity.account
        self.ip = ip or identity.ip
        self.user_agent = user_agent or identity.user_agent

    # -- the record --------------------------------------------------------------------------
    def call(self, when: datetime, source: str, name: str, request: dict | None, response: dict | None, *,
             read_only: bool = False, error: tuple[str, str] | None = None, resources: list | None = None,
             additional: dict | None = None, category: str = "Management", version: str = "1.09",
             request_id: str | None = None) -> Event:
        """Build one CloudTrail record in the key order CloudTrail delivers."""
        ids = self.ctx.ids
        service = source.split(".")[0]
        record: dict = {
            "eventVersion": version,
            "userIdentity": user_identity(self.identity, when),
            "eventTime": cloudtrail_time(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": self.ip,
            "userAgent": self.user_agent.replace("{service}", service).replace("{command}", _kebab(name)),
        }
        if error is not None:
            record["errorCode"], record["errorMessage"] = error
        record["requestParameters"] = request
        record["responseElements"] = None if error is not None else response
        if additional is not None:
            record["additionalEventData"] = additional
        record["requestID"] = request_id or ids.guid()
        record["eventID"] = ids.guid()
        record["readOnly"] = read_only
        if resources is not None:
            record["resources"] = resources
        record["eventType"] = "AwsApiCall"
        record["managementEvent"] = category == "Management"
        record["recipientAccountId"] = self.account
        record["eventCategory"] = category
        if self.identity.type != "AWSService" and not self.identity.invoked_by:
            version_, suite = _TLS_13 if source.startswith(("ec2", "sts", "s3")) else _TLS_12
            host = f"{service}.{self.region}.amazonaws.com"
            if source.startswith("s3"):
                host = f"{(request or {}).get('bucketName', 's3')}.s3.{self.region}.amazonaws.com"
            record["tlsDetails"] = {"tlsVersion": version_, "cipherSuite": suite, "clientProvidedHostHeader": host}
        if self.identity.console:
            record["sessionCredentialFromConsole"] = "true"
        return Event(Cloud.AWS, when, record, record["eventID"], (self.account, self.region))

    def _ec2(self, when: datetime, name: str, request: dict | None, response: dict | None, *,
             read_only: bool = False, error: tuple[str, str] | None = None) -> Event:
        request_id = self.ctx.ids.guid()
        if response is not None and error is None:
            response = {"requestId": request_id, **response}
        return self.call(when, "ec2.amazonaws.com", name, request, response, read_only=read_only, error=error,
                         request_id=request_id)

    def _wrapped(self, when: datetime, name: str, request: dict, response: dict, *,
                 error: tuple[str, str] | None = None) -> Event:
        """A newer EC2 API: PascalCase request inside `<Name>Request`, response inside `<Name>Response`."""
        request_id = self.ctx.ids.guid()
        wrapped_response = {f"{name}Response": {"xmlns": EC2_XMLNS, "requestId": request_id, **response}}
        return self.call(when, "ec2.amazonaws.com", name, {f"{name}Request": request}, wrapped_response,
                         error=error, request_id=request_id)

    def unauthorized(self, action: str) -> tuple[str, str]:
        """The errorCode/errorMessage of an EC2 call the caller may not make."""
        encoded = self.ctx.ids.lower_alnum(40)
        return ("Client.UnauthorizedOperation",
                f"You are not authorized to perform this operation. User: {self.identity.arn} is not authorized "
                f"to perform: ec2:{action} because no identity-based policy allows the ec2:{action} action. "
                f"Encoded authorization failure message: {encoded}")

    # -- EC2: instances ------------------------------------------------------------------------
    def describe_instances(self, when: datetime, instance_ids: list[str] | None = None) -> Event:
        items = {"items": [{"instanceId": i} for i in instance_ids]} if instance_ids else {}
        return self._ec2(when, "DescribeInstances", {"instancesSet": items, "filterSet": {}}, None, read_only=True)

    def _state_change(self, when: datetime, name: str, instance_ids: list[str], before: str, after: str,
                      extra: dict | None, error: tuple[str, str] | None) -> Event:
        request = {"instancesSet": {"items": [{"instanceId": i} for i in instance_ids]}, **(extra or {})}
        response = {"instancesSet": {"items": [
            {"instanceId": i, "currentState": {"code": _STATE[after], "name": after},
             "previousState": {"code": _STATE[before], "name": before}} for i in instance_ids]}}
        return self._ec2(when, name, request, response, error=error)

    def stop_instances(self, when: datetime, instance_ids: list[str], *, force: bool = False,
                       hibernate: bool | None = None, error: tuple[str, str] | None = None) -> Event:
        extra: dict = {"force": force}
        if hibernate is not None:
            extra["hibernate"] = hibernate
        return self._state_change(when, "StopInstances", instance_ids, "running", "stopping", extra, error)

    def start_instances(self, when: datetime, instance_ids: list[str],
                        error: tuple[str, str] | None = None) -> Event:
        return self._state_change(when, "StartInstances", instance_ids, "stopped", "pending", None, error)

    def terminate_instances(self, when: datetime, instance_ids: list[str]) -> Event:
        return self._state_change(when, "TerminateInstances", instance_ids, "running", "shutting-down", None, None)

    def run_instances(self, when: datetime, image_id: str, instance_type: str, zone: str, *,
                      instance_id: str, subnet: str, private_ip: str, root_device: str = "/dev/xvda",
                      tags: dict[str, str] | None = None, key_name: str | None = None,
                      block_devices: list[dict] | None = None, error: tuple[str, str] | None = None) -> Event:
        ids = self.ctx.ids
        token = ids.guid()
        item: dict = {"imageId": image_id, "minCount": 1, "maxCount": 1}
        if key_name:
            item["keyName"] = key_name
        tag_spec = {"items": [{"resourceType": "instance",
                               "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}]} if tags else None
        request: dict = {"instancesSet": {"items": [item]}, "instanceType": instance_type,
                         "blockDeviceMapping": {"items": block_devices} if block_devices else {},
                         "availabilityZone": zone, "monitoring": {"enabled": False}, "subnetId": subnet,
                         "disableApiTermination": False, "disableApiStop": False, "clientToken": token}
        if tag_spec:
            request["tagSpecificationSet"] = tag_spec
        vpc = "vpc-0" + ids.hex(16)
        launched = epoch_ms(when)
        instance = {
            "instanceId": instance_id, "imageId": image_id, "instanceState": {"code": 0, "name": "pending"},
            "privateDnsName": f"ip-{private_ip.replace('.', '-')}.{self.region}.compute.internal",
            "amiLaunchIndex": 0, "productCodes": {}, "instanceType": instance_type, "launchTime": launched,
            "placement": {"availabilityZone": zone, "tenancy": "default"}, "monitoring": {"state": "disabled"},
            "subnetId": subnet, "vpcId": vpc, "privateIpAddress": private_ip,
            "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
            "rootDeviceType": "ebs", "rootDeviceName": root_device, "blockDeviceMapping": {},
            "virtualizationType": "hvm", "clientToken": token,
            "tagSet": {"items": [{"key": k, "value": v} for k, v in (tags or {}).items()]} if tags else {},
            "groupSet": {"items": [{"groupId": "sg-0" + ids.hex(16), "groupName": "default"}]},
            "sourceDestCheck": True, "hypervisor": "xen", "ebsOptimized": False, "enaSupport": True,
            "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
            "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2,
                                "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled",
                                "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
        }
        response = {"reservationId": "r-0" + ids.hex(16), "ownerId": self.account, "groupSet": {},
                    "instancesSet": {"items": [instance]}}
        return self._ec2(when, "RunInstances", request, response, error=error)

    def create_tags(self, when: datetime, resource_ids: list[str], tags: dict[str, str]) -> Event:
        request = {"resourcesSet": {"items": [{"resourceId": r} for r in resource_ids]},
                   "tagSet": {"items": [{"key": k, "value": v} for k, v in tags.items()]}}
        return self._ec2(when, "CreateTags", request, {"_return": True})

    def associate_address(self, when: datetime, instance_id: str, allocation_id: str) -> Event:
        association = "eipassoc-0" + self.ctx.ids.hex(16)
        return self._ec2(when, "AssociateAddress",
                         {"instanceId": instance_id, "allocationId": allocation_id, "allowReassociation": True},
                         {"_return": True, "associationId": association})

    # -- EC2: volumes, snapshots, images ---------------------------------------------------------
    def describe_volumes(self, when: datetime, volume_ids: list[str] | None = None) -> Event:
        items = {"items": [{"volumeId": v} for v in volume_ids]} if volume_ids else {}
        return self._ec2(when, "DescribeVolumes", {"volumeSet": items, "filterSet": {}}, None, read_only=True)

    def describe_snapshots(self, when: datetime, owner: str = "self") -> Event:
        request = {"snapshotSet": {}, "ownersSet": {"items": [{"owner": owner}]}, "sharedUsersSet": {},
                   "filterSet": {}}
        return self._ec2(when, "DescribeSnapshots", request, None, read_only=True)

    def describe_images(self, when: datetime) -> Event:
        request = {"executableBySet": {}, "imagesSet": {}, "ownersSet": {"items": [{"owner": "self"}]},
                   "filterSet": {}, "includeDeprecated": False, "includeDisabled": False}
        return self._ec2(when, "DescribeImages", request, None, read_only=True)

    def create_volume(self, when: datetime, zone: str, volume_id: str, *, snapshot_id: str | None = None,
                      size: int = 8, volume_type: str = "gp3", tags: dict[str, str] | None = None,
                      dry_run: bool = False, error: tuple[str, str] | None = None) -> Event:
        # Constructed: the request keys follow the documented CreateVolume record (`zone`, `size`,
        # `volumeType`) plus `snapshotId`, as CloudTrail echoes EC2 query parameters in lowerCamel.
        request: dict = {"size": size, "zone": zone, "volumeType": volume_type, "encrypted": True}
        if snapshot_id:
            request["snapshotId"] = snapshot_id
        if volume_type == "gp3":
            request["iops"] = 3000
            request["throughput"] = 125
        if tags:
            request["tagSpecificationSet"] = {"items": [{"resourceType": "volume", "tags": [
                {"key": k, "value": v} for k, v in tags.items()]}]}
        request["clientToken"] = self.ctx.ids.guid()
        if dry_run:
            request["dryRun"] = True
            error = ("Client.DryRunOperation", _DRY_RUN_MESSAGE)
        response = {"volumeId": volume_id, "size": str(size), "snapshotId": snapshot_id or "", "zone": zone,
                    "status": "creating", "createTime": epoch_ms(when), "volumeType": volume_type,
                    "iops": 3000, "encrypted": True, "masterEncryptionKeyId":
                    f"arn:aws:kms:{self.region}:{self.account}:key/{self.ctx.ids.guid()}",
                    "multiAttachEnabled": False, "throughput": 125}
        if tags:
            response["tagSet"] = {"items": [{"key": k, "value": v} for k, v in tags.items()]}
        return self._ec2(when, "CreateVolume", request, response, error=error)

    def _attachment(self, when: datetime, name: str, volume_id: str, instance_id: str, device: str,
                    status: str, extra: dict) -> Event:
        request = {"volumeId": volume_id, "instanceId": instance_id, "device": device, **extra}
        response = {"volumeId": volume_id, "instanceId": instance_id, "device": device, "status": status,
                    "attachTime": epoch_ms(when), "deleteOnTermination": extra.get("deleteOnTermination", False)}
        return self._ec2(when, name, request, response)

    def attach_volume(self, when: datetime, volume_id: str, instance_id: str, device: str) -> Event:
        return self._attachment(when, "AttachVolume", volume_id, instance_id, device, "attaching",
                                {"deleteOnTermination": False})

    def detach_volume(self, when: datetime, volume_id: str, instance_id: str, device: str,
                      force: bool = False) -> Event:
        return self._attachment(when, "DetachVolume", volume_id, instance_id, device, "detaching", {"force": force})

    def delete_volume(self, when: datetime, volume_id: str) -> Event:
        return self._ec2(when, "DeleteVolume", {"volumeId": volume_id}, {"_return": True})

    def create_snapshot(self, when: datetime, volume_id: str, snapshot_id: str, size: int,
                        description: str = "", tags: dict[str, str] | None = None) -> Event:
        request: dict = {"volumeId": volume_id, "description": description}
        if tags:
            request["tagSpecificationSet"] = {"items": [{"resourceType": "snapshot", "tags": [
                {"key": k, "value": v} for k, v in tags.items()]}]}
        response = {"snapshotId": snapshot_id, "volumeId": volume_id, "status": "pending",
                    "startTime": epoch_ms(when), "progress": "", "ownerId": self.account, "volumeSize": size,
                    "description": description, "encrypted": True}
        return self._ec2(when, "CreateSnapshot", request, response)

    def create_snapshots(self, when: datetime, instance_id: str, snapshots: list[tuple[str, str, int]],
                         tags: dict[str, str]) -> Event:
        """Multi-volume snapshot of an instance (what Data Lifecycle Manager calls nightly)."""
        request = {"instanceSpecification": {"instanceId": instance_id, "excludeBootVolume": False},
                   "copyTagsFromSource": "volume", "tagSpecificationSet": {"items": [{
                       "resourceType": "snapshot", "tags": [{"key": k, "value": v} for k, v in tags.items()]}]}}
        started = epoch_ms(when)
        response = {"snapshotSet": {"items": [
            {"snapshotId": snap, "volumeId": vol, "state": "pending", "startTime": started, "progress": "",
             "ownerId": self.account, "volumeSize": size, "encrypted": True,
             "tagSet": {"items": [{"key": k, "value": v} for k, v in tags.items()]}}
            for snap, vol, size in snapshots]}}
        return self._ec2(when, "CreateSnapshots", request, response)

    def copy_snapshot(self, when: datetime, source_region: str, source_snapshot: str, new_snapshot: str) -> Event:
        request = {"sourceRegion": source_region, "sourceSnapshotId": source_snapshot,
                   "description": f"[Copied {source_snapshot} from {source_region}] DR copy", "encrypted": True}
        return self._ec2(when, "CopySnapshot", request, {"snapshotId": new_snapshot})

    def modify_snapshot_attribute(self, when: datetime, snapshot_id: str, account: str) -> Event:
        request = {"snapshotId": snapshot_id, "attributeType": "CREATE_VOLUME_PERMISSION",
                   "createVolumePermission": {"add": {"items": [{"userId": account}]}}}
        return self._ec2(when, "ModifySnapshotAttribute", request, {"_return": True})

    def register_image(self, when: datetime, name: str, snapshot_id: str, image_id: str, *,
                       root_device: str = "/dev/xvda", size: int = 8) -> Event:
        # Constructed: `blockDeviceMapping.items[].ebs.snapshotId` as RunInstances logs it.
        request = {"name": name, "architecture": "x86_64", "rootDeviceName": root_device,
                   "blockDeviceMapping": {"items": [{"deviceName": root_device, "ebs": {
                       "snapshotId": snapshot_id, "volumeSize": size, "deleteOnTermination": True,
                       "volumeType": "gp3"}}]},
                   "virtualizationType": "hvm", "enaSupport": True, "bootMode": "uefi-preferred"}
        return self._ec2(when, "RegisterImage", request, {"imageId": image_id})

    def create_image(self, when: datetime, instance_id: str, name: str, image_id: str) -> Event:
        request = {"instanceId": instance_id, "name": name, "noReboot": True, "blockDeviceMapping": {}}
        return self._ec2(when, "CreateImage", request, {"imageId": image_id})

    def create_replace_root_volume_task(self, when: datetime, instance_id: str, *, task_id: str,
                                        snapshot_id: str | None = None, image_id: str | None = None,
                                        delete_replaced: bool | None = None, dry_run: bool = False,
                                        error: tuple[str, str] | None = None) -> Event:
        # Constructed: no public record of this call exists; it follows the wrapped shape other
        # newer EC2 APIs use. Without SnapshotId or ImageId the root returns to its launch state.
        request: dict = {"InstanceId": instance_id}
        if snapshot_id:
            request["SnapshotId"] = snapshot_id
        if image_id:
            request["ImageId"] = image_id
        if delete_replaced is not None:
            request["DeleteReplacedRootVolume"] = delete_replaced
        request["ClientToken"] = self.ctx.ids.guid()
        if dry_run:
            request["DryRun"] = True
            error = ("Client.DryRunOperation", _DRY_RUN_MESSAGE)
        task: dict = {"replaceRootVolumeTaskId": task_id, "instanceId": instance_id, "taskState": "pending",
                      "startTime": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "tagSet": []}
        if snapshot_id:
            task["snapshotId"] = snapshot_id
        if image_id:
            task["imageId"] = image_id
        if delete_replaced is not None:
            task["deleteReplacedRootVolume"] = delete_replaced
        return self._wrapped(when, "CreateReplaceRootVolumeTask", request, {"replaceRootVolumeTask": task},
                             error=error)

    def describe_replace_root_volume_tasks(self, when: datetime, task_id: str) -> Event:
        request = {"DescribeReplaceRootVolumeTasksRequest": {"ReplaceRootVolumeTaskId": {"content": task_id,
                                                                                         "tag": 1}}}
        return self.call(when, "ec2.amazonaws.com", "DescribeReplaceRootVolumeTasks", request, None,
                         read_only=True)

    def restore_snapshot_from_recycle_bin(self, when: datetime, snapshot_id: str, volume_id: str,
                                          size: int) -> Event:
        # Constructed, wrapped shape as for other newer EC2 APIs.
        response = {"snapshotId": snapshot_id, "description": "", "encrypted": True, "ownerId": self.account,
                    "progress": "100%", "startTime": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "status": "recovering", "volumeId": volume_id, "volumeSize": size}
        return self._wrapped(when, "RestoreSnapshotFromRecycleBin", {"SnapshotId": snapshot_id}, response)

    def list_snapshots_in_recycle_bin(self, when: datetime) -> Event:
        return self.call(when, "ec2.amazonaws.com", "ListSnapshotsInRecycleBin",
                         {"ListSnapshotsInRecycleBinRequest": {"MaxResults": 100}}, None, read_only=True)

    # -- other services ---------------------------------------------------------------------------
    def assume_role(self, when: datetime, role_arn: str, session: str, role_id: str) -> Event:
        ids = self.ctx.ids
        account = role_arn.split(":")[4]
        role_name = role_arn.rsplit("/", 1)[1]
        expiry = when + timedelta(hours=1)
        response = {"credentials": {"accessKeyId": ids.access_key(True),
                                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.lower_alnum(40),
                                    "expiration": _console_time(expiry)},
                    "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                        "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"}}
        resources = [{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn}]
        return self.call(when, "sts.amazonaws.com", "AssumeRole",
                         {"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}, response,
                         read_only=True, resources=resources, version="1.08")

    def get_caller_identity(self, when: datetime) -> Event:
        return self.call(when, "sts.amazonaws.com", "GetCallerIdentity", None, None, read_only=True,
                         version="1.08")

    def start_session(self, when: datetime, instance_id: str) -> Event:
        user = (self.identity.session or self.identity.name).split("@")[0]
        session = f"{user}-{self.ctx.ids.lower_alnum(26)}"
        stream = (f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session}"
                  f"?role=publish_subscribe&cell-number={self.ctx.ids.upper_alnum(24)}")
        response = {"sessionId": session, "tokenValue": "Value hidden due to security reasons.", "streamUrl": stream}
        return self.call(when, "ssm.amazonaws.com", "StartSession", {"target": instance_id}, response,
                         version="1.08")

    def send_command(self, when: datetime, instance_ids: list[str], document: str = "AWS-RunShellScript") -> Event:
        expires = when + timedelta(hours=2)
        command = {"alarmConfiguration": {"alarms": [], "ignorePollAlarmFailure": False}, "clientName": "",
                   "clientSourceId": "", "cloudWatchOutputConfig": {"cloudWatchLogGroupName": "",
                                                                   "cloudWatchOutputEnabled": False},
                   "commandId": self.ctx.ids.guid(), "documentName": document, "documentVersion": "$DEFAULT",
                   "comment": "", "expiresAfter": _console_time(expires),
                   "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "instanceIds": instance_ids, "targets": [],
                   "requestedDateTime": _console_time(when), "status": "Pending",
                   "statusDetails": "Pending", "outputS3Region": self.region, "outputS3BucketName": "",
                   "outputS3KeyPrefix": "", "maxConcurrency": "50", "maxErrors": "0",
                   "targetCount": len(instance_ids), "completedCount": 0, "errorCount": 0,
                   "deliveryTimedOutCount": 0, "serviceRole": "", "interactive": False, "timeoutSeconds": 3600,
                   "hasCancelCommandSignature": False, "hasSendCommandSignature": False, "triggeredAlarms": [],
                   "notificationConfig": {"notificationArn": "", "notificationEvents": [], "notificationType": ""}}
        request = {"instanceIds": instance_ids, "documentName": document, "interactive": False,
                   "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        return self.call(when, "ssm.amazonaws.com", "SendCommand", request, {"command": command}, version="1.08")

    def get_object(self, when: datetime, bucket: str, key: str, size: int) -> Event:
        """An S3 data event (only logged when the trail records data events)."""
        request = {"bucketName": bucket, "Host": f"{bucket}.s3.{self.region}.amazonaws.com", "key": key}
        additional = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                      "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                      "x-amz-id-2": self.ctx.ids.s3_host_id(), "bytesTransferredOut": size}
        resources = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                     {"accountId": self.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        return self.call(when, "s3.amazonaws.com", "GetObject", request, None, read_only=True,
                         resources=resources, additional=additional, category="Data", version="1.10",
                         request_id=self.ctx.ids.upper_alnum(16))

    def start_restore_job(self, when: datetime, recovery_point_arn: str, role_arn: str, resource_type: str,
                          metadata_keys: list[str]) -> Event:
        # Constructed: AWS Backup is a REST-JSON service; CloudTrail shows its members in camelCase.
        job = self.ctx.ids.guid().upper()
        request = {"recoveryPointArn": recovery_point_arn, "metadata": {k: "HIDDEN_DUE_TO_SECURITY_REASONS"
                                                                        for k in metadata_keys},
                   "iamRoleArn": role_arn, "resourceType": resource_type, "copySourceTagsToRestoredResource": False}
        return self.call(when, "backup.amazonaws.com", "StartRestoreJob", request, {"restoreJobId": job},
                         version="1.08")

    def start_experiment(self, when: datetime, template_id: str, experiment_id: str) -> Event:
        request = {"experimentTemplateId": template_id, "clientToken": self.ctx.ids.guid(), "tags": {}}
        response = {"experiment": {"id": experiment_id, "experimentTemplateId": template_id,
                                   "state": {"status": "initiating", "reason": "Experiment is initiating."},
                                   "creationTime": epoch_ms(when) / 1000}}
        return self.call(when, "fis.amazonaws.com", "StartExperiment", request, response, version="1.08")


def instance_subnet(instance: AwsInstance) -> str:
    """A stable subnet id for an instance's zone (the same zone always gets the same subnet)."""
    digest = sum(ord(c) * (i + 1) for i, c in enumerate(instance.zone + instance.account)) % (16 ** 16)
    return f"subnet-0{digest:016x}"
