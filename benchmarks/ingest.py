"""Ingestion benchmark: synthetic CloudTrail in the S3 layout, ingested into a store file.

    python benchmarks/ingest.py [--records 250000 1000000] [--per-file 2000] [--floor] [--keep DIR]

For each size it writes gzipped delivery files in `AWSLogs/<account>/CloudTrail/<region>/...`
(2,000 records of about 1.4 KB each per file; real trails also deliver many small files, which
`--per-file 20` imitates), then measures, in this run:
- gunzip only: decompressing the same files with Python's gzip on one core;
- ingest: `revertguard ingest DIR --db FILE` as a separate process (so its peak memory is its
  own), in events/s and uncompressed MB/s, with the ratio to the gunzip rate.
Peak memory is printed per size, to show that it does not grow with the input.

With `--floor` it also measures, with DuckDB on all cores, the two steps any ingest into a
DuckDB store must take, and the best ratio to the gunzip rate they leave:
- read: decompressing the files and parsing them into JSON objects (`read_json_objects`),
  with no mapping to columns at all;
- store: writing the rows the ingest stored into a new store file (`CREATE TABLE AS` from the
  ingested store), which is the compression and writing of the table, with no parsing.
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import msgspec

ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
AGENTS = ["aws-cli/2.17.3 md/Botocore#1.34.131 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9",
          "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.4",
          "console.ec2.amazonaws.com", "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"]
EVENTS = [("ec2.amazonaws.com", "DescribeInstances", True), ("ec2.amazonaws.com", "StopInstances", False),
          ("ec2.amazonaws.com", "StartInstances", False), ("ec2.amazonaws.com", "CreateSnapshot", False),
          ("ec2.amazonaws.com", "CreateTags", False), ("ec2.amazonaws.com", "DescribeVolumes", True),
          ("sts.amazonaws.com", "AssumeRole", True), ("s3.amazonaws.com", "GetBucketAcl", True),
          ("iam.amazonaws.com", "ListRoles", True), ("ec2.amazonaws.com", "RunInstances", False)]


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _record(rng: random.Random, when: datetime, account: str, region: str) -> dict:
    source, name, read_only = rng.choice(EVENTS)
    role = rng.choice(["Admin", "DevOps", "ReadOnly", "ci-deployer", "backup-operator"])
    session = rng.choice(["alice", "bob", "carol", "gitlab-runner", "i-" + _hex(rng, 17)])
    instance = "i-0" + _hex(rng, 16)
    record = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole", "principalId": f"AROA{_hex(rng, 16).upper()}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
            "accessKeyId": "ASIA" + _hex(rng, 16).upper(),
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROA" + _hex(rng, 16).upper(),
                                                 "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account,
                                                 "userName": role},
                               "attributes": {"creationDate": (when - timedelta(minutes=rng.randint(1, 600)))
                                              .strftime("%Y-%m-%dT%H:%M:%SZ"),
                                              "mfaAuthenticated": rng.choice(["true", "false"])}},
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source, "eventName": name, "awsRegion": region,
        "sourceIPAddress": f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "userAgent": rng.choice(AGENTS),
        "requestParameters": {"instancesSet": {"items": [{"instanceId": instance}]},
                              "filterSet": {"items": [{"name": "tag:Environment",
                                                       "valueSet": {"items": [{"value": rng.choice(
                                                           ["prod", "staging", "dev"])}]}}]}},
        "responseElements": None if read_only else {
            "requestId": str(uuid.UUID(int=rng.getrandbits(128))),
            "instancesSet": {"items": [{"instanceId": instance, "currentState": {"code": 64, "name": "stopping"},
                                        "previousState": {"code": 16, "name": "running"}}]}},
        "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
        "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": account, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }
    if rng.random() < 0.03:
        record["errorCode"] = "Client.UnauthorizedOperation"
        record["errorMessage"] = "You are not authorized to perform this operation."
    return record


def write_corpus(root: Path, records: int, per_file: int = 2000, seed: int = 1) -> tuple[list[Path], int]:
    """Write delivery files holding `records` records; return the files and the uncompressed bytes."""
    rng = random.Random(seed)
    encode = msgspec.json.encode
    start = datetime(2026, 11, 20)
    files, raw_bytes, written = [], 0, 0
    while written < records:
        account, region = rng.choice(ACCOUNTS), rng.choice(REGIONS)
        when = start + timedelta(minutes=5 * len(files))
        count = min(per_file, records - written)
        batch = [_record(rng, when + timedelta(seconds=rng.randint(0, 299)), account, region) for _ in range(count)]
        folder = root / "AWSLogs" / account / "CloudTrail" / region / when.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{account}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{_hex(rng, 16)}.json.gz"
        data = encode({"Records": batch})
        path.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        files.append(path)
        raw_bytes += len(data)
        written += count
    return files, raw_bytes


def gunzip_seconds(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    return time.perf_counter() - started


def ingest_run(folder: Path, db: Path) -> tuple[float, float]:
    """Run `revertguard ingest` in a child process: (seconds, peak memory of the child in MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "revertguard", "ingest", str(folder), "--db", str(db)],
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"ingest failed:\n{result.stdout}\n{result.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("  (peak memory not above an earlier run's; figure is a lower bound)")
    return seconds, peak / 1024


def floor_seconds(files: list[Path], db: Path) -> tuple[float, float]:
    """(read, store): seconds DuckDB takes to decompress and parse the files into JSON objects,
    and to write the ingested store's CloudTrail rows into a fresh store file."""
    copy = db.with_name(db.stem + "-copy.duckdb")
    with duckdb.connect() as con:
        started = time.perf_counter()
        con.execute("SELECT count(*) FROM read_json_objects(?, compression = 'gzip', maximum_object_size = 1073741824)",
                    [[str(f) for f in files]]).fetchall()
        read = time.perf_counter() - started
    with duckdb.connect(str(copy)) as con:
        con.execute("ATTACH ? AS ingested (READ_ONLY)", [str(db)])
        started = time.perf_counter()
        con.execute("CREATE TABLE copied AS SELECT * FROM ingested.AWSCloudTrail")
        con.execute("CHECKPOINT")
        store = time.perf_counter() - started
    copy.unlink()
    return read, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--per-file", type=int, default=2000, help="records per delivery file (default 2000)")
    parser.add_argument("--keep", type=Path, help="write the corpora here and keep them")
    parser.add_argument("--floor", action="store_true",
                        help="also time the read and store steps on their own (see above)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="revertguard-bench-"))
    print(f"{'records':>10} {'files':>6} {'MB raw':>8} {'gunzip MB/s':>12} {'ingest s':>9} {'events/s':>10} "
          f"{'MB/s':>8} {'ratio':>6} {'peak MiB':>9}" + (f" {'read s':>7} {'store s':>8} {'best ratio':>10}"
                                                         if args.floor else ""))
    try:
        for records in sorted(args.records):
            folder = work / f"corpus-{records}-{args.per_file}"
            files, raw = write_corpus(folder, records, args.per_file)
            gz = gunzip_seconds(files)
            db = work / f"store-{records}.duckdb"
            seconds, peak = ingest_run(folder, db)
            mb = raw / 1e6
            line = (f"{records:>10} {len(files):>6} {mb:>8.0f} {mb / gz:>12.0f} {seconds:>9.2f} "
                    f"{records / seconds:>10.0f} {mb / seconds:>8.1f} {gz / seconds:>6.2f} {peak:>9.0f}")
            if args.floor:
                read, store = floor_seconds(files, db)
                line += f" {read:>7.2f} {store:>8.2f} {gz / (read + store):>10.2f}"
            print(line)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
