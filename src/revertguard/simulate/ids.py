"""Identifiers in the formats the clouds really use, drawn from a seeded random source.

Every id comes from the `random.Random` handed in, never from `uuid4()` or the clock, so the
same seed always gives the same ids.
"""

from __future__ import annotations

import random
import string
import uuid

_HEX = "0123456789abcdef"
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_BASE32 = string.ascii_uppercase + "234567"
_BASE64 = string.ascii_letters + string.digits + "+/"


class Ids:
    """Makes ids from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _pick(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # -- generic ---------------------------------------------------------------------------
    def guid(self) -> str:
        """A version-4 GUID, lower case (CloudTrail eventID/requestID, Azure ids)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        return self._pick(_HEX, n)

    def digits(self, n: int) -> str:
        """n decimal digits, the first not zero."""
        return self.rng.choice("123456789") + self._pick(string.digits, n - 1)

    def lower_alnum(self, n: int) -> str:
        return self._pick(_LOWER_ALNUM, n)

    def upper_alnum(self, n: int) -> str:
        return self._pick(_UPPER_ALNUM, n)

    # -- AWS -------------------------------------------------------------------------------
    def ec2(self, prefix: str) -> str:
        """A current-format EC2 id: `i-`, `vol-`, `snap-`, `ami-`, ... then 17 hex digits."""
        return f"{prefix}-0{self.hex(16)}"

    def access_key(self, temporary: bool) -> str:
        """`ASIA...` for session credentials, `AKIA...` for an IAM user's long-term key."""
        return ("ASIA" if temporary else "AKIA") + self._pick(_BASE32, 16)

    def principal_id(self, prefix: str) -> str:
        """`AIDA...` (IAM user) or `AROA...` (role) unique ids."""
        return prefix + self._pick(_BASE32, 17)

    def s3_host_id(self) -> str:
        """The `x-amz-id-2` value S3 data events carry."""
        return self._pick(_BASE64, 76)

    def trail_file_suffix(self) -> str:
        """The 16-character unique part of a CloudTrail log file name."""
        return self._pick(string.ascii_letters + string.digits, 16)

    # -- GCP -------------------------------------------------------------------------------
    def gcp_numeric_id(self) -> str:
        """A 19-digit resource id (`instance_id`, `disk_id`, operation `targetId`)."""
        return self.digits(19)

    def gcp_insert_id(self) -> str:
        """A LogEntry insertId as Compute Engine audit logs write them (`-1a2b3c4d5e6f`)."""
        return "-" + self.lower_alnum(12)

    def gcp_operation(self, epoch_ms: int) -> str:
        """A zonal operation name: `operation-<epoch ms>-<13 hex>-<8 hex>-<8 hex>`."""
        return f"operation-{epoch_ms}-{self.hex(13)}-{self.hex(8)}-{self.hex(8)}"
