"""What the simulated organisation knows beside its logs: its inventory and its approvals.

A real organisation has a machine inventory (a CMDB, or `describe-instances` output) and records
of who may restore machines and which changes were approved. revertguard's rules read both as
watchlists, so the simulator writes them too, as the organisation would fill them in:

* `RevertGuardInstanceInventory`: every machine of the estate, with what a stop wipes on it;
* `RevertGuardApprovedIdentities`: the DR operator role, the backup administrators, the
  start/stop automation;
* `RevertGuardCicdPrincipals`: the pipeline role that resets staging;
* `RevertGuardChaosRoles`: the Fault Injection Service role and the Chaos Studio identity;
* `RevertGuardChangeTickets`: the tickets of the changes the benign scenarios carry out;
* `RevertGuardMaintenanceWindows`: the window of each of those changes, on the machine it touches.

The intruders' identities are deliberately in none of them, and neither are the broad
administrator roles an intruder's stolen session uses.
"""

from __future__ import annotations

from datetime import timedelta

from revertguard.simulate.model import Simulation

WATCHLISTS_FOLDER = "revertguard-watchlists"  # ingest skips it by this name


def organisation_watchlists(sim: Simulation) -> dict[str, list[dict[str, str]]]:
    """Watchlist rows (alias -> rows of column: value) describing the simulated organisation."""
    return {
        "RevertGuardInstanceInventory": _inventory(sim),
        "RevertGuardApprovedIdentities": _approved(sim),
        "RevertGuardCicdPrincipals": _pipelines(sim),
        "RevertGuardChaosRoles": _chaos(sim),
        "RevertGuardChangeTickets": _tickets(sim),
        "RevertGuardMaintenanceWindows": _windows(sim),
    }


def _inventory(sim: Simulation) -> list[dict[str, str]]:
    estate = sim.estate
    rows = [{"Resource": i.instance_id, "Cloud": "aws", "Scope": i.account, "InstanceType": i.instance_type,
             "EphemeralStorage": "instance-store" if i.has_instance_store else "none", "RootDevice": i.root_device,
             "Name": i.name} for i in estate.aws_instances()]
    rows += [{"Resource": v.resource_id().lower(), "Cloud": "azure", "Scope": v.subscription, "InstanceType": v.size,
              "EphemeralStorage": "temp-disk" if v.has_temp_disk else "none", "RootDevice": "", "Name": v.name}
             for v in estate.azure_vms()]
    rows += [{"Resource": f"projects/{i.project}/zones/{i.zone}/instances/{i.name}", "Cloud": "gcp", "Scope": i.project,
              "InstanceType": i.machine_type, "EphemeralStorage": "local-ssd" if i.local_ssd else "none",
              "RootDevice": "", "Name": i.name} for i in estate.gcp_instances()]
    return rows


def _approved(sim: Simulation) -> list[dict[str, str]]:
    aws, azure = sim.estate.aws_identities, sim.estate.azure_identities
    dr, backup = aws["dr-operator"], aws["backup-admin"]
    automation = azure["automation-mi"]
    return [
        {"Identity": dr.role_arn, "Cloud": "aws", "Scope": dr.account,
         "Operations": "CreateVolume,AttachVolume,DetachVolume,StopInstances,StartInstances,"
                       "CreateReplaceRootVolumeTask",
         "Reason": "disaster recovery runbook DR-RB-07", "Owner": "cloud-platform@example.com", "Expires": ""},
        {"Identity": backup.role_arn, "Cloud": "aws", "Scope": backup.account, "Operations": "StartRestoreJob",
         "Reason": "backup administrators", "Owner": "cloud-platform@example.com", "Expires": ""},
        {"Identity": automation.object_id, "Cloud": "azure", "Scope": "*",
         "Operations": "Microsoft.Compute/virtualMachines/deallocate/action,"
                       "Microsoft.Compute/virtualMachines/start/action",
         "Reason": "nightly start/stop schedule (ops-startstop)", "Owner": "cloud-platform@example.com", "Expires": ""},
    ]


def _pipelines(sim: Simulation) -> list[dict[str, str]]:
    cicd = sim.estate.aws_identities["cicd"]
    return [{"Identity": cicd.role_arn, "Cloud": "aws", "Scope": cicd.account, "Pipeline": "acme/web deploy-staging",
             "Description": "resets staging instances to the golden AMI before integration tests"}]


def _chaos(sim: Simulation) -> list[dict[str, str]]:
    fis, chaos = sim.estate.aws_identities["fis-role"], sim.estate.azure_identities["chaos-mi"]
    return [{"Identity": fis.role_arn, "Cloud": "aws", "Scope": fis.account, "Service": "fis",
             "Description": "weekly AZ failure game day"},
            {"Identity": chaos.object_id, "Cloud": "azure", "Scope": "*", "Service": "chaos-studio",
             "Description": "vm-shutdown-weekly experiment"}]


def _tickets(sim: Simulation) -> list[dict[str, str]]:
    rows = []
    for run in sim.runs:
        ticket = run.outcome.entities.get("change_ticket")
        if not ticket:
            continue
        events = run.all_events
        scope = run.outcome.entities.get("account") or run.outcome.entities.get("subscription") or "*"
        rows.append({"Ticket": ticket, "TagKey": "ChangeTicket", "Cloud": run.spec.cloud.value, "Scope": scope,
                     "ValidFrom": _iso(events[0].time - timedelta(hours=1)),
                     "ValidUntil": _iso(events[-1].time + timedelta(hours=1)),
                     "Description": run.spec.description})
    return rows


def _windows(sim: Simulation) -> list[dict[str, str]]:
    """A change's maintenance window, scoped to the machine it restores (the instance or VM id)."""
    rows = []
    for ticket in _tickets(sim):
        run = next(r for r in sim.runs if r.outcome.entities.get("change_ticket") == ticket["Ticket"])
        machine = run.outcome.entities.get("instance") or run.outcome.entities.get("vm", "")
        rows.append({"Scope": machine.lower() if machine.startswith("/") else machine, "Cloud": ticket["Cloud"],
                     "Start": ticket["ValidFrom"], "End": ticket["ValidUntil"], "Ticket": ticket["Ticket"],
                     "Description": ticket["Description"]})
    return rows


def _iso(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
