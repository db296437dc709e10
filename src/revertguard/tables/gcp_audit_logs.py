"""`GCPAuditLogs`: Google Cloud audit log entries as the Microsoft Sentinel GCP connector stores them.

`TimeGenerated` is when Cloud Logging received the entry (`receiveTimestamp`); `Timestamp` is
when the event happened. The AuditLog payload parts are dynamic columns; there is no caller-IP
column (it lives in `RequestMetadata.callerIp`).
"""

from revertguard.tables.schema import TableSchema, columns

GCP_AUDIT_LOGS = TableSchema(
    name="GCPAuditLogs",
    id_column="InsertId",
    description="Google Cloud audit logs (Admin Activity, Data Access, System Event, Policy Denied).",
    columns=columns(
        """
        TimeGenerated: datetime
        AuthenticationInfo: dynamic
        AuthorizationInfo: dynamic
        GCPResourceName: string
        GCPResourceType: string
        InsertId: string
        LogName: string
        Metadata: dynamic
        MethodName: string
        NumResponseItems: string
        PrincipalEmail: string
        ProjectId: string
        Request: dynamic
        RequestMetadata: dynamic
        ResourceLocation: dynamic
        ResourceOriginalState: dynamic
        Response: dynamic
        ServiceData: dynamic
        ServiceName: string
        Severity: string
        SourceSystem: string
        Status: dynamic
        StatusMessage: string
        Subscription: string
        TenantId: string
        Timestamp: datetime
        Type: string
        _BilledSize: real
        _IsBillable: string
        """,
        hidden=("_BilledSize", "_IsBillable"),
    ),
)
