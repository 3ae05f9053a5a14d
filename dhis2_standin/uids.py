"""DHIS2 identifiers: 11 characters from [a-zA-Z0-9], the first a letter."""

from __future__ import annotations

import re
import secrets
import string

_LETTERS = string.ascii_letters
_ALPHANUMERIC = string.ascii_letters + string.digits
_UID = re.compile(r"[a-zA-Z][a-zA-Z0-9]{10}")


def is_uid(value: object) -> bool:
    """Whether ``value`` is a well-formed DHIS2 UID."""
    return isinstance(value, str) and _UID.fullmatch(value) is not None


def new_uid() -> str:
    """A fresh random UID, as DHIS2's CodeGenerator makes them."""
    return secrets.choice(_LETTERS) + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(10))
