"""Sentinel table exports (portal CSV, JSON, Log Analytics results) load back into the same rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from revertguard.ingest import ingest
from revertguard.ingest.timestamps import LocaleDateOrder, TimestampError
from revertguard.store import Store
from revertguard.tables import TABLES, KqlType
from tests.ingest.records import azure_rest_event, cloudtrail_record, gcp_entry, rows, write_json, write_lines


def _us(value: datetime) -> str:
    hour = value.hour % 12 or 12
    return (f"{value.month}/{value.day}/{value.year}, {hour}:{value:%M:%S}.{value.microsecond // 1000:03d} "
            f"{'AM' if value.hour < 12 else 'PM'}")


def _gb(value: datetime) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}, {value:%H:%M:%S}.{value.microsecond // 1000:03d}"


def _portal_csv(table: str, table_rows: list[dict], when=_us, extra: dict | None = None) -> bytes:
    """A CSV as the Sentinel portal exports it: BOM, CRLF, `[UTC]` headers, locale dates, pretty JSON cells."""
    columns = TABLES[table].visible_columns
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name + (" [UTC]" if c.type is KqlType.DATETIME else "") for c in columns]
                    + list(extra or {}))
    for row in table_rows:
        cells = []
        for c in columns:
            value = row[c.name]
            if value is None:
                cells.append("")
            elif c.type is KqlType.DATETIME:
                cells.append(when(value))
            elif c.type is KqlType.BOOL:
                cells.append("true" if value else "false")
            elif c.type is KqlType.DYNAMIC:
                cells.append(json.dumps(json.loads(value), indent=2).replace("\n", "\r\n"))
            else:
                cells.append(str(value))
        writer.writerow(cells + list((extra or {}).values()))
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def _raw_store(tmp_path) -> Store:
    store = Store()
    paths = [write_json(tmp_path / "raw" / "ct.json", [cloudtrail_record(n) for n in range(1, 4)]),
             write_json(tmp_path / "raw" / "az.json", [azure_rest_event(n) for n in range(1, 4)]),
             write_lines(tmp_path / "raw" / "gcp.jsonl", [gcp_entry(n) for n in range(1, 4)])]
    assert ingest([str(p) for p in paths], store).rejected == 0
    return store


def _visible(table: str, table_rows: list[dict], *, millis: bool = False) -> list[dict]:
    out = []
    for row in table_rows:
        kept = {}
        for c in TABLES[table].visible_columns:
            value = row[c.name]
            if millis and isinstance(value, datetime):
                value = value.replace(microsecond=value.microsecond // 1000 * 1000)
            if c.type is KqlType.DYNAMIC and value is not None:
                value = json.loads(value)
            kept[c.name] = value
        out.append(kept)
    return out


@pytest.mark.parametrize("locale", [_us, _gb])
@pytest.mark.parametrize("table", list(TABLES))
def test_portal_csv_round_trip(tmp_path, table, locale):
    with _raw_store(tmp_path) as raw:
        original = rows(raw, table)
    path = tmp_path / f"{table}.csv"
    path.write_bytes(_portal_csv(table, original, when=locale))
    with Store() as store:
        report = ingest([str(path)], store)
        assert report.rejected == 0, [str(r) for r in report.rejections]
        assert report.added == 3
        # The portal shows milliseconds, so that is all a CSV export can carry.
        assert _visible(table, rows(store, table)) == _visible(table, original, millis=True)


def test_json_exports_of_row_objects_and_of_query_results_round_trip(tmp_path):
    with _raw_store(tmp_path) as raw:
        originals = {t: rows(raw, t) for t in TABLES}
    objects, results = [], {"tables": []}
    for table, table_rows in originals.items():
        columns = TABLES[table].visible_columns
        encoded = [{c.name: (r[c.name].isoformat() + "Z" if isinstance(r[c.name], datetime) else
                             json.loads(r[c.name]) if c.type is KqlType.DYNAMIC and r[c.name] else r[c.name])
                    for c in columns} for r in table_rows]
        objects.extend(encoded)
        results["tables"].append({"name": "PrimaryResult",
                                  "columns": [{"name": c.name, "type": c.type.value} for c in columns],
                                  "rows": [[e[c.name] for c in columns] for e in encoded]})
    for name, document in (("objects.json", objects), ("results.json", results)):
        with Store() as store:
            report = ingest([str(write_json(tmp_path / name, document))], store)
            assert report.rejected == 0, (name, [str(r) for r in report.rejections])
            for table, table_rows in originals.items():
                assert _visible(table, rows(store, table)) == _visible(table, table_rows), (name, table)


def test_raw_logs_and_their_export_are_the_same_records(tmp_path):
    with _raw_store(tmp_path) as raw:
        original = rows(raw, "AWSCloudTrail")
    export = tmp_path / "export.csv"
    export.write_bytes(_portal_csv("AWSCloudTrail", original))
    with Store() as store:
        ingest([str(tmp_path / "raw" / "ct.json")], store)
        report = ingest([str(export)], store)
        assert (report.added, report.duplicates) == (0, 3)


def test_columns_of_other_tables_are_ignored_with_a_note(tmp_path, store):
    with _raw_store(tmp_path) as raw:
        original = rows(raw, "AzureActivity")
    path = tmp_path / "union.csv"
    path.write_bytes(_portal_csv("AzureActivity", original, extra={"$table": "AzureActivity", "ResultType": "x"}))
    report = ingest([str(path)], store)
    assert report.rejected == 0 and report.added == 3
    assert any("ResultType" in note and "ignored" in note for note in report.notes)


def test_rows_of_tables_revertguard_does_not_store_are_rejected(tmp_path, store):
    path = tmp_path / "signins.json"
    write_json(path, [{"TimeGenerated": "2026-11-20T00:00:00Z", "Type": "SigninLogs", "UserPrincipalName": "a"}])
    report = ingest([str(path)], store)
    assert report.rejected == 1
    assert "SigninLogs" in report.rejections[0].reason


def test_legacy_schema_export_fills_the_legacy_columns(tmp_path, store):
    header = ["OperationName", "Level", "ActivityStatus", "ActivitySubstatus", "ResourceGroup", "SubscriptionId",
              "CorrelationId", "Caller", "CallerIpAddress", "Category", "HTTPRequest", "Properties",
              "EventSubmissionTimestamp [UTC]", "Authorization", "ResourceId", "OperationId", "ResourceProvider",
              "Resource", "EventDataId", "TimeGenerated [UTC]"]
    row = ["Start Virtual Machine", "Informational", "Succeeded", "OK (HTTP Status Code: 200)", "rg", "sub", "c1",
           "a@b.example", "198.51.100.1", "Administrative", '{\r\n  "method": "POST"\r\n}', '{\r\n  "x": 1\r\n}',
           "4/26/2021, 7:18:24.156 PM", "{}", "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/"
           "virtualMachines/vm1", "op1", "Microsoft.Compute", "vm1", "ev1", "4/26/2021, 7:18:24.156 PM"]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, row])
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    report = ingest([str(path)], store)
    assert report.rejected == 0
    (stored,) = rows(store, "AzureActivity")
    assert stored["OperationName"] == "Start Virtual Machine" and stored["ActivityStatus"] == "Succeeded"
    assert stored["TimeGenerated"] == datetime(2021, 4, 26, 19, 18, 24, 156000)
    assert stored["HTTPRequest"] == '{\r\n  "method": "POST"\r\n}'  # string columns keep their text
    assert stored["OperationNameValue"] == "" and stored["Type"] == "AzureActivity"


def test_locale_order_is_decided_from_the_whole_file():
    dates = LocaleDateOrder()
    for value in ("4/5/2021, 09:00:00.000", "21/04/2021, 10:00:00.000"):
        dates.observe(value)
    assert dates.parse("4/5/2021, 09:00:00.000") == datetime(2021, 5, 4, 9)
    us = LocaleDateOrder()
    for value in ("4/5/2021, 9:00:00.000 AM", "4/28/2021, 2:36:53.042 PM"):
        us.observe(value)
    assert us.parse("4/5/2021, 9:00:00.000 PM") == datetime(2021, 4, 5, 21)
    both = LocaleDateOrder()
    for value in ("13/1/2021, 09:00:00", "1/13/2021, 09:00:00"):
        both.observe(value)
    with pytest.raises(TimestampError):
        both.parse("1/2/2021, 09:00:00")


def test_timestamps_not_in_utc_are_refused(tmp_path, store):
    path = tmp_path / "local.csv"
    path.write_bytes(b'TimeGenerated [Local Time],Type,AwsEventId\r\n"4/5/2021, 9:00:00 AM",AWSCloudTrail,e1\r\n')
    report = ingest([str(path)], store)
    assert report.rejected == 1 and "not in UTC" in report.rejections[0].reason
