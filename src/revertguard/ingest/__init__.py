"""Ingestion: raw AWS CloudTrail, Azure Activity and GCP audit logs (and Sentinel exports) into the store."""

from revertguard.ingest.formats import Kind, RawRecord
from revertguard.ingest.pipeline import ingest, ingest_records
from revertguard.ingest.report import IngestReport, Rejection

__all__ = ["IngestReport", "Kind", "RawRecord", "Rejection", "ingest", "ingest_records"]
