"""AWS revert techniques: every way an intruder can put an EC2 instance back to an earlier state."""

from __future__ import annotations

from datetime import timedelta

from revertguard.simulate.aws import CloudTrailSession, instance_subnet
from revertguard.simulate.estate import AwsInstance
from revertguard.simulate.model import Cloud, Context, Outcome, ScenarioKind
from revertguard.simulate.scenarios.registry import scenario

ATTACK = ScenarioKind.ATTACK
AWS = Cloud.AWS


def _victim(ctx: Context, predicate=None) -> AwsInstance:
    """An instance of the production account, optionally one satisfying `predicate`."""
    prod = ctx.estate.aws_account("prod").account_id
    candidates = ctx.estate.aws_instances(lambda i: i.account == prod and (predicate is None or predicate(i)))
    return ctx.pick(candidates)


def _intruder(ctx: Context, victim: AwsInstance) -> CloudTrailSession:
    """The intruder's session: the leaked access key or the stolen SSO session, at random."""
    identity = ctx.estate.aws_identities[ctx.rng.choice(("attacker-key", "attacker-session"))]
    return CloudTrailSession(ctx, identity, victim.region)


def _outcome(session: CloudTrailSession, victim: AwsInstance, **entities: str) -> Outcome:
    return Outcome(actor=session.identity, target=victim, entities={
        "identity": session.identity.arn, "account": victim.account, "region": victim.region,
        "instance": victim.instance_id, **entities})


@scenario("aws-stop-start-ephemeral-reset", ATTACK, AWS,
          description="Stop and start an instance that has instance-store volumes, wiping its ephemeral "
                      "storage (the seed's test 1).",
          events="DescribeInstances, StopInstances (force), DescribeInstances, StartInstances",
          duration=timedelta(minutes=20))
def stop_start_ephemeral_reset(ctx: Context) -> Outcome:
    victim = _victim(ctx, lambda i: i.has_instance_store)
    s = _intruder(ctx, victim)
    out = _outcome(s, victim, instance_type=victim.instance_type)
    c = ctx.clock
    out.add(s.describe_instances(c.now, [victim.instance_id]),
            s.stop_instances(c.advance(20, 90), [victim.instance_id], force=True),
            s.describe_instances(c.advance(40, 120), [victim.instance_id]),
            s.start_instances(c.advance(10, 60), [victim.instance_id]))
    return out


@scenario("aws-volume-from-snapshot-attach", ATTACK, AWS,
          description="Create a volume from an earlier snapshot and attach it in place of the instance's data "
                      "volume (the seed's test 2).",
          events="DescribeSnapshots, CreateVolume (snapshotId), DescribeVolumes, DetachVolume, AttachVolume",
          duration=timedelta(minutes=20))
def volume_from_snapshot(ctx: Context) -> Outcome:
    victim = _victim(ctx, lambda i: bool(i.data))
    s = _intruder(ctx, victim)
    old = victim.data[0]
    snapshot = ctx.ids.ec2("snap")
    volume = ctx.ids.ec2("vol")
    out = _outcome(s, victim, volume=volume, snapshot=snapshot, replaced_volume=old.volume_id, device=old.device)
    c = ctx.clock
    out.add(s.describe_snapshots(c.now),
            s.create_volume(c.advance(30, 120), victim.zone, volume, snapshot_id=snapshot, size=old.size),
            s.describe_volumes(c.advance(15, 60), [volume]),
            s.detach_volume(c.advance(20, 90), old.volume_id, victim.instance_id, old.device),
            s.attach_volume(c.advance(30, 120), volume, victim.instance_id, old.device))
    return out


@scenario("aws-register-image-run-instances", ATTACK, AWS,
          description="Register an AMI from an old root snapshot, launch a replacement instance from it, move the "
                      "Elastic IP and terminate the original (the seed's test 4).",
          events="RegisterImage (blockDeviceMapping snapshotId), DescribeImages, RunInstances (imageId), "
                 "AssociateAddress, TerminateInstances",
          duration=timedelta(minutes=30))
