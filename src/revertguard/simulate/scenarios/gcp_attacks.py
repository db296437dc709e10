"""GCP revert techniques: boot-disk swap from a snapshot, and a stop that discards local SSD."""

from __future__ import annotations

from datetime import timedelta

from revertguard.simulate.estate import GcpInstance
from revertguard.simulate.gcp import AuditLogSession
from revertguard.simulate.model import Cloud, Context, Outcome, ScenarioKind
from revertguard.simulate.scenarios.registry import scenario

ATTACK = ScenarioKind.ATTACK
GCP = Cloud.GCP
BOOT_DEVICE = "persistent-disk-0"  # the device name Compute Engine gives a boot disk by default


def _outcome(session: AuditLogSession, instance: GcpInstance, **entities: str) -> Outcome:
    return Outcome(actor=session.identity, target=instance, entities={
        "identity": session.identity.email, "project": instance.project, "zone": instance.zone,
        "instance": f"projects/{instance.project}/zones/{instance.zone}/instances/{instance.name}", **entities})


def _intruder(ctx: Context, instance: GcpInstance) -> AuditLogSession:
    return AuditLogSession(ctx, ctx.estate.gcp_identities["attacker-sa"], instance.project)


def _prod_instances(ctx: Context, predicate=None) -> list[GcpInstance]:
    prod = ctx.estate.gcp_projects[0].project_id
    return ctx.estate.gcp_instances(lambda i: i.project == prod and (predicate is None or predicate(i)))


@scenario("gcp-disk-from-snapshot-boot-swap", ATTACK, GCP,
          description="Create a disk from an earlier snapshot, stop the instance, detach its boot disk, attach the "
                      "new disk as the boot disk and start it.",
          events="compute.disks.insert (sourceSnapshot), compute.instances.stop, compute.instances.detachDisk, "
                 "compute.instances.attachDisk (boot: true), compute.instances.start (each a first/last pair)",
          duration=timedelta(minutes=30))
def disk_from_snapshot_boot_swap(ctx: Context) -> Outcome:
    instance = ctx.pick(_prod_instances(ctx, lambda i: not i.local_ssd))
    s = _intruder(ctx, instance)
    snapshot = instance.snapshots[0]
    disk = f"{instance.name}-restore-{ctx.ids.lower_alnum(4)}"
    c = ctx.clock
    events, _disk_id = s.insert_disk(c.now, instance.zone, disk, source_snapshot=snapshot)
    out = _outcome(s, instance, snapshot=f"projects/{instance.project}/global/snapshots/{snapshot}",
                   disk=f"projects/{instance.project}/zones/{instance.zone}/disks/{disk}",
                   replaced_disk=f"projects/{instance.project}/zones/{instance.zone}/disks/{instance.boot_disk}")
    out.add(events,
            s.stop(c.advance(60, 180), instance),
            s.detach_disk(c.advance(60, 120), instance, BOOT_DEVICE),
            s.attach_disk(c.advance(30, 90), instance, disk, boot=True, device_name=BOOT_DEVICE),
            s.start(c.advance(30, 90), instance))
    return out


@scenario("gcp-stop-start-discard-local-ssd", ATTACK, GCP,
          description="Stop an instance with local SSD, discarding its contents, then start it again.",
          events="compute.instances.stop (discardLocalSsd: true), compute.instances.start",
          duration=timedelta(minutes=15))
def stop_start_discard_local_ssd(ctx: Context) -> Outcome:
    instance = ctx.pick(_prod_instances(ctx, lambda i: i.local_ssd))
    s = _intruder(ctx, instance)
    out = _outcome(s, instance, machine_type=instance.machine_type, local_ssd="true")
    c = ctx.clock
    out.add(s.stop(c.now, instance, discard_local_ssd=True),
            s.start(c.advance(120, 400), instance))
    return out
