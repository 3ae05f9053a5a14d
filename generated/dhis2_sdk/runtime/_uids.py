"""DHIS2 UIDs: generate and check the 11-character identifiers every DHIS2 object carries.

Stage: runtime (hand-written). Same rule as DHIS2's ``CodeGenerator``: 11 characters from the
62-character alphabet ``[A-Za-z0-9]``, the first one a letter. Randomness comes from ``secrets``
so generated UIDs can be created offline (for ``/api/metadata`` imports) without collisions.
"""

from __future__ import annotations

import re
import secrets
import string

__all__ = ["UID_RE", "generate_uid", "generate_uids", "is_valid_uid"]

UID_LENGTH = 11
UID_LETTERS = string.ascii_letters
UID_ALPHABET = string.ascii_letters + string.digits
UID_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9]{10}\Z")
"""Matches exactly one DHIS2 UID and nothing else (anchored, no trailing newline)."""


def generate_uid() -> str:
    """Return a new random DHIS2 UID, for example ``"bRkLm9Tq2xA"``."""
    first = secrets.choice(UID_LETTERS)
    return first + "".join(secrets.choice(UID_ALPHABET) for _ in range(UID_LENGTH - 1))


def generate_uids(n: int) -> list[str]:
    """Return ``n`` distinct new UIDs, in generation order."""
    if n < 0:
        raise ValueError(f"generate_uids needs n >= 0, got {n}")
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < n:
        uid = generate_uid()
        if uid not in seen:
            seen.add(uid)
            result.append(uid)
    return result


def is_valid_uid(value: object) -> bool:
    """True when ``value`` is a string shaped like a DHIS2 UID (no server lookup)."""
    return isinstance(value, str) and UID_RE.match(value) is not None
