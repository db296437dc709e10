"""JSON Lines files whose first line is longer than the format sniffer's window still load."""

import msgspec

from revertguard.ingest import ingest
from revertguard.ingest.formats import SNIFF_BYTES


def _diagnostic_record(n: int) -> dict:
    return {"time": f"2026-11-20T10:{n // 60:02d}:{n % 60:02d}.1234567Z",
            "resourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/RG/PROVIDERS/"
                          "MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1",
            "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION", "category": "Administrative",
            "resultType": "Start", "callerIpAddress": "198.51.100.7", "correlationId": f"c-{n}",
            "properties": {"eventDataId": f"id-{n}", "padding": "x" * 2000}}


def test_event_hub_messages_longer_than_the_sniff_window_load_as_json_lines(store, tmp_path):
    first = {"records": [_diagnostic_record(n) for n in range(60)]}
    second = {"records": [_diagnostic_record(n) for n in range(60, 62)]}
    line = msgspec.json.encode(first)
    assert len(line) > SNIFF_BYTES
    path = tmp_path / "messages.jsonl"
    path.write_bytes(line + b"\n" + msgspec.json.encode(second) + b"\n")
    report = ingest([str(path)], store)
    assert report.rejected == 0, [str(r) for r in report.rejections]
    assert report.added == 62
