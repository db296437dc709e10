"""Benign look-alikes: legitimate activity that produces the same events as a revert.

Drawn from the seed's False Positives section (approved DR restores, backup-restore tests,
CI/CD resets, patch rollbacks, chaos engineering) and from research/anchors-detection.md
(AWS-service-driven lifecycle, dry runs, failed attempts, scheduled stop/start).
"""

from __future__ import annotations

from datetime import timedelta

from revertguard.simulate.aws import CloudTrailSession, instance_subnet
from revertguard.simulate.azure import ActivityLogSession
from revertguard.simulate.gcp import AuditLogSession
from revertguard.simulate.model import Cloud, Context, Outcome, ScenarioKind
from revertguard.simulate.scenarios.registry import scenario

BENIGN = ScenarioKind.BENIGN


def _change_ticket(ctx: Context) -> str:
    return f"CHG{ctx.ids.digits(7)}"


@scenario("aws-dr-restore-with-change-ticket", BENIGN, Cloud.AWS,
          description="The DR team restores an instance's root volume from an approved snapshot, following a "
                      "runbook, with the change ticket tagged on the new volume.",
          events="CreateVolume (snapshotId, ChangeTicket tag), StopInstances, DetachVolume (root), AttachVolume "
                 "(root), StartInstances by the DR-Operator role",
          duration=timedelta(minutes=40))
def dr_restore(ctx: Context) -> Outcome:
    prod = ctx.estate.aws_account("prod")
    victim = ctx.pick(prod.instances)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["dr-operator"], victim.region)
    volume = ctx.ids.ec2("vol")
    ticket = _change_ticket(ctx)
    out = Outcome(actor=s.identity, target=victim, entities={
        "identity": s.identity.arn, "account": victim.account, "region": victim.region,
        "instance": victim.instance_id, "volume": volume, "snapshot": victim.snapshots[-1],
        "change_ticket": ticket})
    c = ctx.clock
    out.add(s.create_volume(c.now, victim.zone, volume, snapshot_id=victim.snapshots[-1], size=victim.root.size,
                            tags={"Name": f"{victim.name}-root-restore", "ChangeTicket": ticket,
                                  "Runbook": "DR-RB-07"}),
            s.stop_instances(c.advance(60, 180), [victim.instance_id]),
            s.detach_volume(c.advance(60, 150), victim.root.volume_id, victim.instance_id, victim.root_device),
            s.attach_volume(c.advance(30, 90), volume, victim.instance_id, victim.root_device),
            s.start_instances(c.advance(30, 90), [victim.instance_id]))
    return out


@scenario("aws-backup-restore-testing", BENIGN, Cloud.AWS,
          description="An AWS Backup restore-testing plan restores an EC2 recovery point, validates it and "
                      "deletes the restored instance, all as the Backup service role.",
          events="StartRestoreJob, RunInstances, TerminateInstances by AWSBackupDefaultServiceRole (invokedBy "
                 "backup.amazonaws.com)",
          duration=timedelta(hours=2))
def backup_restore_testing(ctx: Context) -> Outcome:
    shared = ctx.estate.aws_account("shared")
    source = ctx.pick(shared.instances)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["backup-role"], source.region)
    image = ctx.ids.ec2("ami")
    point = f"arn:aws:ec2:{source.region}::image/{image}"
    restored = ctx.ids.ec2("i")
    out = Outcome(actor=s.identity, target=source, entities={
        "identity": s.identity.arn, "account": source.account, "region": source.region,
        "instance": restored, "source_instance": source.instance_id, "recovery_point": point, "image": image})
    c = ctx.clock
    out.add(s.start_restore_job(c.now, point, s.identity.role_arn, "EC2", ["InstanceType", "SubnetId"]),
            s.run_instances(c.advance(30, 120), image, source.instance_type, source.zone, instance_id=restored,
                            subnet=instance_subnet(source), private_ip=f"10.99.{ctx.rng.randrange(255)}.12",
                            tags={"aws:backup:restore-testing-plan": "weekly-ec2-restore-test"}),
            s.terminate_instances(c.advance(2400, 4800), [restored]))
    return out


@scenario("aws-cicd-staging-reset", BENIGN, Cloud.AWS,
          description="A CI/CD pipeline resets staging instances to the golden AMI with CreateReplaceRootVolumeTask "
                      "before a test run.",
          events="AssumeRoleWithWebIdentity session; per instance CreateReplaceRootVolumeTask (ImageId, "
                 "DeleteReplacedRootVolume=true), DescribeReplaceRootVolumeTasks",
          duration=timedelta(minutes=20))
def cicd_staging_reset(ctx: Context) -> Outcome:
    staging = ctx.estate.aws_account("staging")
    targets = ctx.pick_many(staging.instances, 2)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["cicd"], targets[0].region)
    out = Outcome(actor=s.identity, target=targets[0], entities={
        "identity": s.identity.arn, "account": staging.account_id, "region": targets[0].region,
        "instance": targets[0].instance_id, "other_instances": ",".join(t.instance_id for t in targets[1:]),
        "image": targets[0].image_id})
    c = ctx.clock
    for target in targets:
        task = "replacevol-0" + ctx.ids.hex(16)
        out.add(s.create_replace_root_volume_task(c.advance(5, 20), target.instance_id, task_id=task,
                                                  image_id=targets[0].image_id, delete_replaced=True),
                s.describe_replace_root_volume_tasks(c.advance(30, 60), task))
    return out


