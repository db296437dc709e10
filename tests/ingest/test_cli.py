"""`revertguard ingest` and `revertguard tables` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from revertguard.cli import main
from tests.ingest.records import cloudtrail_record, write_json


def test_sample_ingests_cleanly(capsys):
    assert main(["ingest", "--sample"]) == 0
    out = capsys.readouterr().out
    for table in ("AWSCloudTrail", "AzureActivity", "GCPAuditLogs"):
        assert table in out
    assert "rejected 0" in out


def test_store_file_persists_and_reingesting_adds_nothing(tmp_path, capsys):
    db = tmp_path / "store.duckdb"
    path = write_json(tmp_path / "ct.json", [cloudtrail_record(n) for n in range(4)])
    assert main(["ingest", str(path), "--db", str(db)]) == 0
    assert "added 4" in capsys.readouterr().out
    assert main(["ingest", str(path), "--db", str(db)]) == 0
    assert "added 0 + duplicates 4" in capsys.readouterr().out
    assert main(["tables", "--db", str(db)]) == 0
    assert "AWSCloudTrail │    4" in capsys.readouterr().out


def test_rejections_exit_1_and_are_listed_on_stderr(tmp_path, capsys):
    bad = tmp_path / "[bold]weird.json"
    bad.write_text('{"Records": [')
    good = write_json(tmp_path / "ok.json", [cloudtrail_record()])
    assert main(["ingest", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert "added 1" in captured.out
    assert "[bold]weird.json: end of file: malformed JSON" in captured.err  # markup in names shown as text
    assert "Traceback" not in captured.err


def test_usage_errors_exit_2_without_a_traceback(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "missing.json")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["ingest"]) == 2
    assert main(["tables", "--schema", "AWSCloudtrail"]) == 2
    assert "did you mean AWSCloudTrail?" in capsys.readouterr().err


def test_tables_of_a_missing_store_says_how_to_make_one(tmp_path, capsys):
    db = tmp_path / "missing.duckdb"
    assert main(["tables", "--db", str(db)]) == 2
    assert f"no store at {db} (create one with `revertguard ingest PATH --db {db}`)" in capsys.readouterr().err


def test_schema_lists_columns_with_kql_types(capsys):
    assert main(["tables", "--schema", "AzureActivity"]) == 0
    out = capsys.readouterr().out
    assert "Properties_d" in out and "dynamic" in out and "hidden from *" in out
    assert "Start/Accept/Success/Failure" in out  # where the column comes from, and why


def test_stdin_through_the_installed_command(tmp_path):
    data = "\n".join(json.dumps(cloudtrail_record(n)) for n in range(3)) + "\n"
    result = subprocess.run([sys.executable, "-m", "revertguard", "ingest", "-"], input=data, text=True,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "added 3" in result.stdout
    assert "\x1b[" not in result.stdout  # no terminal styling in pipes
