"""GCP Cloud Audit Log entries (`LogEntry` with an `AuditLog` payload) for Compute Engine and Storage.

A Compute Engine write is a long-running operation and logs twice under one `operation.id`:
a first entry (`operation.first: true`) carrying the request, the authorization checks and the
operation resource in `response`, and a last entry (`operation.last: true`) when it completes.
The request field names follow the Compute REST API (`sourceSnapshot`, `boot`,
`discardLocalSsd`); no public audit sample shows them, so they are constructed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from revertguard.simulate.estate import GcpIdentity, GcpInstance
from revertguard.simulate.model import Cloud, Context, Event, epoch_ms, gcp_time

_API = "https://www.googleapis.com/compute/v1/"
_AUDIT_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"


# API verb -> the gcloud command verb that calls it (gcloud names its command in the user agent).
_GCLOUD_VERBS = {"insert": "create", "attachDisk": "attach-disk", "detachDisk": "detach-disk",
                 "setMetadata": "add-metadata", "setLabels": "add-labels", "createSnapshot": "snapshot"}


def _gcloud_command(short_method: str) -> str:
    """`compute.instances.attachDisk` -> `compute.instances.attach-disk`."""
    service, collection, verb = short_method.split(".")
    return f"{service}.{collection}.{_GCLOUD_VERBS.get(verb, verb)}"


class AuditLogSession:
    """One principal acting on one project: each method returns the entries one call leaves."""

    def __init__(self, ctx: Context, identity: GcpIdentity, project: str, *, ip: str | None = None) -> None:
        self.ctx = ctx
        self.identity = identity
        self.project = project
        self.ip = identity.ip if ip is None else ip

    def _request_metadata(self, when: datetime, command: str, full: bool) -> dict:
        metadata: dict = {}
        if self.ip:
            metadata["callerIp"] = self.ip
        if self.identity.user_agent:
            metadata["callerSuppliedUserAgent"] = self.identity.user_agent.replace(
                "{command}", command).replace("{invocation}", self.ctx.ids.guid())
        if full:
            metadata["requestAttributes"] = {"time": gcp_time(when), "auth": {}}
            metadata["destinationAttributes"] = {}
        return metadata

    def _authentication(self) -> dict:
        info: dict = {"principalEmail": self.identity.email}
        if self.identity.type != "serviceAgent":
            info["principalSubject"] = self.identity.principal_subject
        return info

    def _entry(self, when: datetime, payload: dict, resource: dict, *, log: str = "activity",
               severity: str = "NOTICE", operation: dict | None = None) -> Event:
        insert_id = self.ctx.ids.gcp_insert_id()
        received = when + timedelta(milliseconds=self.ctx.rng.randint(300, 2500))
        entry: dict = {"protoPayload": payload, "insertId": insert_id, "resource": resource,
                       "timestamp": gcp_time(when), "severity": severity,
                       "logName": f"projects/{self.project}/logs/cloudaudit.googleapis.com%2F{log}"}
        if operation is not None:
            entry["operation"] = operation
        entry["receiveTimestamp"] = gcp_time(received, nanos=True)
        return Event(Cloud.GCP, when, entry, insert_id, (self.project,))

    def compute(self, when: datetime, method: str, resource_name: str, resource: dict, permissions: list[str],
                request: dict, *, zone: str, operation_type: str, target_id: str,
                duration: tuple[float, float] = (8, 40)) -> list[Event]:
        """A Compute Engine long-running call: its first and last entries."""
        ids = self.ctx.ids
        operation_name = ids.gcp_operation(epoch_ms(when))
        short_method = method.split(".", 1)[1]  # compute.instances.stop
        command = _gcloud_command(short_method)
        zone_url = f"{_API}projects/{self.project}/zones/{zone}" if zone != "global" else ""
        target_link = f"{_API}{resource_name}"
        operation_id = ids.gcp_numeric_id()
        response: dict = {"@type": "type.googleapis.com/operation", "id": operation_id, "name": operation_name,
                          "operationType": operation_type, "targetLink": target_link, "targetId": target_id,
                          "status": "RUNNING", "user": self.identity.email, "progress": "0",
                          "insertTime": gcp_time(when), "startTime": gcp_time(when)}
        if zone_url:
            response["zone"] = zone_url
            response["selfLink"] = f"{zone_url}/operations/{operation_name}"
            response["selfLinkWithId"] = f"{zone_url}/operations/{operation_id}"
        authorization = [{"permission": p, "granted": True,
                          "resourceAttributes": {"service": "compute", "name": name, "type": kind},
                          "permissionType": "ADMIN_WRITE"}
                         for p, name, kind in self._authorized(permissions, resource_name, request)]
        first_payload = {
            "@type": _AUDIT_TYPE,
            "authenticationInfo": self._authentication(),
            "requestMetadata": self._request_metadata(when, command, True),
            "serviceName": "compute.googleapis.com",
            "methodName": method,
            "authorizationInfo": authorization,
            "resourceName": resource_name,
            "request": {"@type": f"type.googleapis.com/{short_method}", **request},
            "response": response,
            "resourceLocation": {"currentLocations": [zone if zone != "global" else "global"]},
        }
        operation = {"id": operation_name, "producer": "compute.googleapis.com"}
        first = self._entry(when, first_payload, resource, operation={**operation, "first": True})
        done = when + timedelta(seconds=self.ctx.rng.uniform(*duration))
        last_payload = {
            "@type": _AUDIT_TYPE,
            "authenticationInfo": self._authentication(),
            "requestMetadata": self._request_metadata(done, command, False),
            "serviceName": "compute.googleapis.com",
            "methodName": method,
            "resourceName": resource_name,
            "request": {"@type": f"type.googleapis.com/{short_method}"},
        }
        last = self._entry(done, last_payload, resource, operation={**operation, "last": True})
        return [first, last]

    @staticmethod
    def _authorized(permissions: list[str], resource_name: str, request: dict) -> list[tuple[str, str, str]]:
        """(permission, resource, type) checks; reading a source snapshot or disk is checked too."""
        kind = "compute." + resource_name.split("/")[-2]
        checks = [(p, resource_name, kind) for p in permissions]
        source = request.get("sourceSnapshot") or request.get("source")
        if source:
            path = source.removeprefix(_API)
            source_kind = "compute." + path.split("/")[-2]
            permission = "compute.snapshots.useReadOnly" if "snapshots" in path else "compute.disks.use"
            checks.append((permission, path, source_kind))
        return checks

    # -- Compute Engine --------------------------------------------------------------------------
    def _instance_call(self, when: datetime, instance: GcpInstance, verb: str, permission: str,
                       request: dict, operation_type: str) -> list[Event]:
        name = f"projects/{self.project}/zones/{instance.zone}/instances/{instance.name}"
        resource = {"type": "gce_instance", "labels": {"instance_id": instance.instance_id,
                                                       "project_id": self.project, "zone": instance.zone}}
        return self.compute(when, f"v1.compute.instances.{verb}", name, resource, [permission], request,
                            zone=instance.zone, operation_type=operation_type, target_id=instance.instance_id)

    def stop(self, when: datetime, instance: GcpInstance, discard_local_ssd: bool | None = None) -> list[Event]:
        request = {} if discard_local_ssd is None else {"discardLocalSsd": discard_local_ssd}
        return self._instance_call(when, instance, "stop", "compute.instances.stop", request, "stop")

    def start(self, when: datetime, instance: GcpInstance) -> list[Event]:
        return self._instance_call(when, instance, "start", "compute.instances.start", {}, "start")

    def detach_disk(self, when: datetime, instance: GcpInstance, device_name: str) -> list[Event]:
        return self._instance_call(when, instance, "detachDisk", "compute.instances.detachDisk",
                                   {"deviceName": device_name}, "detachDisk")

    def attach_disk(self, when: datetime, instance: GcpInstance, disk: str, *, boot: bool,
                    device_name: str) -> list[Event]:
        request = {"source": f"{_API}projects/{self.project}/zones/{instance.zone}/disks/{disk}",
                   "deviceName": device_name, "mode": "READ_WRITE", "type": "PERSISTENT", "boot": boot,
                   "autoDelete": False}
        return self._instance_call(when, instance, "attachDisk", "compute.instances.attachDisk", request,
                                   "attachDisk")

    def set_metadata(self, when: datetime, instance: GcpInstance, keys: list[str]) -> list[Event]:
        request = {"fingerprint": self.ctx.ids.lower_alnum(11) + "=", "items": [{"key": k} for k in keys]}
        return self._instance_call(when, instance, "setMetadata", "compute.instances.setMetadata", request,
                                   "setMetadata")

    def set_labels(self, when: datetime, instance: GcpInstance, labels: dict[str, str]) -> list[Event]:
        request = {"labelFingerprint": self.ctx.ids.lower_alnum(11) + "=", "labels": [
            {"key": k, "value": v} for k, v in labels.items()]}
        return self._instance_call(when, instance, "setLabels", "compute.instances.setLabels", request,
                                   "setLabels")

    def insert_disk(self, when: datetime, zone: str, disk: str, *, source_snapshot: str | None = None,
                    size_gb: int = 20, labels: dict[str, str] | None = None) -> tuple[list[Event], str]:
        """Create a disk (from a snapshot when given); returns the events and the new disk id."""
        disk_id = self.ctx.ids.gcp_numeric_id()
        name = f"projects/{self.project}/zones/{zone}/disks/{disk}"
        request: dict = {"name": disk, "sizeGb": str(size_gb),
                         "type": f"{_API}projects/{self.project}/zones/{zone}/diskTypes/pd-balanced"}
        if source_snapshot:
            request["sourceSnapshot"] = f"{_API}projects/{self.project}/global/snapshots/{source_snapshot}"
        if labels:
            request["labels"] = [{"key": k, "value": v} for k, v in labels.items()]
        resource = {"type": "gce_disk", "labels": {"disk_id": disk_id, "project_id": self.project, "zone": zone}}
        events = self.compute(when, "v1.compute.disks.insert", name, resource, ["compute.disks.create"], request,
                              zone=zone, operation_type="insert", target_id=disk_id)
        return events, disk_id

    def create_snapshot(self, when: datetime, instance: GcpInstance, snapshot: str) -> list[Event]:
        name = f"projects/{self.project}/zones/{instance.zone}/disks/{instance.boot_disk}"
        resource = {"type": "gce_disk", "labels": {"disk_id": self.ctx.ids.gcp_numeric_id(),
                                                   "project_id": self.project, "zone": instance.zone}}
        request = {"name": snapshot, "storageLocations": [instance.zone.rsplit("-", 2)[0]], "guestFlush": False}
        return self.compute(when, "v1.compute.disks.createSnapshot", name, resource,
                            ["compute.disks.createSnapshot", "compute.snapshots.create"], request,
                            zone=instance.zone, operation_type="createSnapshot",
                            target_id=resource["labels"]["disk_id"], duration=(40, 180))

    def share_snapshot(self, when: datetime, snapshot: str, member: str) -> list[Event]:
        """Grant an outside principal use of a snapshot (a single synchronous call)."""
        name = f"projects/{self.project}/global/snapshots/{snapshot}"
        payload = {
            "@type": _AUDIT_TYPE, "status": {},
            "authenticationInfo": self._authentication(),
            "requestMetadata": self._request_metadata(when, "compute.snapshots.add-iam-policy-binding", True),
            "serviceName": "compute.googleapis.com", "methodName": "v1.compute.snapshots.setIamPolicy",
            "authorizationInfo": [{"permission": "compute.snapshots.setIamPolicy", "granted": True,
                                   "resourceAttributes": {"service": "compute", "name": name,
                                                          "type": "compute.snapshots"},
                                   "permissionType": "ADMIN_WRITE"}],
            "resourceName": name,
            "request": {"@type": "type.googleapis.com/compute.snapshots.setIamPolicy", "policy": {
                "bindings": [{"role": "roles/compute.storageAdmin", "members": [member]}]}},
            "response": {"@type": "type.googleapis.com/compute.snapshots.setIamPolicy",
                         "etag": self.ctx.ids.lower_alnum(11) + "=", "bindings": [
                             {"role": "roles/compute.storageAdmin", "members": [member]}]},
            "resourceLocation": {"currentLocations": ["global"]},
        }
        resource = {"type": "gce_snapshot", "labels": {"snapshot_id": self.ctx.ids.gcp_numeric_id(),
                                                       "project_id": self.project}}
        return [self._entry(when, payload, resource)]

    # -- Cloud Storage (Data Access logs) --------------------------------------------------------
    def read_object(self, when: datetime, bucket: str, obj: str) -> Event:
        name = f"projects/_/buckets/{bucket}/objects/{obj}"
        payload = {
            "@type": _AUDIT_TYPE, "status": {},
            "authenticationInfo": self._authentication(),
            "requestMetadata": self._request_metadata(when, "storage.cp", True),
            "serviceName": "storage.googleapis.com", "methodName": "storage.objects.get",
            "authorizationInfo": [{"resource": name, "permission": "storage.objects.get", "granted": True,
                                   "resourceAttributes": {}}],
            "resourceName": name,
            "resourceLocation": {"currentLocations": ["us-central1"]},
        }
        resource = {"type": "gcs_bucket", "labels": {"bucket_name": bucket, "location": "us-central1",
                                                     "project_id": self.project}}
        return self._entry(when, payload, resource, log="data_access", severity="INFO")
