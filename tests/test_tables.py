"""The table definitions match Sentinel's documented columns and types."""

from revertguard.tables import AWS_CLOUDTRAIL, AZURE_ACTIVITY, GCP_AUDIT_LOGS, KqlType


def test_cloudtrail_keeps_sentinel_spellings_and_string_blobs():
    assert AWS_CLOUDTRAIL.column("UserIdentityPrincipalid") is not None
    assert AWS_CLOUDTRAIL.column("UserIdentityPrincipalId") is None
    for blob in ("RequestParameters", "ResponseElements", "AdditionalEventData", "Resources", "ServiceEventDetails"):
        assert AWS_CLOUDTRAIL.type_of(blob) is KqlType.STRING
    assert AWS_CLOUDTRAIL.type_of("SessionMfaAuthenticated") is KqlType.BOOL
    assert AWS_CLOUDTRAIL.type_of("SessionCreationDate") is KqlType.DATETIME
    assert len(AWS_CLOUDTRAIL.visible_columns) == 53  # the 2025 export header


def test_azure_activity_has_current_and_legacy_columns():
    for name in ("OperationNameValue", "ActivityStatusValue", "OperationName", "ActivityStatus", "_ResourceId"):
        assert AZURE_ACTIVITY.column(name) is not None
    for name in ("Properties_d", "Claims_d", "Authorization_d"):
        assert AZURE_ACTIVITY.type_of(name) is KqlType.DYNAMIC
    assert AZURE_ACTIVITY.type_of("Properties") is KqlType.STRING
    assert len(AZURE_ACTIVITY.columns) == 37


def test_gcp_payload_columns_are_dynamic_and_there_is_no_caller_ip_column():
    for name in ("Request", "Response", "RequestMetadata", "AuthenticationInfo", "AuthorizationInfo"):
        assert GCP_AUDIT_LOGS.type_of(name) is KqlType.DYNAMIC
    assert GCP_AUDIT_LOGS.column("CallerIp") is None
    assert GCP_AUDIT_LOGS.type_of("Timestamp") is KqlType.DATETIME


def test_every_table_has_the_standard_columns():
    for table in (AWS_CLOUDTRAIL, AZURE_ACTIVITY, GCP_AUDIT_LOGS):
        for name in ("TimeGenerated", "Type", "TenantId", "SourceSystem", "_BilledSize", "_IsBillable"):
            assert table.column(name) is not None, (table.name, name)
        assert table.column("_BilledSize").hidden
