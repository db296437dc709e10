"""Sentinel's limits and enumerations for scheduled analytics rules, as data.

Facts from the Azure-Sentinel repository's template validator (the models under
`.script/tests/detectionTemplateSchemaValidation/`) and the Microsoft.SecurityInsights REST API
(`stable/2025-09-01`, `AlertRules.json`). Where the two differ, the stricter value that still
deploys is used, and the module says so.
"""

from __future__ import annotations

from datetime import timedelta

SEVERITIES = ("Informational", "Low", "Medium", "High")
STATUSES = ("Available", "InPreview", "Deprecated")
KINDS = ("Scheduled",)  # NRT rules exist in Sentinel; revertguard runs and exports scheduled rules only.
AGGREGATION_KINDS = ("SingleAlert", "AlertPerResult")

# AttackTactic in the REST API (the validator's enum is the same minus the two ICS tactics).
TACTICS = (
    "Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence", "PrivilegeEscalation",
    "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement", "Collection", "Exfiltration",
    "CommandAndControl", "Impact", "PreAttack", "ImpairProcessControl", "InhibitResponseFunction",
)

# Which tactics the validator requires for a (parent) technique: every one of them must be listed.
# A subset of its table: the techniques that cloud-control-plane rules use. Others are reported
# as unchecked rather than guessed.
TECHNIQUE_TACTICS: dict[str, tuple[str, ...]] = {
    "T1021": ("LateralMovement",),
    "T1048": ("Exfiltration",),
    "T1053": ("Persistence", "PrivilegeEscalation", "Execution"),
    "T1059": ("Execution",),
    "T1070": ("DefenseEvasion",),
    "T1078": ("InitialAccess", "Persistence", "PrivilegeEscalation", "DefenseEvasion"),
    "T1087": ("Discovery",),
    "T1098": ("Persistence",),
    "T1133": ("InitialAccess", "Persistence"),
    "T1136": ("Persistence",),
    "T1190": ("InitialAccess",),
    "T1199": ("InitialAccess",),
    "T1484": ("PrivilegeEscalation", "DefenseEvasion"),
    "T1485": ("Impact",),
    "T1486": ("Impact",),
    "T1489": ("Impact",),
    "T1490": ("Impact",),
    "T1496": ("Impact",),
    "T1525": ("Persistence",),
    "T1526": ("Discovery",),
    "T1528": ("CredentialAccess",),
    "T1529": ("Impact",),
    "T1530": ("Collection",),
    "T1531": ("Impact",),
    "T1535": ("DefenseEvasion",),
    "T1537": ("Exfiltration",),
    "T1538": ("Discovery",),
    "T1548": ("PrivilegeEscalation", "DefenseEvasion"),
    "T1550": ("DefenseEvasion", "LateralMovement"),
    "T1552": ("CredentialAccess",),
    "T1556": ("Persistence", "DefenseEvasion", "CredentialAccess"),
    "T1562": ("DefenseEvasion",),
    "T1567": ("Exfiltration",),
    "T1578": ("DefenseEvasion",),
    "T1580": ("Discovery",),
}

