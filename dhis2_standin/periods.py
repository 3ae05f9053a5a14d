"""DHIS2 ISO periods as the stand-in needs them: the period type and the days a period covers.

Independent of the SDK's own period checks on purpose: tests of the SDK against the stand-in
should not pass because both sides share one mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    """One ISO period: its type and first and last day (inclusive)."""

    iso: str
    period_type: str
    start: date
    end: date

    def within(self, other: Period) -> bool:
        """True when every day of this period is in ``other``."""
        return other.start <= self.start and self.end <= other.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _months(year: int, first: int, count: int) -> tuple[date, date]:
    """``count`` months from month ``first`` of ``year`` (``first`` may run past 12)."""
    start_year, start_month = year + (first - 1) // 12, (first - 1) % 12 + 1
    last = start_month + count - 1
    return date(start_year, start_month, 1), _month_end(
        start_year + (last - 1) // 12, (last - 1) % 12 + 1
    )


def _weeks(year: int, week: int, weekday: int, count: int) -> tuple[date, date] | None:
    """ISO-style weeks starting on ``weekday`` (1 = Monday), week 1 holding 4 January."""
    anchor = date(year, 1, 4)
    first = anchor - timedelta(days=(anchor.isoweekday() - weekday) % 7)
    start = first + timedelta(weeks=(week - 1) * count)
    if start.year > year and week > 1:
        return None
    return start, start + timedelta(days=7 * count - 1)


_WEEKLY = {
    "": ("Weekly", 1),
    "Wed": ("WeeklyWednesday", 3),
    "Thu": ("WeeklyThursday", 4),
    "Sat": ("WeeklySaturday", 6),
    "Sun": ("WeeklySunday", 7),
}
_FINANCIAL = {"April": 4, "July": 7, "Sep": 9, "Oct": 10, "Nov": 11}
_PATTERN = re.compile(
    r"(?P<year>\d{4})(?:"
    r"(?P<daily>\d{4})|(?P<month>\d{2})(?P<bimonth>B)?|Q(?P<quarter>[1-4])"
    r"|S(?P<half>[12])|AprilS(?P<half_april>[12])|NovS(?P<half_nov>[12])"
    r"|(?P<wday>Wed|Thu|Sat|Sun)?W(?P<week>\d{1,2})|BiW(?P<biweek>\d{1,2})"
    r"|(?P<financial>April|July|Sep|Oct|Nov))?"
)


def parse_period(text: str) -> Period | None:
    """The period ``text`` names, or None when it is no DHIS2 ISO period."""
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    g = match.groupdict()
    year = int(g["year"])
    span: tuple[date, date] | None
    try:
        if g["daily"]:
            day = date(year, int(g["daily"][:2]), int(g["daily"][2:]))
            kind, span = "Daily", (day, day)
        elif g["month"] and g["bimonth"]:
            n = int(g["month"])
            kind, span = "BiMonthly", _months(year, 2 * n - 1, 2) if 1 <= n <= 6 else None
        elif g["month"]:
            n = int(g["month"])
            kind, span = "Monthly", _months(year, n, 1) if 1 <= n <= 12 else None
        elif g["quarter"]:
            kind, span = "Quarterly", _months(year, 3 * int(g["quarter"]) - 2, 3)
        elif g["half"]:
            kind, span = "SixMonthly", _months(year, 6 * int(g["half"]) - 5, 6)
        elif g["half_april"]:
            kind, span = "SixMonthlyApril", _months(year, 6 * int(g["half_april"]) - 2, 6)
        elif g["half_nov"]:
            kind, span = "SixMonthlyNov", _months(year - 1, 6 * int(g["half_nov"]) + 5, 6)
        elif g["week"]:
            kind, weekday = _WEEKLY[g["wday"] or ""]
            n = int(g["week"])
            span = _weeks(year, n, weekday, 1) if 1 <= n <= 53 else None
        elif g["biweek"]:
            n = int(g["biweek"])
            kind, span = "BiWeekly", _weeks(year, n, 1, 2) if 1 <= n <= 27 else None
        elif g["financial"]:
            kind, span = f"Financial{g['financial']}", _months(year, _FINANCIAL[g["financial"]], 12)
        else:
            kind, span = "Yearly", (date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        return None
    if span is None:
        return None
    return Period(text, kind, span[0], span[1])
