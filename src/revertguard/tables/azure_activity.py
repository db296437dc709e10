"""`AzureActivity`: the Azure Activity Log as Microsoft Sentinel stores it.

The table carries two generations of columns. The current (diagnostic-settings) connector
fills `OperationNameValue`, `ActivityStatusValue` (Start/Accept/Success/Failure),
`CategoryValue`, `ResourceProviderValue`, `Properties_d`, `Claims_d`, `Authorization_d`; the
legacy columns (`OperationName`, `ActivityStatus`, `Category`, `ResourceProvider`,
`ResourceId`, `Resource`) are left empty by it and only appear in legacy-schema exports.
Column order is the order of a real Sentinel export.
"""

from revertguard.tables.schema import TableSchema, columns

AZURE_ACTIVITY = TableSchema(
    name="AzureActivity",
    id_column="EventDataId",
    description="Azure Activity Log (control-plane operations on Azure resources).",
    columns=columns(
        """
        TenantId: string
        SourceSystem: string
        CallerIpAddress: string
        CategoryValue: string
        CorrelationId: string
        Authorization: string
        Authorization_d: dynamic
        Claims: string
        Claims_d: dynamic
        Level: string
        OperationNameValue: string
        Properties: string
        Properties_d: dynamic
        Caller: string
        EventDataId: string
        EventSubmissionTimestamp: datetime
        HTTPRequest: string
        OperationId: string
        ResourceGroup: string
        ResourceProviderValue: string
        ActivityStatusValue: string
        ActivitySubstatusValue: string
        Hierarchy: string
        TimeGenerated: datetime
        SubscriptionId: string
        OperationName: string
        ActivityStatus: string
        ActivitySubstatus: string
        Category: string
        ResourceId: string
        ResourceProvider: string
        Resource: string
        Type: string
        _ResourceId: string
        _SubscriptionId: string
        _BilledSize: real
        _IsBillable: string
        """,
        hidden=("_SubscriptionId", "_BilledSize", "_IsBillable"),
    ),
)
