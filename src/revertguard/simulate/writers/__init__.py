"""One writer per raw format ingest reads, registered by name.

Each writer lays a simulation's events out the way the real delivery mechanism does, under its
own folder of the output directory, so every format of one simulation can sit side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from revertguard.simulate.model import Simulation
from revertguard.simulate.writers import azure, cloudtrail, gcp, sentinel


@dataclass(frozen=True)
class LogFormat:
    name: str
    folder: str  # relative to the output directory
    description: str
    write: Callable[[Simulation, Path], None]


FORMATS: dict[str, LogFormat] = {f.name: f for f in (
    LogFormat("cloudtrail-s3", "aws/cloudtrail-s3", "CloudTrail trail delivery: AWSLogs/<account>/CloudTrail/"
              "<region>/YYYY/MM/DD/*.json.gz, one file per account, region and 5 minutes",
              cloudtrail.write_s3_layout),
    LogFormat("cloudtrail-jsonl", "aws/cloudtrail-jsonl", "CloudTrail records as JSON Lines",
              cloudtrail.write_json_lines),
    LogFormat("azure-rest", "azure/rest", "Activity Log as `az monitor activity-log list` prints it (REST format), "
              "one file per subscription", azure.write_rest),
    LogFormat("azure-storage", "azure/storage", "diagnostic-settings export to a storage account: "
              "insights-activity-logs/resourceId=/SUBSCRIPTIONS/<ID>/y=/m=/d=/h=/m=00/PT1H.json", azure.write_storage),
    LogFormat("azure-eventhub", "azure/eventhub", "diagnostic-settings Event Hub messages {\"records\": [...]}, one "
              "per line", azure.write_event_hub),
    LogFormat("gcp-jsonl", "gcp/jsonl", "LogEntry JSON Lines, one file per project", gcp.write_json_lines),
    LogFormat("gcp-gcs", "gcp/gcs", "Cloud Storage sink layout: <log id>/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json",
              gcp.write_storage_sink),
    LogFormat("sentinel-csv", "sentinel/csv", "Sentinel portal CSV export of each table", sentinel.write_csv),
    LogFormat("sentinel-json", "sentinel/json", "Log Analytics query API result of each table", sentinel.write_json),
)}

# One raw format per cloud: ingesting the whole output folder then loads every event once.
DEFAULT_FORMATS = ("cloudtrail-s3", "azure-storage", "gcp-jsonl")
