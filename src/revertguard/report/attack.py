"""MITRE ATT&CK® names and ids for the tactics and techniques revertguard's rules cite.

Rules name tactics as Sentinel does (`DefenseEvasion`) and techniques by id (`T1578.004`).
Outputs that speak ATT&CK (OCSF, the HTML report) need the tactic ids, the names and the ATT&CK
version the labels belong to. The facts are those of ATT&CK v18.1 (mitre/cti, 2025-11-13), the
last release with the tactic "Defense Evasion" (TA0005), which is also the only label Sentinel
accepts. ATT&CK v19 renamed TA0005 "Stealth" and added "Defense Impairment" (TA0112); when
revertguard moves to v19 labels, `ATTACK_VERSION` and the tables change together.

ATT&CK® is a registered trademark of The MITRE Corporation. © 2025 The MITRE Corporation. This
work is reproduced and distributed with the permission of The MITRE Corporation.
"""

from __future__ import annotations

from dataclasses import dataclass

ATTACK_VERSION = "18.1"
ATTACK_URL = "https://attack.mitre.org"

# Sentinel's tactic names (the REST API's AttackTactic enum) -> (ATT&CK id, ATT&CK name).
# PreAttack has no ATT&CK id; the two ICS tactics are those of ATT&CK for ICS.
TACTICS: dict[str, tuple[str | None, str]] = {
    "Reconnaissance": ("TA0043", "Reconnaissance"),
    "ResourceDevelopment": ("TA0042", "Resource Development"),
    "InitialAccess": ("TA0001", "Initial Access"),
    "Execution": ("TA0002", "Execution"),
    "Persistence": ("TA0003", "Persistence"),
    "PrivilegeEscalation": ("TA0004", "Privilege Escalation"),
    "DefenseEvasion": ("TA0005", "Defense Evasion"),
    "CredentialAccess": ("TA0006", "Credential Access"),
    "Discovery": ("TA0007", "Discovery"),
    "LateralMovement": ("TA0008", "Lateral Movement"),
    "Collection": ("TA0009", "Collection"),
    "Exfiltration": ("TA0010", "Exfiltration"),
    "CommandAndControl": ("TA0011", "Command and Control"),
    "Impact": ("TA0040", "Impact"),
    "PreAttack": (None, "PreAttack"),
    "ImpairProcessControl": ("TA0106", "Impair Process Control"),
    "InhibitResponseFunction": ("TA0107", "Inhibit Response Function"),
}

# Techniques revertguard's rules and intrusion context refer to: id -> (name, Sentinel tactics).
TECHNIQUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "T1578": ("Modify Cloud Compute Infrastructure", ("DefenseEvasion",)),
    "T1578.001": ("Create Snapshot", ("DefenseEvasion",)),
    "T1578.002": ("Create Cloud Instance", ("DefenseEvasion",)),
    "T1578.003": ("Delete Cloud Instance", ("DefenseEvasion",)),
    "T1578.004": ("Revert Cloud Instance", ("DefenseEvasion",)),
    "T1578.005": ("Modify Cloud Compute Configurations", ("DefenseEvasion",)),
    "T1537": ("Transfer Data to Cloud Account", ("Exfiltration",)),
    "T1530": ("Data from Cloud Storage", ("Collection",)),
    "T1562": ("Impair Defenses", ("DefenseEvasion",)),
    "T1562.008": ("Disable or Modify Cloud Logs", ("DefenseEvasion",)),
    "T1070": ("Indicator Removal", ("DefenseEvasion",)),
    "T1485": ("Data Destruction", ("Impact",)),
    "T1021": ("Remote Services", ("LateralMovement",)),
    "T1021.007": ("Cloud Services", ("LateralMovement",)),
}


@dataclass(frozen=True)
class Tactic:
    uid: str | None
    name: str

    @property
    def url(self) -> str | None:
        return f"{ATTACK_URL}/tactics/{self.uid}/" if self.uid else None


@dataclass(frozen=True)
class Technique:
    uid: str
    name: str | None

    @property
    def parent(self) -> str:
        return self.uid.split(".", 1)[0]

    @property
    def is_sub_technique(self) -> bool:
        return "." in self.uid

    @property
    def url(self) -> str:
        return f"{ATTACK_URL}/techniques/{self.uid.replace('.', '/')}/"


@dataclass(frozen=True)
class AttackLabel:
    """One tactic/technique pairing of a finding, as OCSF's `attack` object holds it."""

    tactic: Tactic | None
    technique: Technique | None  # the parent technique when `sub_technique` is set
    sub_technique: Technique | None


def tactic(sentinel_name: str) -> Tactic:
    """A Sentinel tactic name as an ATT&CK tactic (unknown names keep their text and get no id)."""
    uid, name = TACTICS.get(sentinel_name, (None, sentinel_name))
    return Tactic(uid, name)


def technique(uid: str) -> Technique:
    """A technique or sub-technique by id (unknown ids keep no name rather than a guessed one)."""
    known = TECHNIQUES.get(uid)
    return Technique(uid, known[0] if known else None)


def attack_labels(tactics: list[str], techniques: list[str]) -> list[AttackLabel]:
    """Pair a finding's techniques with its tactics.

    Each technique gets the finding's tactics it belongs to in ATT&CK (or, when ATT&CK's
    pairing is unknown here, the finding's only tactic); tactics no technique claims are listed
    alone, so nothing the rule says is lost.
    """
    labels: list[AttackLabel] = []
    claimed: set[str] = set()
    for uid in dict.fromkeys(techniques):
        cited = technique(uid)
        known = TECHNIQUES.get(uid) or TECHNIQUES.get(cited.parent)
        own = [t for t in tactics if known and t in known[1]]
        if not own and len(tactics) == 1:
            own = list(tactics)
        sub = cited if cited.is_sub_technique else None
        parent = technique(cited.parent)
        for name in own or [None]:
            labels.append(AttackLabel(tactic(name) if name else None, parent, sub))
            if name:
                claimed.add(name)
    labels.extend(AttackLabel(tactic(t), None, None) for t in dict.fromkeys(tactics) if t not in claimed)
    return labels
