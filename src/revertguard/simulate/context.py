"""Intrusion context: what the same identity did shortly before a revert.

The seed describes reverting as the last step of an intrusion: exfiltrate, move laterally, then
restore the instance to destroy the evidence. With the intrusion-context option every attack
scenario is preceded by one of these, acting as the same identity from the same address.
"""

from __future__ import annotations

from collections.abc import Callable

from revertguard.simulate.aws import CloudTrailSession
from revertguard.simulate.azure import ActivityLogSession
from revertguard.simulate.gcp import AuditLogSession
from revertguard.simulate.model import Cloud, Context, Event, Outcome

EXFILTRATION = "exfiltration"
LATERAL_MOVEMENT = "lateral-movement"


def _aws_exfiltration(ctx: Context, outcome: Outcome) -> list[Event]:
    victim = outcome.target
    s = CloudTrailSession(ctx, outcome.actor, victim.region)
    account = ctx.estate.aws_account("prod")
    c = ctx.clock
    events = [s.get_caller_identity(c.now),
              s.describe_snapshots(c.advance(20, 60)),
              s.modify_snapshot_attribute(c.advance(30, 120), victim.snapshots[-1], ctx.estate.external_account)]
    bucket = account.buckets[2]
    for n in range(ctx.rng.randint(12, 30)):
        key = f"exports/2026/customers-{n:04d}.csv.gz"
        events.append(s.get_object(c.advance(0.2, 4), bucket, key, ctx.rng.randint(200_000, 9_000_000)))
    return events


def _aws_lateral(ctx: Context, outcome: Outcome) -> list[Event]:
    victim = outcome.target
    s = CloudTrailSession(ctx, outcome.actor, victim.region)
    neighbours = [i.instance_id for i in ctx.estate.aws_instances(
        lambda i: i.account == victim.account and i.region == victim.region and i is not victim)]
    c = ctx.clock
    events = [s.get_caller_identity(c.now),
              s.describe_instances(c.advance(10, 40)),
              s.start_session(c.advance(30, 120), victim.instance_id),
              s.send_command(c.advance(300, 900), [victim.instance_id, *ctx.rng.sample(neighbours, 2)])]
    events.append(s.start_session(c.advance(60, 300), ctx.rng.choice(neighbours)))
    return events


def _azure_exfiltration(ctx: Context, outcome: Outcome) -> list[Event]:
    vm = outcome.target
    s = ActivityLogSession(ctx, outcome.actor, vm.subscription)
    c = ctx.clock
    return [*s.list_storage_keys(c.now, vm.resource_group, f"{vm.resource_group.replace('-', '')}diag"),
            *s.disk_sas(c.advance(60, 300), vm)]


def _azure_lateral(ctx: Context, outcome: Outcome) -> list[Event]:
    vm = outcome.target
    s = ActivityLogSession(ctx, outcome.actor, vm.subscription)
    others = [v for v in ctx.estate.azure_vms(lambda v: v.subscription == vm.subscription) if v is not vm]
    body = {"commandId": "RunShellScript", "script": ["<redacted>"]}
    c = ctx.clock
    return [*s.vm_action(c.now, vm, "runCommand", body, completion_seconds=(20, 90)),
            *s.vm_action(c.advance(300, 900), ctx.rng.choice(others), "runCommand", body,
                         completion_seconds=(20, 90))]


def _gcp_exfiltration(ctx: Context, outcome: Outcome) -> list[Event]:
    instance = outcome.target
    s = AuditLogSession(ctx, outcome.actor, instance.project)
    project = ctx.estate.gcp_project(instance.project)
    c = ctx.clock
    events = s.share_snapshot(c.now, instance.snapshots[-1], "user:drop.box.4471@gmail.com")
    for n in range(ctx.rng.randint(12, 30)):
        events.append(s.read_object(c.advance(0.2, 3), project.buckets[1], f"training/batch-{n:05d}.parquet"))
    return events


def _gcp_lateral(ctx: Context, outcome: Outcome) -> list[Event]:
    instance = outcome.target
    s = AuditLogSession(ctx, outcome.actor, instance.project)
    others = [i for i in ctx.estate.gcp_instances(lambda i: i.project == instance.project) if i is not instance]
    c = ctx.clock
    return [*s.set_metadata(c.now, instance, ["ssh-keys"]),
            *s.set_metadata(c.advance(120, 600), ctx.rng.choice(others), ["ssh-keys"])]


_BUILDERS: dict[Cloud, dict[str, Callable[[Context, Outcome], list[Event]]]] = {
    Cloud.AWS: {EXFILTRATION: _aws_exfiltration, LATERAL_MOVEMENT: _aws_lateral},
    Cloud.AZURE: {EXFILTRATION: _azure_exfiltration, LATERAL_MOVEMENT: _azure_lateral},
    Cloud.GCP: {EXFILTRATION: _gcp_exfiltration, LATERAL_MOVEMENT: _gcp_lateral},
}


def add_intrusion_context(ctx: Context, cloud: Cloud, outcome: Outcome) -> None:
    """Put exfiltration or lateral movement by the scenario's actor into `outcome`, from `ctx.clock` on."""
    kind = ctx.rng.choice((EXFILTRATION, LATERAL_MOVEMENT))
    outcome.context_kind = kind
    outcome.context_events = _BUILDERS[cloud][kind](ctx, outcome)