# Entity types the REST API accepts, each with its valid identifiers and the identifier
# combinations of which at least one must be mapped (the validator's EntityMappingIdentifiers).
ENTITY_IDENTIFIERS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "Account": (("Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId", "AadUserId", "PUID",
                 "IsDomainJoined", "DisplayName", "ObjectGuid", "CloudAppAccountId"),
                (("FullName",), ("Sid",), ("Name",), ("AadUserId",), ("PUID",), ("ObjectGuid",))),
    "AzureResource": (("ResourceId",), (("ResourceId",),)),
    "CloudApplication": (("AppId", "Name", "InstanceName"), (("AppId",), ("Name",))),
    "DNS": (("DomainName",), (("DomainName",),)),
    "File": (("Directory", "Name"), (("Name",),)),
    "FileHash": (("Algorithm", "Value"), (("Algorithm", "Value"),)),
    "Host": (("DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID", "OMSAgentID", "OSFamily",
              "OSVersion", "IsDomainJoined"),
             (("FullName",), ("HostName",), ("NetBiosName",), ("AzureID",), ("OMSAgentID",))),
    "IP": (("Address",), (("Address",),)),
    "Mailbox": (("MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"),
                (("MailboxPrimaryAddress",),)),
    "MailCluster": (("NetworkMessageIds", "CountByDeliveryStatus", "CountByThreatType", "CountByProtectionStatus",
                     "Threats", "Query", "QueryTime", "MailCount", "IsVolumeAnomaly", "Source",
                     "ClusterSourceIdentifier", "ClusterSourceType", "ClusterQueryStartTime", "ClusterQueryEndTime",
                     "ClusterGroup"),
                    (("Query",), ("Source",))),
    "MailMessage": (("Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName", "P1SenderDomain",
                     "SenderIP", "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "ReceivedDate",
                     "NetworkMessageId", "InternetMessageId", "Subject", "BodyFingerprintBin1", "BodyFingerprintBin2",
                     "BodyFingerprintBin3", "BodyFingerprintBin4", "BodyFingerprintBin5", "AntispamDirection",
                     "DeliveryAction", "DeliveryLocation", "Language", "ThreatDetectionMethods"),
                    (("NetworkMessageId",), ("Recipient",))),
    "Malware": (("Name", "Category"), (("Name",),)),
    "Process": (("ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"), (("CommandLine",), ("ProcessId",))),
    "RegistryKey": (("Hive", "Key"), (("Key",), ("Hive",))),
    "RegistryValue": (("Name", "Value", "ValueType"), (("Name",),)),
    "SecurityGroup": (("DistinguishedName", "SID", "ObjectGuid"), (("DistinguishedName",), ("SID",), ("ObjectGuid",))),
    "SubmissionMail": (("NetworkMessageId", "Timestamp", "Recipient", "Sender", "SenderIp", "Subject", "ReportType",
                        "SubmissionId", "SubmissionDate", "Submitter"),
                       (("SubmissionId",), ("NetworkMessageId",), ("Recipient",), ("Submitter",))),
    "URL": (("Url",), (("Url",),)),
}

# Columns of the pre-entityMappings convention: a query that still emits one must map it.
LEGACY_ENTITY_COLUMNS = ("AccountCustomEntity", "HostCustomEntity", "IPCustomEntity", "URLCustomEntity",
                         "ProcessCustomEntity", "FileHashCustomEntity")

ALERT_PROPERTIES = ("AlertLink", "ConfidenceLevel", "ConfidenceScore", "ExtendedLinks", "ProductName", "ProviderName",
                    "ProductComponentName", "RemediationSteps", "Techniques")

# Connector ids revertguard knows for the tables it mirrors. The Azure-Sentinel repository checks
# ids against its full ValidConnectorIds.json; others are reported as unchecked.
CONNECTORS_BY_TABLE = {
    "AWSCloudTrail": ("AWS", "AWSS3"),
    "AzureActivity": ("AzureActivity",),
    "GCPAuditLogs": ("GCPAuditLogsDefinition",),
}

MATCHING_METHODS = ("AllEntities", "AnyAlert", "Selected")
GROUP_BY_ALERT_DETAILS = ("DisplayName", "Severity")

# Limits.
NAME_MAX = 256
NAME_REVIEW_MAX = 100          # the repository's review rules; the model allows 256
DESCRIPTION_MAX = 5000
QUERY_MAX = 10_000
QUERY_SPAN_MIN = timedelta(minutes=5)
QUERY_SPAN_MAX = timedelta(days=14)
LONG_PERIOD = timedelta(days=2)   # a period this long needs a frequency of at least an hour
LONG_PERIOD_MIN_FREQUENCY = timedelta(hours=1)
THRESHOLD_MIN, THRESHOLD_MAX = 0, 10_000
TACTICS_REVIEW_MAX = 5
TECHNIQUES_REVIEW_MAX = 10
ENTITY_MAPPINGS_MAX = 10
ENTITY_MAPPINGS_OLD_MAX = 5    # an older validator model still in use allowed 5
FIELD_MAPPINGS_MAX = 3
COLUMN_NAME_MAX = 500
CUSTOM_DETAILS_MAX = 20
CUSTOM_DETAIL_KEY_MAX = 20
CUSTOM_DETAIL_VALUE_MAX = 500
ALERT_NAME_FORMAT_MAX = 256
ALERT_DESCRIPTION_FORMAT_MAX = 5000
PLACEHOLDERS_MAX = 3
VERSION_MAX = 20
SUPPRESSION_MAX = timedelta(hours=24)
GROUPING_LOOKBACK_MIN = timedelta(minutes=5)
GROUPING_LOOKBACK_MAX = timedelta(days=7)

GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
TECHNIQUE_PATTERN = r"^T\d{4}(\.\d{3})?$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
COLUMN_PATTERN = r"^[a-zA-Z_]+\w*$"
CUSTOM_DETAIL_KEY_PATTERN = r"^[a-zA-Z]+\w*$"
PLACEHOLDER_PATTERN = r"\{\{([^{}]*)\}\}"
