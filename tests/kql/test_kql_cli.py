"""`revertguard kql`: output formats, the query clock, files, stores, and errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

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


# -- engines -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_tables(tmp_path_factory):
    """The bundled sample as a store file and as a Parquet folder written from it."""
    folder = tmp_path_factory.mktemp("cli-engines")
    db, parquet = str(folder / "store.duckdb"), str(folder / "parquet")
    assert main(["ingest", str(sample_logs_dir()), "--db", db]) == 0
    assert main(["export-tables", "--db", db, "--out", parquet]) == 0
    return db, parquet


# The name breaks ties in n, so the order is the same on every engine (Kusto leaves ties unordered).
QUERY = ("AzureActivity | summarize n = count() by OperationNameValue"
         " | sort by n desc, OperationNameValue asc | take 5 | project OperationNameValue, n")


def test_parquet_tables_give_what_the_store_gives(capsys, sample_tables):
    db, parquet = sample_tables
    capsys.readouterr()
    store_out = run_cli(capsys, QUERY, "--db", db, "--format", "json")
    parquet_out = run_cli(capsys, QUERY, "--parquet", parquet, "--format", "json")
    assert store_out[0] == parquet_out[0] == 0
    assert json.loads(store_out[1]) == json.loads(parquet_out[1]) and len(json.loads(store_out[1])) == 5


@pytest.mark.spark
def test_spark_engine_from_the_command_line(capsys, sample_tables, spark):
    db, parquet = sample_tables
    capsys.readouterr()
    expected = run_cli(capsys, QUERY, "--db", db, "--format", "json")
    code, out, _ = run_cli(capsys, QUERY, "--engine", "spark", "--parquet", parquet, "--format", "json",
                           "--conf", "spark.sql.shuffle.partitions=2")
    assert code == 0 and json.loads(out) == json.loads(expected[1])


@pytest.mark.parametrize(("args", "message"), [
    (["--engine", "spark"], "Spark reads the tables from Parquet: give --parquet DIR"),
    (["--db", "x.duckdb", "--parquet", "p"], "not both"),
    (["--parquet", "s3a://bucket/lake"], "DuckDB reads local Parquet folders"),
    (["--parquet", "no-such-folder"], "no Parquet folder at no-such-folder"),
    (["--engine", "spark", "--parquet", "p", "--conf", "spark.executor.memory"], "is not KEY=VALUE"),
])
def test_engine_option_mistakes_are_usage_errors(capsys, args, message):
    code, _, err = run_cli(capsys, "print 1", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_pyspark_is_a_clear_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    code, _, err = run_cli(capsys, "print 1", "--engine", "spark", "--parquet", str(tmp_path))
    assert code == 2 and "pip install 'revertguard[spark]'" in err


def test_export_tables_needs_a_store(capsys, tmp_path):
    assert main(["export-tables", "--out", str(tmp_path / "out")]) == 2
    assert "--db" in capsys.readouterr().err
    assert main(["export-tables", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "out")]) == 2
    assert "no store at" in capsys.readouterr().err


def test_ingest_into_parquet_from_the_command_line(capsys, tmp_path):
    assert main(["ingest", "--sample", "--parquet", str(tmp_path / "lake")]) == 0
    out = capsys.readouterr().out
    assert "added 1475" in out and "AWSCloudTrail │  453" in out
    assert main(["ingest", "--sample", "--parquet", str(tmp_path / "lake"), "--db", str(tmp_path / "s.db")]) == 2