@scenario("aws-fis-stop-start", BENIGN, Cloud.AWS,
          description="An AWS Fault Injection Service experiment stops instances (including one with instance "
                      "store) and starts them again.",
          events="StartExperiment by an engineer, then StopInstances and StartInstances by the FIS role (invokedBy "
                 "fis.amazonaws.com)",
          duration=timedelta(minutes=30))
def fis_stop_start(ctx: Context) -> Outcome:
    prod = ctx.estate.aws_account("prod")
    stores = [i for i in prod.instances if i.has_instance_store]
    others = [i for i in prod.instances if not i.has_instance_store and i.region == stores[0].region]
    targets = [stores[0], *ctx.rng.sample(others, min(1, len(others)))]
    engineer = CloudTrailSession(ctx, ctx.estate.aws_identities["ops-sso"], targets[0].region)
    fis = CloudTrailSession(ctx, ctx.estate.aws_identities["fis-role"], targets[0].region)
    experiment = "EXP" + ctx.ids.upper_alnum(14)
    ids_ = [t.instance_id for t in targets]
    out = Outcome(actor=fis.identity, target=targets[0], entities={
        "identity": fis.identity.arn, "account": prod.account_id, "region": targets[0].region,
        "instance": ids_[0], "other_instances": ",".join(ids_[1:]), "experiment": experiment})
    c = ctx.clock
    out.add(engineer.start_experiment(c.now, "EXT" + ctx.ids.upper_alnum(14), experiment),
            fis.stop_instances(c.advance(5, 20), ids_),
            fis.start_instances(c.advance(600, 900), ids_))
    return out


@scenario("aws-autoscaling-lifecycle", BENIGN, Cloud.AWS,
          description="An Auto Scaling group replaces an unhealthy instance: launch from the launch template's AMI, "
                      "then terminate the old instance (service-linked role, invokedBy autoscaling.amazonaws.com).",
          events="RunInstances, TerminateInstances by AWSServiceRoleForAutoScaling",
          duration=timedelta(minutes=15))
def autoscaling_lifecycle(ctx: Context) -> Outcome:
    prod = ctx.estate.aws_account("prod")
    old = ctx.pick(prod.instances)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["autoscaling"], old.region)
    new = ctx.ids.ec2("i")
    out = Outcome(actor=s.identity, target=old, entities={
        "identity": s.identity.arn, "account": prod.account_id, "region": old.region, "instance": new,
        "replaced_instance": old.instance_id, "image": old.image_id})
    c = ctx.clock
    out.add(s.run_instances(c.now, old.image_id, old.instance_type, old.zone, instance_id=new,
                            subnet=instance_subnet(old),
                            private_ip=f"10.20.{ctx.rng.randrange(255)}.{ctx.rng.randrange(4, 250)}",
                            tags={"aws:autoscaling:groupName": f"{old.name.rsplit('-', 1)[0]}-asg"}),
            s.terminate_instances(c.advance(180, 420), [old.instance_id]))
    return out


@scenario("aws-dry-run-checks", BENIGN, Cloud.AWS,
          description="An engineer checks permissions with DryRun before a maintenance window; nothing changes.",
          events="CreateReplaceRootVolumeTask and CreateVolume (snapshotId) with errorCode Client.DryRunOperation",
          duration=timedelta(minutes=10))
def dry_run_checks(ctx: Context) -> Outcome:
    prod = ctx.estate.aws_account("prod")
    target = ctx.pick(prod.instances)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["ops-sso"], target.region)
    out = Outcome(actor=s.identity, target=target, entities={
        "identity": s.identity.arn, "account": prod.account_id, "region": target.region,
        "instance": target.instance_id, "snapshot": target.snapshots[-1]})
    c = ctx.clock
    out.add(s.create_replace_root_volume_task(c.now, target.instance_id, task_id="replacevol-0" + ctx.ids.hex(16),
                                              snapshot_id=target.snapshots[-1], dry_run=True),
            s.create_volume(c.advance(30, 120), target.zone, ctx.ids.ec2("vol"), snapshot_id=target.snapshots[-1],
                            size=target.root.size, dry_run=True))
    return out


@scenario("aws-failed-revert-attempt", BENIGN, Cloud.AWS,
          description="A developer without permission tries to restore a staging root volume; every call is denied "
                      "and nothing changes.",
          events="CreateReplaceRootVolumeTask and CreateVolume (snapshotId) with errorCode "
                 "Client.UnauthorizedOperation and responseElements null",
          duration=timedelta(minutes=10))
