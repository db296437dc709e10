"""Sentinel table definitions: one module per table, registered here by name."""

from revertguard.tables.aws_cloudtrail import AWS_CLOUDTRAIL
from revertguard.tables.azure_activity import AZURE_ACTIVITY
from revertguard.tables.gcp_audit_logs import GCP_AUDIT_LOGS
from revertguard.tables.schema import DUCKDB_TYPES, Column, KqlType, TableSchema

TABLES: dict[str, TableSchema] = {t.name: t for t in (AWS_CLOUDTRAIL, AZURE_ACTIVITY, GCP_AUDIT_LOGS)}

__all__ = [
    "AWS_CLOUDTRAIL",
    "AZURE_ACTIVITY",
    "DUCKDB_TYPES",
    "GCP_AUDIT_LOGS",
    "TABLES",
    "Column",
    "KqlType",
    "TableSchema",
]
