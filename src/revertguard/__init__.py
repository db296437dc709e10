"""revertguard: detect MITRE ATT&CK T1578.004 (Revert Cloud Instance) in cloud audit logs.

Sentinel analytics, offline: KQL rules in Azure-Sentinel YAML, run by revertguard's own KQL
engine over local tables that mirror Sentinel's `AWSCloudTrail`, `AzureActivity` and
`GCPAuditLogs`.
"""

__version__ = "0.1.0"
