"""The seed detection (the KQL of ../shared/seed, kept verbatim as the baseline rule) on a fixture
where every row tests one of its filters; the expected rows are written out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from revertguard.ingest import ingest
from revertguard.rules import load_rules

from .conftest import NOW, insert

SEED = load_rules("seed")[0].query
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "T1578.004-sentinel-detection.txt"
H = timedelta(hours=1)
DISK = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1"


def azure(caller, hours_ago, op, status, props, **extra):
    return dict(Caller=caller, CallerIpAddress=f"10.0.0.{int(hours_ago)}", TimeGenerated=NOW - hours_ago * H,
                OperationNameValue=op, ActivityStatusValue=status, Properties_d=props, _ResourceId=DISK,
                ResourceGroup="rg1", SubscriptionId="s1", **extra)


def aws(arn, hours_ago, event, error, request="{}"):
    return dict(UserIdentityArn=arn, SourceIpAddress="198.51.100.7", TimeGenerated=NOW - hours_ago * H,
                EventName=event, ErrorCode=error, RequestParameters=request, AWSRegion="eu-west-1",
                RecipientAccountId="111122223333")


@pytest.fixture
def seeded(store):
    insert(store, "AzureActivity", [
        azure("az1-upper-op", 1, "MICROSOFT.COMPUTE/DISKS/WRITE", "Success",
              {"creationData": {"createOption": "Copy"}}),
        azure("az2-lower-status", 2, "Microsoft.Compute/restorePoints/write", "success",
              {"message": "restorePoint created"}),
        azure("az3-failure", 3, "Microsoft.Compute/disks/write", "Failure", {"x": "snapshot"}),
        azure("az4-old", 72, "Microsoft.Compute/disks/write", "Success", {"x": "snapshot"}),
        azure("az5-writeX", 5, "Microsoft.Compute/disks/writeX", "Success", {"x": "snapshot"}),
        azure("az6-substr-only", 6, "Microsoft.Compute/disks/write", "Success",
              {"note": "snapshots restorePoints copying"}),
        azure("az7-succeeded-not-success", 7, "Microsoft.Compute/disks/write", "Succeeded", {"x": "snapshot"}),
        azure("az8-SUCCESS", 8, "Microsoft.Compute/virtualMachines/write", "SUCCESS", {"x": "Snapshot"}),
        azure("az9-key-only", 9, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/"
              "protectedItems/recovery/action", "Success", {"creationData": None}),
    ])
    insert(store, "AWSCloudTrail", [
        aws("arn:aws1-empty-err", 1.5, "CopySnapshot", "", '{"sourceSnapshotId":"snap-1"}'),
        aws("arn:aws2-null-err", 2.5, "RunInstances", None),
        aws("arn:aws3-lowercase-event", 3.5, "copysnapshot", ""),
        aws("arn:aws4-error", 4.5, "StopInstances", "AccessDenied"),
        aws("arn:aws5-start", 5.5, "StartInstances", "", None),
        aws("arn:aws6-describe", 6.5, "DescribeInstances", ""),
        aws("arn:aws7-old", 50, "CopySnapshot", ""),
        aws("arn:aws8-restoreimage", 8.5, "CreateRestoreImageTask", "", '{"bucket":"b"}'),
    ])
    return store


COLUMNS = ["TimeGenerated", "CloudProvider", "ActorIdentity", "SourceIP", "Operation", "TargetResource",
           "ResourceGroup", "SubscriptionId", "AWSRegion", "RecipientAccountId", "IsEphemeralReset",
           "IsSnapshotRestore"]
RECOVERY = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recovery/action"
EXPECTED = [  # sorted by TimeGenerated, newest first
    (NOW - 1 * H, "Azure", "az1-upper-op", "10.0.0.1", "MICROSOFT.COMPUTE/DISKS/WRITE", DISK, "rg1", "s1", "", "",
     False, False),
    (NOW - 1.5 * H, "AWS", "arn:aws1-empty-err", "198.51.100.7", "CopySnapshot", '{"sourceSnapshotId":"snap-1"}',
     "", "", "eu-west-1", "111122223333", False, True),
    # restorePoints is the term, so `has "restorePoint"` is false: not flagged as a snapshot restore.
    (NOW - 2 * H, "Azure", "az2-lower-status", "10.0.0.2", "Microsoft.Compute/restorePoints/write", DISK, "rg1",
     "s1", "", "", False, False),
    (NOW - 2.5 * H, "AWS", "arn:aws2-null-err", "198.51.100.7", "RunInstances", "{}", "", "", "eu-west-1",
     "111122223333", False, False),
    (NOW - 5.5 * H, "AWS", "arn:aws5-start", "198.51.100.7", "StartInstances", "", "", "", "eu-west-1",
     "111122223333", True, False),
    (NOW - 8 * H, "Azure", "az8-SUCCESS", "10.0.0.8", "Microsoft.Compute/virtualMachines/write", DISK, "rg1", "s1",
     "", "", False, False),
    (NOW - 8.5 * H, "AWS", "arn:aws8-restoreimage", "198.51.100.7", "CreateRestoreImageTask", '{"bucket":"b"}', "",
     "", "eu-west-1", "111122223333", False, True),
    (NOW - 9 * H, "Azure", "az9-key-only", "10.0.0.9", RECOVERY, DISK, "rg1", "s1", "", "", False, True),
]


def test_seed_query_returns_exactly_the_expected_rows(q, seeded):
    result = q(SEED)
    assert result.names == COLUMNS
    assert [c.type.value for c in result.columns] == ["datetime"] + ["string"] * 9 + ["bool", "bool"]
    assert result.rows == EXPECTED


def test_seed_query_time_window_follows_the_pinned_clock(q, seeded):
    # Three hours later, the rows older than 21 h before NOW fall out of the 24 h window.
    later = q(SEED, now=NOW + 16 * H)
    assert [r[2] for r in later.rows] == [r[2] for r in EXPECTED if r[0] > NOW - 8 * H]


def test_baseline_rule_is_the_shared_seed_verbatim():
    if not SHARED_SEED.is_file():
        pytest.skip("../shared/seed is not present")
    assert SEED.strip() in SHARED_SEED.read_text()


def test_seed_on_real_stratus_red_team_logs(q, store, realdata):
    # StopInstances -> ModifyInstanceAttribute -> StartInstances on one instance (Stratus ec2-user-data).
    path = realdata / "stratus-red-team" / "docs" / "detonation-logs" / "aws.execution.ec2-user-data.json"
    report = ingest([str(path)], store)
    assert report.ok
    result = q(SEED, now=datetime(2024, 8, 1, 13, 0, 0))
    assert [(r["Operation"], r["IsEphemeralReset"], r["IsSnapshotRestore"]) for r in result.to_dicts()] == [
        ("StartInstances", True, False), ("StopInstances", True, False)]
    assert all(r["CloudProvider"] == "AWS" and r["ResourceGroup"] == "" for r in result.to_dicts())
    assert "instancesSet" in result.to_dicts()[0]["TargetResource"]


# -- every engine, on the simulated sample corpus ---------------------------------------------------

SAMPLE_NOW = datetime(2026, 11, 21, 23, 59)


@pytest.fixture(scope="module")
def sample_corpus(tmp_path_factory):
    """The bundled sample (every scenario, two days of noise) in a store and as Parquet."""
    from revertguard.parquet import export_tables
    from revertguard.samples import sample_logs_dir
    from revertguard.store import Store

    with Store() as store:
        assert ingest([str(sample_logs_dir())], store).ok
        root = tmp_path_factory.mktemp("sample-parquet")
        export_tables(store, root)
        yield store, root


def test_seed_on_the_sample_corpus_is_the_same_from_the_store_and_from_parquet(sample_corpus):
    from revertguard.kql import DuckDBEngine

    store, root = sample_corpus
    expected = DuckDBEngine(store).run(SEED, now=SAMPLE_NOW)
    assert len(expected.rows) > 20
    assert DuckDBEngine.over_parquet(root).run(SEED, now=SAMPLE_NOW).rows == expected.rows


@pytest.mark.spark
def test_seed_on_the_sample_corpus_is_the_same_on_spark(sample_corpus, spark):
    from revertguard.kql import DuckDBEngine
    from revertguard.kql.spark_engine import SparkEngine

    from ..engines import assert_same_result

    store, root = sample_corpus
    expected = DuckDBEngine(store).run(SEED, now=SAMPLE_NOW)
    engine = SparkEngine(str(root), session=spark)
    try:
        actual = engine.run(SEED, now=SAMPLE_NOW)
    finally:
        engine.close()
    assert_same_result(expected, actual, "the seed rule")
    # Sorted by TimeGenerated: the order agrees too wherever the times differ.
    assert [r[0] for r in actual.rows] == [r[0] for r in expected.rows]
