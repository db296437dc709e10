"""`scan --format ocsf|jsonl --out FILE --html FILE` and `report --db PATH --out FILE` from the command line."""

from __future__ import annotations

import json

import jsonschema
import pytest

from revertguard.cli import main
from revertguard.report import findings_schema
from tests.report.test_ocsf import check_detection_finding


@pytest.fixture(scope="module")
def sample_scan(tmp_path_factory):
    """`scan --sample` once, into a kept store, writing OCSF to a file and the HTML report."""
    folder = tmp_path_factory.mktemp("cli")
    status = main(["scan", "--sample", "--db", str(folder / "store.duckdb"), "--format", "ocsf",
                   "--out", str(folder / "findings.ocsf.jsonl"), "--html", str(folder / "report.html")])
    return folder, status


def test_scan_writes_ocsf_findings_and_the_html_report_to_files(sample_scan, capsys):
    folder, status = sample_scan
    assert status == 1  # the sample holds attacks
    findings = [json.loads(line) for line in (folder / "findings.ocsf.jsonl").read_text("utf-8").splitlines()]
    assert findings
    for finding in findings:
        check_detection_finding(finding)
        assert finding["evidences"] and all("api" in e for e in finding["evidences"])  # events read from the store
    assert {f["cloud"]["provider"] for f in findings} == {"AWS", "Azure", "GCP"}
    page = (folder / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    incidents = {f["metadata"].get("correlation_uid") for f in findings if f["is_alert"]} - {None}
    assert page.count('<section class="incident ') == len(incidents)


def test_scan_of_a_kept_store_writes_jsonl_to_a_file_and_nothing_to_stdout(sample_scan, capsys):
    folder, _ = sample_scan
    capsys.readouterr()
    out = folder / "findings.jsonl"
    assert main(["scan", "--db", str(folder / "store.duckdb"), "--watchlist", _sample_watchlists(),
                 "--format", "jsonl", "--out", str(out)]) == 1
    assert capsys.readouterr().out == ""
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    validator = jsonschema.Draft202012Validator(findings_schema())
    assert all(validator.is_valid(r) for r in records)
    ocsf = (folder / "findings.ocsf.jsonl").read_text("utf-8").splitlines()
    assert len(ocsf) == sum(r["type"] == "alert" for r in records)  # the same scan, alert for alert


def test_table_output_goes_to_the_file_too(sample_scan, capsys):
    folder, _ = sample_scan
    capsys.readouterr()
    out = folder / "summary.txt"
    main(["scan", "--db", str(folder / "store.duckdb"), "--rules", "seed", "--out", str(out)])
    assert capsys.readouterr().out == ""
    text = out.read_text("utf-8")
    assert text.startswith("Scanned ") and "incident(s)" in text and "\x1b[" not in text


def test_report_runs_the_rules_over_a_store_and_writes_the_page(sample_scan, capsys):
    folder, _ = sample_scan
    out = folder / "again.html"
    assert main(["report", "--db", str(folder / "store.duckdb"), "--watchlist", _sample_watchlists(),
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    page = out.read_text("utf-8")
    incidents = page.count('<section class="incident ')
    assert f"{incidents} incident(s)" in said and incidents > 0
    # The same rules and watchlists over the same store: the same incidents as the scan's page.
    assert incidents == (folder / "report.html").read_text("utf-8").count('<section class="incident ')


def test_report_needs_an_existing_store(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "r.html")]) == 2
    assert "no store at" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("option", ["--out", "--html"])
def test_an_unwritable_file_is_refused_before_scanning(tmp_path, capsys, option):
    assert main(["scan", "--sample", option, str(tmp_path / "no" / "such" / "x")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "no such folder" in err


def _sample_watchlists() -> str:
    from revertguard.samples import sample_watchlists_dir
    return str(sample_watchlists_dir())
