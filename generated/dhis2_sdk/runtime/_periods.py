"""DHIS2 ISO periods: tell ``202401`` (Monthly) from ``2024Q1`` (Quarterly) from nonsense.

Stage: runtime (hand-written). Data values and analytics name periods by DHIS2's ISO codes; the
SDK checks them before sending so that a typo fails at once, with the formats DHIS2 accepts,
instead of as a conflict per value in the server's summary. Only the shape and ranges are
checked (month 1-12, a real calendar day, week 1-53); whether a period is open for data entry
is the server's business.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["is_valid_period", "period_type"]

_YEAR = r"(?P<year>\d{4})"
# (period type, pattern after the year, highest number the pattern's ``n`` may take)
_FORMATS: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (name, re.compile(rf"\A{_YEAR}{suffix}\Z"), highest)
    for name, suffix, highest in (
        ("Yearly", r"", 0),
        ("Monthly", r"(?P<n>\d{2})", 12),
        ("Daily", r"(?P<month>\d{2})(?P<day>\d{2})", 0),
        ("BiMonthly", r"(?P<n>\d{2})B", 6),
        ("Quarterly", r"Q(?P<n>\d)", 4),
        ("QuarterlyNov", r"NovQ(?P<n>\d)", 4),
        ("SixMonthly", r"S(?P<n>\d)", 2),
        ("SixMonthlyApril", r"AprilS(?P<n>\d)", 2),
        ("SixMonthlyNov", r"NovS(?P<n>\d)", 2),
        ("Weekly", r"W(?P<n>\d{1,2})", 53),
        ("WeeklyWednesday", r"WedW(?P<n>\d{1,2})", 53),
        ("WeeklyThursday", r"ThuW(?P<n>\d{1,2})", 53),
        ("WeeklySaturday", r"SatW(?P<n>\d{1,2})", 53),
        ("WeeklySunday", r"SunW(?P<n>\d{1,2})", 53),
        ("BiWeekly", r"BiW(?P<n>\d{1,2})", 27),
        ("FinancialApril", r"April", 0),
        ("FinancialJuly", r"July", 0),
        ("FinancialSep", r"Sep", 0),
        ("FinancialOct", r"Oct", 0),
        ("FinancialNov", r"Nov", 0),
    )
)

PERIOD_FORMATS_HINT = (
    "DHIS2 ISO periods look like 2024 (Yearly), 202401 (Monthly), 20240131 (Daily), 2024W5, "
    "2024BiW3, 202401B, 2024Q1, 2024S1, 2024AprilS1, 2024April, 2024July, 2024Oct or 2024Nov"
)
"""What to tell a user whose period is not one of these."""


def period_type(period: object) -> str | None:
    """DHIS2's period type of an ISO period (``"Monthly"`` for ``"202401"``), or ``None``."""
    if not isinstance(period, str):
        return None
    for name, pattern, highest in _FORMATS:
        match = pattern.match(period)
        if match is None:
            continue
        groups = match.groupdict()
        if "day" in groups:
            try:
                date(int(groups["year"]), int(groups["month"]), int(groups["day"]))
            except ValueError:
                return None
        elif "n" in groups and not 1 <= int(groups["n"]) <= highest:
            return None
        return name
    return None


def is_valid_period(period: object) -> bool:
    """True for a well-formed DHIS2 ISO period (``2024``, ``202401``, ``2024Q1``, ``2024W7``…)."""
    return period_type(period) is not None
