"""DHIS2 version strings, read the same way by the runtime and the generator's ``pull``.

Stage: runtime (hand-written). Imports only the standard library, so the generator can load
this one file without the rest of the package: there is one parser of DHIS2 versions.

DHIS2 numbers its releases ``2.MINOR[.PATCH[.HOTFIX]][-QUALIFIER]`` (``2.42.4-SNAPSHOT``,
``2.41.8.1``); releases from 42 on may also be written ``MAJOR.PATCH.HOTFIX`` (``42.1.0``).
Either way the release line (42) picks the generated package (``v42``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DhisVersion", "read_dhis2_version"]

_VERSION_RE = re.compile(
    r"\A\s*v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?(?:\.(?P<hotfix>\d+))?"
    r"(?:[-_+. ]?(?P<qualifier>[0-9A-Za-z][0-9A-Za-z.+_-]*))?\s*\Z"
)
# The first release line numbered without the leading "2." (42.0.0 is 2.42.0).
_FIRST_SHORT_LINE = 40


@dataclass(frozen=True, slots=True)
class DhisVersion:
    """A DHIS2 server version such as ``2.42.4-SNAPSHOT``, ``2.41.8.1`` or ``42.1.0``, parsed."""

    raw: str
    major: int
    minor: int
    patch: int = 0
    hotfix: int = 0
    qualifier: str | None = None

    @property
    def line(self) -> int:
        """The release line: 42 for ``2.42.4`` and for ``42.1.0``."""
        return self.minor if self.major == 2 else self.major

    @property
    def key(self) -> str:
        """The generated package that matches exactly, for example ``"v42"``."""
        return f"v{self.line}"

    @property
    def is_snapshot(self) -> bool:
        """True for development builds (``-SNAPSHOT``)."""
        return self.qualifier is not None and "SNAPSHOT" in self.qualifier.upper()


def read_dhis2_version(raw: str) -> DhisVersion | None:
    """Parse ``/api/system/info``'s ``version``; ``None`` when it is not a DHIS2 version.

    Accepts ``2.42``, ``2.42.1``, ``2.41.8.1``, ``2.42.4-SNAPSHOT``, ``2.43-SNAPSHOT``,
    ``2.40.2.2-EMBARGOED`` and the newer ``42.1.0``.
    """
    match = _VERSION_RE.match(raw)
    if match is None:
        return None
    major = int(match["major"])
    if major != 2 and major < _FIRST_SHORT_LINE:
        return None
    return DhisVersion(
        raw=raw,
        major=major,
        minor=int(match["minor"]),
        patch=int(match["patch"] or 0),
        hotfix=int(match["hotfix"] or 0),
        qualifier=match["qualifier"],
    )
