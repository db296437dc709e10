"""Who and from where, read from a finding's Sentinel entities (shared by the OCSF and HTML outputs)."""

from __future__ import annotations

from collections.abc import Iterable

from revertguard.detect.findings import Entity


def account_name(entity: Entity) -> str | None:
    """An Account entity's user name as the logs write it: `Name@UPNSuffix` when it has a suffix."""
    name = entity.get("Name") or entity.get("AadUserId") or entity.get("FullName")
    suffix = entity.get("UPNSuffix")
    return f"{name}@{suffix}" if name and suffix else (str(name) if name else None)


def identities(entities: Iterable[Entity]) -> list[str]:
    """The user names of the Account entities (else their identifiers), without repeats."""
    return list(dict.fromkeys(account_name(e) or e.label for e in entities if e.type == "account"))


def addresses(entities: Iterable[Entity]) -> list[str]:
    """The addresses of the IP entities, without repeats."""
    return list(dict.fromkeys(str(e.get("Address")) for e in entities if e.type == "ip" and e.get("Address")))