def register_image_run_instances(ctx: Context) -> Outcome:
    victim = _victim(ctx)
    s = _intruder(ctx, victim)
    snapshot = victim.snapshots[1]
    image = ctx.ids.ec2("ami")
    replacement = ctx.ids.ec2("i")
    out = _outcome(s, victim, snapshot=snapshot, image=image, new_instance=replacement)
    c = ctx.clock
    out.add(s.register_image(c.now, f"{victim.name}-restore-{ctx.ids.lower_alnum(6)}", snapshot, image,
                             root_device="/dev/xvda", size=victim.root.size),
            s.describe_images(c.advance(20, 60)),
            s.run_instances(c.advance(60, 240), image, victim.instance_type, victim.zone,
                            instance_id=replacement, subnet=instance_subnet(victim),
                            private_ip=victim.private_ip.rsplit(".", 1)[0] + f".{ctx.rng.randrange(4, 250)}",
                            tags={"Name": victim.name}),
            s.associate_address(c.advance(60, 180), replacement, "eipalloc-0" + ctx.ids.hex(16)),
            s.terminate_instances(c.advance(30, 120), [victim.instance_id]))
    return out


def _replace_root(ctx: Context, *, use_snapshot: bool, use_image: bool, delete_replaced: bool | None) -> Outcome:
    victim = _victim(ctx)
    s = _intruder(ctx, victim)
    task = "replacevol-0" + ctx.ids.hex(16)
    snapshot = victim.snapshots[-1] if use_snapshot else None
    image = victim.image_id if use_image else None
    entities = {"replace_root_volume_task": task, "replaced_volume": victim.root.volume_id,
                "target": "snapshot" if snapshot else "image" if image else "launch-state",
                "delete_replaced_root_volume": str(bool(delete_replaced)).lower()}
    if snapshot:
        entities["snapshot"] = snapshot
    if image:
        entities["image"] = image
    out = _outcome(s, victim, **entities)
    c = ctx.clock
    out.add(s.describe_instances(c.now, [victim.instance_id]),
            s.create_replace_root_volume_task(c.advance(20, 90), victim.instance_id, task_id=task,
                                              snapshot_id=snapshot, image_id=image,
                                              delete_replaced=delete_replaced),
            s.describe_replace_root_volume_tasks(c.advance(30, 90), task),
            s.describe_replace_root_volume_tasks(c.advance(60, 180), task))
    return out


_REPLACE_EVENTS = "DescribeInstances, CreateReplaceRootVolumeTask ({}), DescribeReplaceRootVolumeTasks x2"


@scenario("aws-replace-root-to-snapshot", ATTACK, AWS,
          description="Replace a running instance's root volume with one restored from an earlier snapshot, "
                      "keeping the replaced volume.",
          events=_REPLACE_EVENTS.format("SnapshotId"), duration=timedelta(minutes=15))
def replace_root_snapshot(ctx: Context) -> Outcome:
    return _replace_root(ctx, use_snapshot=True, use_image=False, delete_replaced=None)


@scenario("aws-replace-root-to-snapshot-delete-replaced", ATTACK, AWS,
          description="Replace the root volume from an earlier snapshot and delete the replaced volume, destroying "
                      "the evidence on it.",
          events=_REPLACE_EVENTS.format("SnapshotId, DeleteReplacedRootVolume=true"), duration=timedelta(minutes=15))
def replace_root_snapshot_delete(ctx: Context) -> Outcome:
    return _replace_root(ctx, use_snapshot=True, use_image=False, delete_replaced=True)


@scenario("aws-replace-root-to-image", ATTACK, AWS,
          description="Replace the root volume with one built from the instance's AMI and delete the replaced "
                      "volume.",
          events=_REPLACE_EVENTS.format("ImageId, DeleteReplacedRootVolume=true"), duration=timedelta(minutes=15))
def replace_root_image(ctx: Context) -> Outcome:
    return _replace_root(ctx, use_snapshot=False, use_image=True, delete_replaced=True)


@scenario("aws-replace-root-to-launch-state", ATTACK, AWS,
          description="Restore the root volume to its launch state (no snapshot or image given), keeping the "
                      "replaced volume.",
          events=_REPLACE_EVENTS.format("no SnapshotId or ImageId, DeleteReplacedRootVolume=false"),
          duration=timedelta(minutes=15))
def replace_root_launch_state(ctx: Context) -> Outcome:
    return _replace_root(ctx, use_snapshot=False, use_image=False, delete_replaced=False)


