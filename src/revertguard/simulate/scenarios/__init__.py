"""The scenario library: attacks and benign look-alikes, one registry for all of them."""

from revertguard.simulate.scenarios import aws_attacks, azure_attacks, benign, gcp_attacks  # noqa: F401 - registers
from revertguard.simulate.scenarios.registry import REGISTRY, scenario

__all__ = ["REGISTRY", "scenario"]
