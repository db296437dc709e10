"""Azure revert techniques: OS-disk swap from a snapshot, reimage, and Azure Backup restore."""

from __future__ import annotations

from datetime import timedelta

from revertguard.simulate.azure import ActivityLogSession
from revertguard.simulate.estate import AzureVm
from revertguard.simulate.model import Cloud, Context, Outcome, ScenarioKind
from revertguard.simulate.scenarios.registry import scenario

ATTACK = ScenarioKind.ATTACK
AZURE = Cloud.AZURE


def _outcome(session: ActivityLogSession, vm: AzureVm, **entities: str) -> Outcome:
    return Outcome(actor=session.identity, target=vm, entities={
        "identity": session.identity.caller, "subscription": vm.subscription, "resource_group": vm.resource_group,
        "vm": vm.resource_id(), **entities})


def _intruder(ctx: Context, vm: AzureVm) -> ActivityLogSession:
    return ActivityLogSession(ctx, ctx.estate.azure_identities["attacker-user"], vm.subscription)


@scenario("azure-disk-from-snapshot-os-swap", ATTACK, AZURE,
          description="Create a managed disk from an earlier snapshot (createOption Copy), deallocate the VM, swap "
                      "its OS disk to the new disk and start it (the seed's test 3).",
          events="disks/write (Copy from snapshot: Start, Accept with responseBody, Success), "
                 "virtualMachines/deallocate/action, virtualMachines/write (osDisk.managedDisk.id), "
                 "virtualMachines/start/action",
          duration=timedelta(minutes=30))
def disk_from_snapshot_os_swap(ctx: Context) -> Outcome:
    vm = ctx.pick(ctx.estate.azure_vms(lambda v: not v.ephemeral_os_disk))
    s = _intruder(ctx, vm)
    snapshot = vm.snapshots[0]
    disk = f"{vm.name}-osdisk-restored-{ctx.ids.lower_alnum(5)}"
    out = _outcome(s, vm, disk=vm.disk_id(disk), snapshot=vm.snapshot_id(snapshot), replaced_disk=vm.disk_id())
    c = ctx.clock
    out.add(s.write_disk(c.now, vm, disk, {"createOption": "Copy", "sourceResourceId": vm.snapshot_id(snapshot)}),
            s.vm_action(c.advance(60, 200), vm, "deallocate"),
            s.write_vm(c.advance(200, 360), vm, disk),
            s.vm_action(c.advance(90, 200), vm, "start"))
    return out


@scenario("azure-reimage-ephemeral-os-disk", ATTACK, AZURE,
          description="Reimage a VM that runs on an ephemeral OS disk, which resets it to its initial state.",
          events="virtualMachines/reimage/action (Start, Accept, Success)",
          duration=timedelta(minutes=15))
def reimage_ephemeral(ctx: Context) -> Outcome:
    vm = ctx.pick(ctx.estate.azure_vms(lambda v: v.ephemeral_os_disk))
    s = _intruder(ctx, vm)
    out = _outcome(s, vm, ephemeral_os_disk="true", vm_size=vm.size)
    out.add(s.vm_action(ctx.clock.now, vm, "reimage", {"tempDisk": True}, completion_seconds=(120, 400)))
    return out


@scenario("azure-backup-recovery-point-restore", ATTACK, AZURE,
          description="Restore a VM from an Azure Backup recovery point over the original (OriginalLocation); the "
                      "Backup service then builds a disk from the restore point and swaps it in.",
          events="recoveryPoints/restore/action by the user, then by Backup Management Service: "
                 "virtualMachines/powerOff/action, disks/write (createOption Restore), virtualMachines/write, "
                 "virtualMachines/start/action",
          duration=timedelta(minutes=45))
def backup_recovery_point_restore(ctx: Context) -> Outcome:
    vm = ctx.pick(ctx.estate.azure_vms(lambda v: not v.ephemeral_os_disk))
    s = _intruder(ctx, vm)
    backup = ActivityLogSession(ctx, ctx.estate.azure_identities["backup-service"], vm.subscription)
    point = ctx.ids.digits(17)
    c = ctx.clock
    events, point_id = s.restore_recovery_point(c.now, vm, point, "OriginalLocation")
    collection = (f"/subscriptions/{vm.subscription}/resourceGroups/AzureBackupRG_{vm.location}_1/providers/"
                  f"Microsoft.Compute/restorePointCollections/AzureBackup_{vm.name}_{ctx.ids.digits(14)}")
    disk_point = f"{collection}/restorePoints/{ctx.ids.guid()}/diskRestorePoints/{vm.os_disk}_{ctx.ids.hex(32)}"
    disk = f"{vm.name}-osdisk-{ctx.ids.hex(20)}"
    out = _outcome(s, vm, recovery_point=point_id, disk=vm.disk_id(disk), restore_point=disk_point,
                   replaced_disk=vm.disk_id())
    out.add(events,
            backup.vm_action(c.advance(120, 300), vm, "powerOff"),
            backup.write_disk(c.advance(60, 200), vm, disk,
                              {"createOption": "Restore", "sourceResourceId": disk_point}),
            backup.write_vm(c.advance(300, 600), vm, disk),
            backup.vm_action(c.advance(60, 180), vm, "start"))
    return out