@scenario("aws-manual-root-swap", ATTACK, AWS,
          description="Stop the instance, detach its root volume, create a volume from an old root snapshot, attach "
                      "it on the root device and start the instance.",
          events="StopInstances, DetachVolume (root device), CreateVolume (snapshotId), DescribeVolumes, "
                 "AttachVolume (root device), StartInstances",
          duration=timedelta(minutes=30))
def manual_root_swap(ctx: Context) -> Outcome:
    victim = _victim(ctx)
    s = _intruder(ctx, victim)
    snapshot = victim.snapshots[0]
    volume = ctx.ids.ec2("vol")
    out = _outcome(s, victim, volume=volume, snapshot=snapshot, replaced_volume=victim.root.volume_id,
                   device=victim.root_device)
    c = ctx.clock
    out.add(s.stop_instances(c.now, [victim.instance_id]),
            s.detach_volume(c.advance(60, 180), victim.root.volume_id, victim.instance_id, victim.root_device),
            s.create_volume(c.advance(20, 90), victim.zone, volume, snapshot_id=snapshot, size=victim.root.size),
            s.describe_volumes(c.advance(15, 60), [volume]),
            s.attach_volume(c.advance(20, 90), volume, victim.instance_id, victim.root_device),
            s.start_instances(c.advance(20, 90), [victim.instance_id]))
    return out


@scenario("aws-recycle-bin-snapshot-restore", ATTACK, AWS,
          description="Recover a deleted snapshot from the Recycle Bin, create a volume from it and attach it to "
                      "the instance.",
          events="ListSnapshotsInRecycleBin, RestoreSnapshotFromRecycleBin, CreateVolume (snapshotId), "
                 "AttachVolume",
          duration=timedelta(minutes=25))
def recycle_bin_restore(ctx: Context) -> Outcome:
    victim = _victim(ctx)
    s = _intruder(ctx, victim)
    snapshot = ctx.ids.ec2("snap")
    volume = ctx.ids.ec2("vol")
    out = _outcome(s, victim, snapshot=snapshot, volume=volume, device="/dev/sdg")
    c = ctx.clock
    out.add(s.list_snapshots_in_recycle_bin(c.now),
            s.restore_snapshot_from_recycle_bin(c.advance(20, 90), snapshot, victim.root.volume_id,
                                                victim.root.size),
            s.create_volume(c.advance(120, 400), victim.zone, volume, snapshot_id=snapshot, size=victim.root.size),
            s.attach_volume(c.advance(30, 120), volume, victim.instance_id, "/dev/sdg"))
    return out


@scenario("aws-backup-restore-job-by-human", ATTACK, AWS,
          description="A human identity starts an AWS Backup restore of an EC2 recovery point; the Backup service "
                      "role then launches the restored instance, and the original is terminated.",
          events="StartRestoreJob (resourceType EC2), RunInstances by AWSBackupDefaultServiceRole (invokedBy "
                 "backup.amazonaws.com), TerminateInstances",
          duration=timedelta(minutes=40))
def backup_restore_by_human(ctx: Context) -> Outcome:
    victim = _victim(ctx)
    s = _intruder(ctx, victim)
    backup = CloudTrailSession(ctx, ctx.estate.aws_identities["backup-role-prod"], victim.region)
    image = ctx.ids.ec2("ami")  # EC2 recovery points are AMIs
    point = f"arn:aws:ec2:{victim.region}::image/{image}"
    replacement = ctx.ids.ec2("i")
    out = _outcome(s, victim, recovery_point=point, image=image, new_instance=replacement)
    c = ctx.clock
    out.add(s.start_restore_job(c.now, point, backup.identity.role_arn, "EC2",
                                ["InstanceType", "SubnetId", "SecurityGroupIds", "IamInstanceProfileName"]),
            backup.run_instances(c.advance(60, 240), image, victim.instance_type, victim.zone,
                                 instance_id=replacement, subnet=instance_subnet(victim),
                                 private_ip=victim.private_ip.rsplit(".", 1)[0] + f".{ctx.rng.randrange(4, 250)}",
                                 tags={"aws:backup:source-resource": victim.instance_id}),
            s.terminate_instances(c.advance(300, 900), [victim.instance_id]))
    return out
