"""Background noise: the everyday management activity every estate logs, per cloud.

Each activity is a small function that leaves one to a few records. Activities are weighted
by how common they are, and people work mostly in office hours while automation runs around
the clock, so the mix looks like a real day. Several activities deliberately resemble parts
of a revert (routine stop/start, volumes without snapshots, nightly snapshots and copies,
patch run commands), because a rule has to tell those apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from revertguard.simulate.aws import CloudTrailSession, instance_subnet
from revertguard.simulate.azure import ActivityLogSession
from revertguard.simulate.estate import TRICKY_USER_AGENT, Estate
from revertguard.simulate.gcp import AuditLogSession
from revertguard.simulate.model import Cloud, Context, Event

Activity = Callable[[Context], list[Event]]


@dataclass(frozen=True)
class NoiseActivity:
    weight: int
    office_hours: bool  # done by people (mostly 08:00-19:00 UTC) or by automation (any time)
    make: Activity


# -- AWS -------------------------------------------------------------------------------------

def _aws_session(ctx: Context, key: str, instance=None) -> tuple[CloudTrailSession, object]:
    identity = ctx.estate.aws_identities[key]
    pool = ctx.estate.aws_instances(lambda i: i.account == identity.account)
    target = instance or ctx.rng.choice(pool)
    return CloudTrailSession(ctx, identity, target.region), target


def _aws_describe(ctx: Context) -> list[Event]:
    s, _ = _aws_session(ctx, ctx.rng.choice(("config-role", "ops-sso", "console-admin", "dev-sso", "cicd")))
    call = ctx.rng.choice((s.describe_instances, s.describe_volumes, s.describe_snapshots, s.describe_images))
    return [call(ctx.clock.now)]


def _aws_assume_role(ctx: Context) -> list[Event]:
    s, _ = _aws_session(ctx, "legacy-deploy")
    role = ctx.estate.aws_identities["cicd"]
    return [s.assume_role(ctx.clock.now, f"arn:aws:iam::{s.account}:role/deploy-artifacts",
                          f"deploy-{ctx.ids.digits(10)}", role.principal_id)]


def _aws_caller_identity(ctx: Context) -> list[Event]:
    s, _ = _aws_session(ctx, ctx.rng.choice(("ops-sso", "dev-sso", "app-role", "cicd")))
    return [s.get_caller_identity(ctx.clock.now)]


def _aws_tags(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, ctx.rng.choice(("ops-sso", "cicd", "dev-sso")))
    return [s.create_tags(ctx.clock.now, [target.instance_id],
                          {"CostCenter": ctx.rng.choice(("1234", "5678", "9012")), "Owner": "platform"})]


def _aws_scheduled_stop_or_start(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, "scheduler")
    if ctx.clock.now.hour >= 18 or ctx.clock.now.hour < 6:
        return [s.stop_instances(ctx.clock.now, [target.instance_id])]
    return [s.start_instances(ctx.clock.now, [target.instance_id])]


def _aws_new_blank_volume(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, ctx.rng.choice(("cicd", "dev-sso")))
    volume = ctx.ids.ec2("vol")
    c = ctx.clock
    return [s.create_volume(c.now, target.zone, volume, size=ctx.rng.choice((20, 50, 100)),
                            tags={"Name": f"{target.name}-scratch"}),
            s.attach_volume(c.advance(20, 90), volume, target.instance_id, ctx.rng.choice(("/dev/sdh", "/dev/sdi")))]


def _aws_nightly_snapshots(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, "dlm")
    volumes = [target.root, *target.data]
    snaps = [(ctx.ids.ec2("snap"), v.volume_id, v.size) for v in volumes]
    events = [s.create_snapshots(ctx.clock.now, target.instance_id, snaps,
                                 {"dlm:managed": "true", "aws:dlm:lifecycle-policy-id": "policy-0" + ctx.ids.hex(16)})]
    if ctx.rng.random() < 0.5:
        dr = CloudTrailSession(ctx, s.identity, "us-west-2")
        events.append(dr.copy_snapshot(ctx.clock.advance(600, 1800), target.region, snaps[0][0], ctx.ids.ec2("snap")))
    return events


def _aws_app_reads(ctx: Context) -> list[Event]:
    s, _ = _aws_session(ctx, "app-role")
    bucket = ctx.estate.aws_account("prod").buckets[1]
    c = ctx.clock
    return [s.get_object(c.advance(0, 30), bucket, f"releases/app-{ctx.rng.randint(100, 140)}.tar.gz",
                         ctx.rng.randint(10_000, 5_000_000)) for _ in range(ctx.rng.randint(1, 3))]


def _aws_patch_run_command(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, "ops-sso")
    return [s.send_command(ctx.clock.now, [target.instance_id], "AWS-RunPatchBaseline")]


def _aws_deploy_instance(ctx: Context) -> list[Event]:
    s, target = _aws_session(ctx, "cicd")
    new = ctx.ids.ec2("i")
    return [s.run_instances(ctx.clock.now, target.image_id, target.instance_type, target.zone, instance_id=new,
                            subnet=instance_subnet(target), private_ip=f"10.30.{ctx.rng.randrange(255)}.9",
                            tags={"Name": f"{target.name}-canary"}),
            s.terminate_instances(ctx.clock.advance(1200, 3000), [new])]


_AWS = (
    NoiseActivity(30, False, _aws_describe),
    NoiseActivity(8, False, _aws_assume_role),
    NoiseActivity(8, True, _aws_caller_identity),
    NoiseActivity(6, True, _aws_tags),
    NoiseActivity(6, False, _aws_scheduled_stop_or_start),
    NoiseActivity(4, True, _aws_new_blank_volume),
    NoiseActivity(4, False, _aws_nightly_snapshots),
    NoiseActivity(12, False, _aws_app_reads),
    NoiseActivity(3, True, _aws_patch_run_command),
    NoiseActivity(3, True, _aws_deploy_instance),
)


# -- Azure -----------------------------------------------------------------------------------

def _azure_session(ctx: Context, key: str, vm=None):
    vm = vm or ctx.rng.choice(ctx.estate.azure_vms())
    return ActivityLogSession(ctx, ctx.estate.azure_identities[key], vm.subscription), vm


def _azure_tags(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, ctx.rng.choice(("pipeline-sp", "ops-user", "dev-user")))
    return s.tag_resource(ctx.clock.now, vm.resource_id(), {"costCenter": ctx.rng.choice(("1234", "5678")),
                                                             "env": vm.subscription[:4]})


def _azure_deployment(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, "pipeline-sp")
    return s.deployment(ctx.clock.now, vm.resource_group, f"release-{ctx.ids.digits(8)}")


def _azure_list_keys(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, ctx.rng.choice(("pipeline-sp", "automation-mi")))
    return s.list_storage_keys(ctx.clock.now, vm.resource_group, f"{vm.resource_group.replace('-', '')}diag")


def _azure_scheduled_power(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, "automation-mi")
    action = "deallocate" if ctx.clock.now.hour >= 18 or ctx.clock.now.hour < 6 else "start"
    return s.vm_action(ctx.clock.now, vm, action)


def _azure_nightly_snapshot(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, "automation-mi")
    return s.write_snapshot(ctx.clock.now, vm, f"{vm.name}-osdisk-snap-{ctx.clock.now:%Y%m%d%H%M}",
                            tags={"createdBy": "ops-startstop", "retentionDays": "14"})


def _azure_blank_data_disk(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, ctx.rng.choice(("dev-user", "pipeline-sp")))
    return s.write_disk(ctx.clock.now, vm, f"{vm.name}-data-{ctx.ids.lower_alnum(4)}", {"createOption": "Empty"},
                        size_gb=ctx.rng.choice((64, 128, 256)), os_type=None)


def _azure_security_rule(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, "ops-user")
    return s.security_rule(ctx.clock.now, vm.resource_group, f"{vm.name}-nsg", "allow-https-office", 443)


def _azure_patch_run_command(ctx: Context) -> list[Event]:
    s, vm = _azure_session(ctx, "ops-user")
    return s.vm_action(ctx.clock.now, vm, "runCommand", {"commandId": "RunShellScript", "script": ["<redacted>"]},
                       completion_seconds=(20, 120))


_AZURE = (
    NoiseActivity(10, True, _azure_tags),
    NoiseActivity(6, False, _azure_deployment),
    NoiseActivity(10, False, _azure_list_keys),
    NoiseActivity(6, False, _azure_scheduled_power),
    NoiseActivity(4, False, _azure_nightly_snapshot),
    NoiseActivity(3, True, _azure_blank_data_disk),
    NoiseActivity(3, True, _azure_security_rule),
    NoiseActivity(2, True, _azure_patch_run_command),
)


# -- GCP -------------------------------------------------------------------------------------

def _gcp_session(ctx: Context, key: str, **kwargs):
    instance = ctx.rng.choice(ctx.estate.gcp_instances())
    return AuditLogSession(ctx, ctx.estate.gcp_identities[key], instance.project, **kwargs), instance


def _gcp_labels(ctx: Context) -> list[Event]:
    s, instance = _gcp_session(ctx, "terraform-sa")
    return s.set_labels(ctx.clock.now, instance, {"env": instance.project.split("-")[1], "owner": "platform"})


def _gcp_scheduled_snapshot(ctx: Context) -> list[Event]:
    s, instance = _gcp_session(ctx, "compute-agent", ip="")
    name = f"{instance.name}-{ctx.clock.now:%Y%m%d%H%M%S}-{ctx.ids.lower_alnum(8)}"  # snapshot-schedule naming
    return s.create_snapshot(ctx.clock.now, instance, name)


def _gcp_user_stop_or_start(ctx: Context) -> list[Event]:
    s, instance = _gcp_session(ctx, ctx.rng.choice(("ops-user", "dev-user")))
    if ctx.rng.random() < 0.5:
        return s.stop(ctx.clock.now, instance)
    return s.start(ctx.clock.now, instance)


def _gcp_blank_disk(ctx: Context) -> list[Event]:
    s, instance = _gcp_session(ctx, "terraform-sa")
    events, _ = s.insert_disk(ctx.clock.now, instance.zone, f"{instance.name}-data-{ctx.ids.lower_alnum(4)}",
                              size_gb=ctx.rng.choice((50, 100)), labels={"managed-by": "terraform"})
    return events


def _gcp_object_reads(ctx: Context) -> list[Event]:
    s, _ = _gcp_session(ctx, "staging-ci-sa")
    project = ctx.estate.gcp_projects[1]
    c = ctx.clock
    return [s.read_object(c.advance(0, 20), project.buckets[0], f"artifacts/build-{ctx.rng.randint(900, 999)}.zip")
            for _ in range(ctx.rng.randint(1, 3))]


_GCP = (
    NoiseActivity(8, False, _gcp_labels),
    NoiseActivity(4, False, _gcp_scheduled_snapshot),
    NoiseActivity(5, True, _gcp_user_stop_or_start),
    NoiseActivity(3, False, _gcp_blank_disk),
    NoiseActivity(10, False, _gcp_object_reads),
)

_BY_CLOUD = {Cloud.AWS: _AWS, Cloud.AZURE: _AZURE, Cloud.GCP: _GCP}


def _moment(rng: random.Random, start: datetime, end: datetime, office_hours: bool) -> datetime:
    """A random time in [start, end); for people, redrawn (a few times) until it is in office hours."""
    span = (end - start).total_seconds()
    moment = start
    for _ in range(6):
        moment = start + timedelta(seconds=rng.uniform(0, span))
        if not office_hours or 8 <= moment.hour < 19:
            break
    return moment


@dataclass
class Noise:
    """The background events, and the few that carry hostile text on purpose."""

    events: list[Event]
    tricky: list[dict]


def background_noise(estate: Estate, seed: int, start: datetime, end: datetime, per_day: int) -> Noise:
    """Background activity for every cloud: about `per_day` activities per cloud per day."""
    days = (end - start).total_seconds() / 86400
    events: list[Event] = []
    for cloud, activities in _BY_CLOUD.items():
        rng = random.Random(f"{seed}/noise/{cloud.value}")
        weights = [a.weight for a in activities]
        for _ in range(round(per_day * days)):
            activity = rng.choices(activities, weights)[0]
            moment = _moment(rng, start, end, activity.office_hours)
            ctx = Context.seeded(f"{seed}/noise/{cloud.value}/{rng.getrandbits(64)}", estate, moment)
            events.extend(e for e in activity.make(ctx) if e.time < end)
    tricky = []
    if per_day > 0:
        event = _tricky_event(estate, seed, start, end)
        events.append(event)
        tricky.append({"event": event.event_id, "cloud": event.cloud.value, "field": "userAgent",
                       "why": "markup, script and template text, to test that outputs escape log values"})
    return Noise(events, tricky)


def _tricky_event(estate: Estate, seed: int, start: datetime, end: datetime) -> Event:
    """One CloudTrail record whose userAgent holds markup and script text (for escaping tests)."""
    ctx = Context.seeded(f"{seed}/noise/tricky", estate, start + (end - start) / 3)
    identity = estate.aws_identities["console-admin"]
    session = CloudTrailSession(ctx, identity, estate.aws_accounts[0].regions[0], user_agent=TRICKY_USER_AGENT)
    return session.describe_instances(ctx.clock.now)
