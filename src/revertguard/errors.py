"""Errors a user can act on. The CLI prints these as one clear message, never a traceback."""

from __future__ import annotations


class RevertguardError(Exception):
    """An error caused by the user's input or environment, with a message that says what to do."""

    exit_code = 2


class UsageError(RevertguardError):
    """Bad arguments or options."""


class InputError(RevertguardError):
    """Input that cannot be read at all (a missing file, a store that cannot be opened)."""
