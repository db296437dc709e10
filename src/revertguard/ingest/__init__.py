"""Ingestion: raw AWS CloudTrail, Azure Activity and GCP audit logs (and Sentinel exports) into the store."""

from revertguard.ingest.pipeline import ingest
from revertguard.ingest.report import IngestReport, Rejection

__all__ = ["IngestReport", "Rejection", "ingest"]
