"""`revertguard kql`: output formats, the query clock, files, stores, and errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json

from revertguard.cli import main
from revertguard.samples import sample_logs_dir


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["kql", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_is_an_array_of_objects(capsys):
    code, out, _ = run_cli(capsys, 'print n = 1, s = "a", t = datetime(2026-11-25 12:00:00.5), d = dynamic({"k":[1]}),'
                                   ' b = true, ts = 90m, nothing = long(null)', "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"n": 1, "s": "a", "t": "2026-11-25T12:00:00.500000Z", "d": {"k": [1]}, "b": True,
                                "ts": "01:30:00", "nothing": None}]


def test_now_pins_the_clock(capsys):
    code, out, _ = run_cli(capsys, "print a = now(), b = ago(1d)", "--now", "2026-11-25T12:00:00Z", "--format",
                           "json")
    assert code == 0
    assert json.loads(out) == [{"a": "2026-11-25T12:00:00Z", "b": "2026-11-24T12:00:00Z"}]
    code, out, _ = run_cli(capsys, "print a = now()", "--now", "2026-11-25T14:00:00+02:00", "--format", "json")
    assert json.loads(out) == [{"a": "2026-11-25T12:00:00Z"}]


def test_csv_is_quoted(capsys):
    nasty = 'a,b "quoted"\nline two'
    code, out, _ = run_cli(capsys, f"print x = {json.dumps(nasty)}, d = dynamic([1, \"two\"])", "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["x", "d"], [nasty, '[1,"two"]']]


def test_table_output_prints_log_values_verbatim(capsys):
    code, out, _ = run_cli(capsys, 'print v = "[bold red]not markup[/] \\u001b[31m"')
    assert code == 0
    assert "[bold red]not markup[/]" in out
    assert "1 row(s)" in out


def test_query_from_a_file(capsys, tmp_path):
    path = tmp_path / "rule.kql"
    path.write_text("// a rule\nprint x = 40 + 2\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "-f", str(path), "--format", "json")
    assert (code, json.loads(out)) == (0, [{"x": 42}])


def test_query_on_an_ingested_store(capsys, tmp_path):
    db = str(tmp_path / "store.duckdb")
    assert main(["ingest", str(sample_logs_dir()), "--db", db]) == 0
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "AWSCloudTrail | summarize n = count() by EventSource | sort by n desc | take 1",
                           "--db", db, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1 and rows[0]["n"] > 0 and rows[0]["EventSource"].endswith(".amazonaws.com")


def test_errors_are_one_message_with_a_caret_and_no_traceback(capsys):
    code, out, err = run_cli(capsys, "AWSCloudTrail\n| where EvntName == 'x'")
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert "unknown column or variable 'EvntName'; did you mean 'EventName'" in err
    assert "  | where EvntName == 'x'\n          ^" in err
    code, _, err = run_cli(capsys, "AWSCloudTrail | where [")
    assert code == 2 and "syntax error at line 1" in err and "Traceback" not in err


def test_usage_errors(capsys, tmp_path):
    assert run_cli(capsys)[0] == 2
    code, _, err = run_cli(capsys, "print 1", "-f", "x.kql")
    assert code == 2 and "one of them" in err
    code, _, err = run_cli(capsys, "print 1", "--now", "yesterday")
    assert code == 2 and "not an ISO 8601 time" in err
    code, _, err = run_cli(capsys, "print 1", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 2 and "no store at" in err
    code, _, err = run_cli(capsys, "-f", str(tmp_path / "missing.kql"))
    assert code == 2 and "cannot read" in err
