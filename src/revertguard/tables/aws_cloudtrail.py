"""`AWSCloudTrail`: AWS CloudTrail events as the Microsoft Sentinel AWS S3 connector stores them.

Column order is the order of a real `AWSCloudTrail` export; names and types follow the Azure
Monitor table reference. Note the spelling `UserIdentityPrincipalid`, and that the JSON blobs
(`RequestParameters`, `ResponseElements`, ...) are strings, not dynamic.
"""

from revertguard.tables.schema import TableSchema, columns

AWS_CLOUDTRAIL = TableSchema(
    name="AWSCloudTrail",
    id_column="AwsEventId",
    description="AWS CloudTrail management and data events.",
    columns=columns(
        """
        TimeGenerated: datetime
        AwsEventId: string
        EventVersion: string
        EventSource: string
        EventTypeName: string
        EventName: string
        UserIdentityType: string
        UserIdentityPrincipalid: string
        UserIdentityArn: string
        UserIdentityAccountId: string
        UserIdentityInvokedBy: string
        UserIdentityAccessKeyId: string
        UserIdentityUserName: string
        SessionMfaAuthenticated: bool
        SessionCreationDate: datetime
        SessionIssuerType: string
        SessionIssuerPrincipalId: string
        SessionIssuerArn: string
        SessionIssuerAccountId: string
        SessionIssuerUserName: string
        AWSRegion: string
        SourceIpAddress: string
        UserAgent: string
        ErrorCode: string
        ErrorMessage: string
        RequestParameters: string
        ResponseElements: string
        AdditionalEventData: string
        AwsRequestId: string
        AwsRequestId_: string
        Resources: string
        APIVersion: string
        ReadOnly: bool
        RecipientAccountId: string
        ServiceEventDetails: string
        SharedEventId: string
        VpcEndpointId: string
        ManagementEvent: bool
        TenantId: string
        SourceSystem: string
        OperationName: string
        Category: string
        EC2RoleDelivery: string
        TlsVersion: string
        CipherSuite: string
        ClientProvidedHostHeader: string
        IpProtocol: string
        SourcePort: string
        DestinationPort: string
        CidrIp: string
        UserIdentityUserId: string
        UserIdentityStoreArn: string
        Type: string
        _BilledSize: real
        _IsBillable: string
        """,
        hidden=("_BilledSize", "_IsBillable"),
    ),
)
