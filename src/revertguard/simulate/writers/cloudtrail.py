"""CloudTrail writers: the S3 delivery layout of a trail, and JSON Lines.

A trail delivers gzip files of `{"Records": [...]}` about every five minutes per account and
region, to `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` under a name holding the
delivery time (`<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from revertguard.simulate.ids import Ids
from revertguard.simulate.model import Cloud, Event, Simulation
from revertguard.simulate.writers.common import gzip_bytes, json_bytes, json_lines, write_file

DELIVERY_INTERVAL = timedelta(minutes=5)


def _bucket(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


def write_s3_layout(sim: Simulation, root: Path) -> None:
    files: dict[tuple[str, str, datetime], list[Event]] = defaultdict(list)
    for event in sim.events(Cloud.AWS):
        account, region = event.partition
        files[(account, region, _bucket(event.time))].append(event)
    for (account, region, bucket), events in sorted(files.items()):
        rng = random.Random(f"{sim.seed}/trail/{account}/{region}/{bucket.isoformat()}")
        delivered = bucket + DELIVERY_INTERVAL + timedelta(seconds=rng.uniform(60, 420))
        name = (f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%M}Z_"
                f"{Ids(rng).trail_file_suffix()}.json.gz")
        path = root / "AWSLogs" / account / "CloudTrail" / region / f"{delivered:%Y/%m/%d}" / name
        write_file(path, gzip_bytes(json_bytes({"Records": [e.record for e in events]})))


def write_json_lines(sim: Simulation, root: Path) -> None:
    write_file(root / "cloudtrail.jsonl", json_lines([e.record for e in sim.events(Cloud.AWS)]))