def failed_attempt(ctx: Context) -> Outcome:
    staging = ctx.estate.aws_account("staging")
    target = ctx.pick(staging.instances)
    s = CloudTrailSession(ctx, ctx.estate.aws_identities["dev-sso"], target.region)
    out = Outcome(actor=s.identity, target=target, entities={
        "identity": s.identity.arn, "account": staging.account_id, "region": target.region,
        "instance": target.instance_id, "snapshot": target.snapshots[0]})
    c = ctx.clock
    out.add(s.create_replace_root_volume_task(c.now, target.instance_id, task_id="replacevol-0" + ctx.ids.hex(16),
                                              snapshot_id=target.snapshots[0],
                                              error=s.unauthorized("CreateReplaceRootVolumeTask")),
            s.create_volume(c.advance(40, 200), target.zone, ctx.ids.ec2("vol"), snapshot_id=target.snapshots[0],
                            size=target.root.size, error=s.unauthorized("CreateVolume")))
    return out


@scenario("azure-patch-rollback", BENIGN, Cloud.AZURE,
          description="Operations roll a VM back after a failed patch: a disk from the pre-patch snapshot is "
                      "swapped in under a change ticket.",
          events="disks/write (Copy from the PrePatch snapshot, ChangeTicket tag), virtualMachines/deallocate, "
                 "virtualMachines/write (osDisk), virtualMachines/start",
          duration=timedelta(minutes=40))
def patch_rollback(ctx: Context) -> Outcome:
    vm = ctx.pick(ctx.estate.azure_vms(lambda v: not v.ephemeral_os_disk))
    s = ActivityLogSession(ctx, ctx.estate.azure_identities["ops-user"], vm.subscription)
    snapshot = vm.snapshots[-1]
    disk = f"{vm.name}-osdisk-prepatch-{ctx.ids.lower_alnum(5)}"
    ticket = _change_ticket(ctx)
    out = Outcome(actor=s.identity, target=vm, entities={
        "identity": s.identity.caller, "subscription": vm.subscription, "resource_group": vm.resource_group,
        "vm": vm.resource_id(), "disk": vm.disk_id(disk), "snapshot": vm.snapshot_id(snapshot),
        "change_ticket": ticket})
    c = ctx.clock
    out.add(s.write_disk(c.now, vm, disk, {"createOption": "Copy", "sourceResourceId": vm.snapshot_id(snapshot)},
                         tags={"ChangeTicket": ticket, "Reason": "patch-rollback"}),
            s.vm_action(c.advance(60, 200), vm, "deallocate"),
            s.write_vm(c.advance(200, 400), vm, disk),
            s.vm_action(c.advance(60, 200), vm, "start"))
    return out


@scenario("azure-chaos-studio-shutdown", BENIGN, Cloud.AZURE,
          description="An Azure Chaos Studio experiment powers a VM off and starts it again, acting as the "
                      "experiment's managed identity.",
          events="experiments/start/action by an engineer, then virtualMachines/powerOff/action and "
                 "virtualMachines/start/action by the managed identity",
          duration=timedelta(minutes=30))
def chaos_shutdown(ctx: Context) -> Outcome:
    prod = ctx.estate.azure_subscriptions[0]
    vm = ctx.pick(prod.vms)
    engineer = ActivityLogSession(ctx, ctx.estate.azure_identities["ops-user"], prod.subscription_id)
    chaos = ActivityLogSession(ctx, ctx.estate.azure_identities["chaos-mi"], prod.subscription_id)
    experiment = chaos.identity.managed_identity_resource
    out = Outcome(actor=chaos.identity, target=vm, entities={
        "identity": chaos.identity.caller, "subscription": prod.subscription_id,
        "resource_group": vm.resource_group, "vm": vm.resource_id(), "experiment": experiment})
    c = ctx.clock
    out.add(engineer.request(c.now, "Microsoft.Chaos/experiments/start/action", experiment, method="POST",
                             long_running=True, completion_seconds=(2, 6)),
            chaos.vm_action(c.advance(20, 60), vm, "powerOff"),
            chaos.vm_action(c.advance(600, 900), vm, "start"))
    return out


@scenario("gcp-instance-schedule-stop-start", BENIGN, Cloud.GCP,
          description="An instance schedule (resource policy) stops a VM in the evening and starts it in the "
                      "morning, acting as the Compute Engine service agent; the VM has no local SSD.",
          events="compute.instances.stop and, hours later, compute.instances.start by the compute-system service "
                 "agent",
          duration=timedelta(hours=13))
def instance_schedule(ctx: Context) -> Outcome:
    project = ctx.estate.gcp_projects[0]
    instance = ctx.pick([i for i in project.instances if not i.local_ssd])
    s = AuditLogSession(ctx, ctx.estate.gcp_identities["compute-agent"], project.project_id, ip="")
    out = Outcome(actor=s.identity, target=instance, entities={
        "identity": s.identity.email, "project": project.project_id, "zone": instance.zone,
        "instance": f"projects/{project.project_id}/zones/{instance.zone}/instances/{instance.name}"})
    c = ctx.clock
    out.add(s.stop(c.now, instance), s.start(c.advance(11 * 3600, 12 * 3600), instance))
    return out
