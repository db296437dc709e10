"""The rules on real public logs (../shared/realdata): what they say, and what they do not."""

from __future__ import annotations

from revertguard.detect.scan import scan


def test_stratus_user_data_swap_is_not_called_a_revert(realdata):
    """Stratus `aws.execution.ec2-user-data`: stop -> ModifyInstanceAttribute(userData) -> start.

    Nothing is restored and no ephemeral storage is known to exist on the instance, so no
    revert rule fires (this is T1059.009, execution at boot); the seed rule flags the stop and
    the start as two separate alerts, and their event ids are matched back from the table.
    """
    path = realdata / "stratus-red-team" / "docs" / "detonation-logs" / "aws.execution.ec2-user-data.json"
    improved = scan([str(path)])
    assert improved.ingest.rejected == 0
    assert improved.findings.alerts == [] and improved.findings.incidents == []
    seed = scan([str(path)], rules="seed").findings
    assert sorted(a.rows[0]["Operation"] for a in seed.alerts) == ["StartInstances", "StopInstances"]
    assert all(a.event_ids_inferred and len(a.source_event_ids) == 1 for a in seed.alerts)


def test_all_stratus_detonations_raise_no_revert_alert(realdata):
    result = scan([str(realdata / "stratus-red-team" / "docs" / "detonation-logs")])
    assert result.ingest.added == 310
    # Snapshot and AMI sharing (exfiltration) alone is context, not a revert.
    assert result.findings.alerts == []


def test_sentinel_training_lab_activity_raises_nothing(realdata):
    result = scan([str(realdata / "sentinel-training-lab")], rules="all")
    assert result.ingest.added == 348 and result.findings.alerts == []
