"""Azure Activity Log records: one neutral record per log entry, rendered in either raw format.

An ARM request leaves two or three entries sharing a correlation id: a BeginRequest (`Started`)
and an EndRequest that is `Accepted` (long-running, HTTP 202) or `Succeeded`/`Failed`, and for
a long-running operation a final `Succeeded` once it completes. The request body is on the
Started entry (`properties.requestbody`) and the resource body on the Accepted entry
(`properties.responseBody`), both as JSON *strings*. The REST / `az monitor activity-log list`
format and the diagnostic-settings format (storage, Event Hub) describe the same entries with
different field names, status words (Started/Accepted/Succeeded/Failed vs
Start/Accept/Success/Failure) and casing (diagnostic-settings ids are upper case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec

from revertguard.simulate.estate import AZURE_ROLES, AzureIdentity, AzureVm
from revertguard.simulate.model import Cloud, Context, Event, azure_time

_TICKS_EPOCH = datetime(1, 1, 1)
_RESULT_TYPE = {"Started": "Start", "Accepted": "Accept", "Succeeded": "Success", "Failed": "Failure"}
_EVENT_NAME = {"Started": ("BeginRequest", "Begin request"), "Accepted": ("EndRequest", "End request"),
               "Succeeded": ("EndRequest", "End request"), "Failed": ("EndRequest", "End request")}

# Operation -> the localized name the REST format carries beside it.
LOCALIZED_OPERATIONS = {
    "Microsoft.Compute/disks/write": "Create or Update Disk",
    "Microsoft.Compute/disks/delete": "Delete Disk",
    "Microsoft.Compute/disks/beginGetAccess/action": "Get Disk SAS URI",
    "Microsoft.Compute/snapshots/write": "Create or Update Snapshot",
    "Microsoft.Compute/virtualMachines/write": "Create or Update Virtual Machine",
    "Microsoft.Compute/virtualMachines/deallocate/action": "Deallocate Virtual Machine",
    "Microsoft.Compute/virtualMachines/start/action": "Start Virtual Machine",
    "Microsoft.Compute/virtualMachines/powerOff/action": "Power Off Virtual Machine",
    "Microsoft.Compute/virtualMachines/restart/action": "Restart Virtual Machine",
    "Microsoft.Compute/virtualMachines/reimage/action": "Reimage Virtual Machine",
    "Microsoft.Compute/virtualMachines/runCommand/action": "Run Command on Virtual Machine",
    "Microsoft.Resources/tags/write": "Update resource tags",
    "Microsoft.Resources/deployments/write": "Create Deployment",
    "Microsoft.Storage/storageAccounts/listKeys/action": "List Storage Account Keys",
    "Microsoft.Network/networkSecurityGroups/securityRules/write": "Create or Update Security Rule",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints/"
    "restore/action": "Restore Recovery Points for Protected Items",
    "Microsoft.Chaos/experiments/start/action": "Start Experiment",
}


@dataclass
class AzureRecord:
    """One Activity Log entry, independent of the raw format it will be written in."""

    time: datetime
    operation: str
    status: str  # Started | Accepted | Succeeded | Failed
    substatus: str
    method: str
    caller: AzureIdentity
    ip: str
    resource_id: str
    subscription: str
    resource_group: str
    tenant: str
    hierarchy: str
    correlation_id: str
    event_data_id: str
    client_request_id: str
    duration_ms: int
    extra_properties: dict = field(default_factory=dict)
    authorization: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return self.operation.split("/", 1)[0]

    @property
    def resource_type(self) -> str:
        parts = self.operation.split("/")
        return "/".join(parts[:-2] if parts[-1] == "action" else parts[:-1])

    def _properties(self) -> dict:
        return {**self.extra_properties, "eventCategory": "Administrative", "entity": self.resource_id,
                "message": self.operation, "hierarchy": self.hierarchy}

    def to_rest(self) -> dict:
        """The REST API / `az monitor activity-log list` form."""
        event_name, event_label = _EVENT_NAME[self.status]
        delta = self.time - _TICKS_EPOCH  # .NET ticks, in integers: a float would lose the last digits
        ticks = (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
        submitted = self.time + timedelta(seconds=2 + (self.duration_ms % 7))
        return {
            "authorization": self.authorization,
            "caller": self.caller.caller,
            "channels": "Operation",
            "claims": self.claims,
            "correlationId": self.correlation_id,
            "description": "",
            "eventDataId": self.event_data_id,
            "eventName": {"value": event_name, "localizedValue": event_label},
            "category": {"value": "Administrative", "localizedValue": "Administrative"},
            "eventTimestamp": azure_time(self.time),
            "id": f"{self.resource_id}/events/{self.event_data_id}/ticks/{ticks}",
            "level": "Informational",
            "operationId": self.correlation_id,
            "operationName": {"value": self.operation,
                              "localizedValue": LOCALIZED_OPERATIONS.get(self.operation, self.operation)},
            "resourceGroupName": self.resource_group,
            "resourceProviderName": {"value": self.provider, "localizedValue": self.provider},
            "resourceType": {"value": self.resource_type, "localizedValue": self.resource_type},
            "resourceId": self.resource_id,
            "status": {"value": self.status, "localizedValue": self.status},
            "subStatus": {"value": self.substatus, "localizedValue": _localized_substatus(self.substatus)},
            "submissionTimestamp": azure_time(submitted),
            "subscriptionId": self.subscription,
            "tenantId": self.tenant,
            "properties": self._properties(),
            "relatedEvents": [],
            "httpRequest": {"clientRequestId": self.client_request_id, "clientIpAddress": self.ip,
                            "method": self.method},
        }

    def to_diagnostic(self) -> dict:
        """The diagnostic-settings form (storage `PT1H.json` lines, Event Hub `records`)."""
        result = _RESULT_TYPE[self.status]
        signature = f"{self.status}." + (self.substatus if self.status != "Started" else "")
        record = {
            "time": azure_time(self.time),
            "resourceId": self.resource_id.upper(),
            "operationName": self.operation.upper(),
            "category": "Administrative",
            "resultType": result,
            "resultSignature": signature,
            "durationMs": self.duration_ms,
            "callerIpAddress": self.ip,
            "correlationId": self.correlation_id,
            "identity": {"authorization": self.authorization, "claims": self.claims},
            "level": "Error" if self.status == "Failed" else "Information",
            "location": "global",
            # eventDataId is what revertguard and Sentinel key each entry on.
            "properties": {**self._properties(), "eventDataId": self.event_data_id},
        }
        return record


def _localized_substatus(substatus: str) -> str:
    codes = {"OK": "OK (HTTP Status Code: 200)", "Created": "Created (HTTP Status Code: 201)",
             "Accepted": "Accepted (HTTP Status Code: 202)", "NoContent": "No Content (HTTP Status Code: 204)",
             "Forbidden": "Forbidden (HTTP Status Code: 403)", "Conflict": "Conflict (HTTP Status Code: 409)"}
    return codes.get(substatus, substatus)


def _json(value: dict) -> str:
    return msgspec.json.encode(value).decode()


def claims_for(identity: AzureIdentity, tenant: str, when: datetime, ctx: Context) -> dict:
    """The JWT claims ARM logs for a caller, shaped after real user and application tokens."""
    issued = int((when - datetime(1970, 1, 1)).total_seconds()) - 900
    base = {"aud": "https://management.core.windows.net/", "iss": f"https://sts.windows.net/{tenant}/",
            "iat": str(issued), "nbf": str(issued), "exp": str(issued + 4500)}
    object_claim = "http://schemas.microsoft.com/identity/claims/objectidentifier"
    if identity.type == "User":
        given, _, surname = identity.display_name.partition(" ")
        return {**base,
                "http://schemas.microsoft.com/claims/authnclassreference": "1",
                "aio": "ATQAy/8TAAAA" + ctx.ids.upper_alnum(52),
                "http://schemas.microsoft.com/claims/authnmethodsreferences": "pwd,mfa",
                "appid": identity.app_id, "appidacr": "0" if identity.app_id != "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
                else "2",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": surname,
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": given,
                "ipaddr": identity.ip, "name": identity.display_name,
                object_claim: identity.object_id,
                "puid": "1003200" + ctx.ids.upper_alnum(9),
                "rh": "0.AVIA" + ctx.ids.lower_alnum(40) + ".",
                "http://schemas.microsoft.com/identity/claims/scope": "user_impersonation",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": ctx.ids.upper_alnum(43),
                "http://schemas.microsoft.com/identity/claims/tenantid": tenant,
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": identity.upn,
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": identity.upn,
                "uti": ctx.ids.upper_alnum(22), "ver": "1.0"}
    claims = {**base, "aio": "E2NgY" + ctx.ids.upper_alnum(40), "appid": identity.app_id, "appidacr": "2",
              "http://schemas.microsoft.com/identity/claims/identityprovider": f"https://sts.windows.net/{tenant}/",
              "idtyp": "app", object_claim: identity.object_id,
              "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": identity.object_id,
              "rh": "0.AVIA" + ctx.ids.lower_alnum(40) + ".",
              "http://schemas.microsoft.com/identity/claims/tenantid": tenant,
              "uti": ctx.ids.upper_alnum(22), "ver": "1.0"}
    if identity.managed_identity_resource:
        claims["xms_mirid"] = identity.managed_identity_resource
    return claims


def authorization_for(identity: AzureIdentity, operation: str, scope: str, subscription: str) -> dict:
    """The `authorization` block: the action, the scope, and the role assignment that allowed it."""
    principal = identity.object_id.replace("-", "")
    return {"action": operation, "scope": scope, "evidence": {
        "role": identity.role,
        "roleAssignmentScope": f"/subscriptions/{subscription}",
        "roleAssignmentId": principal[::-1],
        "roleDefinitionId": AZURE_ROLES[identity.role],
        "principalId": principal,
        "principalType": "User" if identity.type == "User" else "ServicePrincipal",
    }}


class ActivityLogSession:
    """One caller acting on one subscription: each method returns the events one request leaves."""

    def __init__(self, ctx: Context, identity: AzureIdentity, subscription: str) -> None:
        self.ctx = ctx
        self.identity = identity
        self.subscription = subscription
        sub = ctx.estate.azure_subscription(subscription)
        self.hierarchy = f"{ctx.estate.azure_tenant}/{sub.management_group}/{subscription}"

    def request(self, when: datetime, operation: str, resource_id: str, *, method: str = "PUT",
                long_running: bool = False, request_body: dict | None = None, response_body: dict | None = None,
                response_status: str = "OK", completion_seconds: tuple[float, float] = (20, 90)) -> list[Event]:
        """The entries one ARM request leaves, all sharing one correlation id.

        A long-running request returns 202 (`Accepted`) and completes later (`Succeeded`);
        any other returns `response_status` (OK, Created, ...) at once.
        """
        ids = self.ctx.ids
        rng = self.ctx.rng
        correlation = ids.guid()
        client_request = ids.guid()
        group = resource_id.split("/")[4] if "/resourceGroups/" in resource_id else ""
        claims = claims_for(self.identity, self.ctx.estate.azure_tenant, when, self.ctx)
        authorization = authorization_for(self.identity, operation, resource_id, self.subscription)

        def record(at: datetime, status: str, substatus: str, extra: dict, duration: int) -> Event:
            item = AzureRecord(
                time=at, operation=operation, status=status, substatus=substatus, method=method,
                caller=self.identity, ip=self.identity.ip, resource_id=resource_id, subscription=self.subscription,
                resource_group=group, tenant=self.ctx.estate.azure_tenant, hierarchy=self.hierarchy,
                correlation_id=correlation, event_data_id=ids.guid(), client_request_id=client_request,
                duration_ms=duration, extra_properties=extra, authorization=authorization, claims=claims)
            return Event(Cloud.AZURE, at, item, item.event_data_id, (self.subscription,))

        start_extra = {"requestbody": _json(request_body)} if request_body is not None else {}
        events = [record(when, "Started", "", start_extra, 0)]
        answered = when + timedelta(milliseconds=rng.randint(180, 1400))
        service_request = ids.guid()
        answer_extra: dict = {"statusCode": "Accepted" if long_running else response_status,
                              "serviceRequestId": service_request}
        if response_body is not None:
            answer_extra["responseBody"] = _json(response_body)
        answered_ms = int((answered - when).total_seconds() * 1000)
        if long_running:
            events.append(record(answered, "Accepted", "Accepted", answer_extra, answered_ms))
            done = answered + timedelta(seconds=rng.uniform(*completion_seconds))
            events.append(record(done, "Succeeded", "", {}, int((done - when).total_seconds() * 1000)))
        else:
            events.append(record(answered, "Succeeded", response_status, answer_extra, answered_ms))
        return events

    # -- Compute -------------------------------------------------------------------------------
    def write_disk(self, when: datetime, vm: AzureVm, disk: str, creation_data: dict, size_gb: int = 30,
                   tags: dict[str, str] | None = None, os_type: str | None = "Linux") -> list[Event]:
        """Create a managed disk (a long-running PUT: Started, Accepted with the disk, Succeeded)."""
        disk_id = vm.disk_id(disk)
        properties: dict = {"creationData": creation_data, "diskSizeGB": size_gb}
        if os_type:
            properties["osType"] = os_type
        request = {"location": vm.location, "tags": tags or {}, "sku": {"name": "Premium_LRS"},
                   "properties": properties}
        unique = self.ctx.ids.guid()
        created = dict(creation_data)
        if "sourceResourceId" in created:
            created["sourceUniqueId"] = self.ctx.ids.guid()
        response = {"name": disk, "id": disk_id, "type": "Microsoft.Compute/disks", "location": vm.location,
                    "tags": tags or {}, "sku": {"name": "Premium_LRS", "tier": "Premium"},
                    "properties": {**({"osType": os_type} if os_type else {}), "hyperVGeneration": "V2",
                                   "creationData": created, "diskSizeGB": size_gb,
                                   "diskSizeBytes": size_gb * 1024 ** 3, "uniqueId": unique,
                                   "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
                                   "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled",
                                   "timeCreated": when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00",
                                   "provisioningState": "Updating", "diskState": "Unattached"}}
        return self.request(when, "Microsoft.Compute/disks/write", disk_id, long_running=True,
                            request_body=request, response_body=response)

    def write_snapshot(self, when: datetime, vm: AzureVm, snapshot: str,
                       tags: dict[str, str] | None = None) -> list[Event]:
        """Snapshot a VM's OS disk (createOption Copy from the disk)."""
        snapshot_id = vm.snapshot_id(snapshot)
        creation = {"createOption": "Copy", "sourceResourceId": vm.disk_id()}
        request = {"location": vm.location, "tags": tags or {}, "sku": {"name": "Standard_ZRS"},
                   "properties": {"creationData": creation, "incremental": True}}
        response = {"name": snapshot, "id": snapshot_id, "type": "Microsoft.Compute/snapshots",
                    "location": vm.location, "tags": tags or {}, "sku": {"name": "Standard_ZRS", "tier": "Standard"},
                    "properties": {"osType": "Linux", "hyperVGeneration": "V2",
                                   "creationData": {**creation, "sourceUniqueId": self.ctx.ids.guid()},
                                   "diskSizeGB": 30, "incremental": True, "provisioningState": "Updating"}}
        return self.request(when, "Microsoft.Compute/snapshots/write", snapshot_id, long_running=True,
                            request_body=request, response_body=response)

    def write_vm(self, when: datetime, vm: AzureVm, os_disk: str) -> list[Event]:
        """Update a VM so its OS disk is `os_disk` (what `az vm update --os-disk` sends)."""
        nic = (f"/subscriptions/{vm.subscription}/resourceGroups/{vm.resource_group}"
               f"/providers/Microsoft.Network/networkInterfaces/{vm.name}-nic")
        os_disk_block = {"osType": "Linux", "name": os_disk, "createOption": "Attach", "caching": "ReadWrite",
                         "managedDisk": {"id": vm.disk_id(os_disk), "storageAccountType": "Premium_LRS"},
                         "deleteOption": "Detach", "diskSizeGB": 30}
        properties = {"hardwareProfile": {"vmSize": vm.size},
                      "storageProfile": {"osDisk": os_disk_block, "dataDisks": []},
                      "networkProfile": {"networkInterfaces": [{"id": nic}]},
                      "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}}}
        request = {"location": vm.location, "properties": properties}
        response = {"name": vm.name, "id": vm.resource_id(), "type": "Microsoft.Compute/virtualMachines",
                    "location": vm.location,
                    "properties": {"vmId": vm.vm_id, **properties, "provisioningState": "Updating"}}
        return self.request(when, "Microsoft.Compute/virtualMachines/write", vm.resource_id(), long_running=True,
                            request_body=request, response_body=response, completion_seconds=(15, 45))

    def vm_action(self, when: datetime, vm: AzureVm, action: str, body: dict | None = None,
                  completion_seconds: tuple[float, float] = (30, 150)) -> list[Event]:
        """A POST action on a VM (`deallocate`, `start`, `powerOff`, `reimage`, `runCommand`, ...)."""
        return self.request(when, f"Microsoft.Compute/virtualMachines/{action}/action", vm.resource_id(),
                            method="POST", long_running=True, request_body=body,
                            completion_seconds=completion_seconds)

    def disk_sas(self, when: datetime, vm: AzureVm, disk: str | None = None) -> list[Event]:
        """Generate a read SAS URI for a disk: the way disk contents leave a subscription."""
        return self.request(when, "Microsoft.Compute/disks/beginGetAccess/action", vm.disk_id(disk),
                            method="POST", long_running=True,
                            request_body={"access": "Read", "durationInSeconds": 3600}, completion_seconds=(2, 8))

    def delete_disk(self, when: datetime, vm: AzureVm, disk: str) -> list[Event]:
        return self.request(when, "Microsoft.Compute/disks/delete", vm.disk_id(disk), method="DELETE",
                            long_running=True, completion_seconds=(5, 30))

    # -- other providers -----------------------------------------------------------------------
    def tag_resource(self, when: datetime, resource_id: str, tags: dict[str, str]) -> list[Event]:
        body = {"operation": "Merge", "properties": {"tags": tags}}
        return self.request(when, "Microsoft.Resources/tags/write", f"{resource_id}/providers/Microsoft.Resources/"
                            "tags/default", method="PATCH", request_body=body,
                            response_body={"id": f"{resource_id}/providers/Microsoft.Resources/tags/default",
                                           "name": "default", "type": "Microsoft.Resources/tags",
                                           "properties": {"tags": tags}})

    def deployment(self, when: datetime, group: str, name: str) -> list[Event]:
        resource_id = (f"/subscriptions/{self.subscription}/resourceGroups/{group}"
                       f"/providers/Microsoft.Resources/deployments/{name}")
        return self.request(when, "Microsoft.Resources/deployments/write", resource_id, long_running=True,
                            response_status="Created", completion_seconds=(40, 240))

    def list_storage_keys(self, when: datetime, group: str, account: str) -> list[Event]:
        resource_id = (f"/subscriptions/{self.subscription}/resourceGroups/{group}"
                       f"/providers/Microsoft.Storage/storageAccounts/{account}")
        return self.request(when, "Microsoft.Storage/storageAccounts/listKeys/action", resource_id, method="POST")

    def security_rule(self, when: datetime, group: str, nsg: str, rule: str, port: int) -> list[Event]:
        resource_id = (f"/subscriptions/{self.subscription}/resourceGroups/{group}/providers/"
                       f"Microsoft.Network/networkSecurityGroups/{nsg}/securityRules/{rule}")
        body = {"properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": str(port),
                               "sourceAddressPrefix": "198.51.100.0/24", "destinationAddressPrefix": "*",
                               "access": "Allow", "priority": 310, "direction": "Inbound"}}
        return self.request(when, "Microsoft.Network/networkSecurityGroups/securityRules/write", resource_id,
                            long_running=True, request_body=body, response_status="Created",
                            completion_seconds=(5, 20))

    def restore_recovery_point(self, when: datetime, vm: AzureVm, recovery_point: str,
                               restore_type: str) -> tuple[list[Event], str]:
        """Azure Backup restore of a VM recovery point; returns the events and the recovery point id.

        Constructed: the operation name is verified, the request body follows the REST
        `IaasVMRestoreRequest` model.
        """
        sub = self.ctx.estate.azure_subscription(vm.subscription)
        container = f"IaasVMContainer;iaasvmcontainerv2;{vm.resource_group};{vm.name}"
        item = f"VM;iaasvmcontainerv2;{vm.resource_group};{vm.name}"
        point_id = (f"/subscriptions/{vm.subscription}/resourceGroups/{sub.vault_group}/providers/"
                    f"Microsoft.RecoveryServices/vaults/{sub.vault}/backupFabrics/Azure/protectionContainers/"
                    f"{container}/protectedItems/{item}/recoveryPoints/{recovery_point}")
        body = {"properties": {"objectType": "IaasVMRestoreRequest", "recoveryPointId": recovery_point,
                               "recoveryType": restore_type, "sourceResourceId": vm.resource_id(),
                               "originalStorageAccountOption": False, "region": vm.location,
                               "encryptionDetails": {"encryptionEnabled": False}}}
        operation = ("Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/"
                     "recoveryPoints/restore/action")
        return self.request(when, operation, point_id, method="POST", long_running=True, request_body=body,
                            completion_seconds=(3, 10)), point_id
