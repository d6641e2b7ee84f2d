"""Working-day calendar for deadlines (time limits) of approval tasks.

China moves working days around public holidays (调休): some weekend days become
working days and some weekdays become days off. The center keeps its own table of
per-day overrides for the years it has loaded (seeded from ``chinese_calendar`` and
editable by the admin). Rules applied here:

* the start day is never counted;
* a deadline that ends on a day off moves forward to the next working day;
* a day in a year that is NOT loaded is never guessed silently: it is judged from
  weekends plus the statutory holidays that the ``holidays`` package computes for
  that year (no 调休 makeup working days), and every result touching such a day is
  flagged ``provisional``.

Framework-free: no Flask, no database access.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import chinese_calendar
import holidays as holidays_lib

__all__ = [
    "Calendar",
    "Due",
    "TimeLimit",
    "holiday_rows_from_chinese_calendar",
    "parse_time_limit",
]

WORKING_DAYS = "wd"
CALENDAR_DAYS = "cd"
UNITS = (WORKING_DAYS, CALENDAR_DAYS)
MAX_AMOUNT = 3650
MAKEUP_WORKDAY_NOTE = "调休上班"
FALLBACK_DAY_OFF_NOTE = "休息日"

_ONE_DAY = dt.timedelta(days=1)
_TIME_LIMIT_RE = re.compile(r"(0|[1-9][0-9]*)(wd|cd)", re.ASCII)


@dataclass(frozen=True)
class TimeLimit:
    """A task time limit such as 3 working days ('3wd') or 15 calendar days ('15cd')."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"time limit amount must be an int, got {self.amount!r}")
        if not 0 <= self.amount <= MAX_AMOUNT:
            raise ValueError(f"time limit amount {self.amount} is outside 0..{MAX_AMOUNT}")
        if self.unit not in UNITS:
            raise ValueError(f"time limit unit {self.unit!r} is not one of {UNITS}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_time_limit(text: str) -> TimeLimit:
    """Parse '3wd' / '15cd' (surrounding whitespace allowed) into a TimeLimit, else raise ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"invalid time limit {text!r}: expected a string like '3wd' or '15cd'")
    match = _TIME_LIMIT_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid time limit {text!r}: expected <amount><unit> such as '3wd' (working days) "
            f"or '15cd' (calendar days), amount 0..{MAX_AMOUNT} without inner spaces"
        )
    amount = int(match.group(1))
    if amount > MAX_AMOUNT:
        raise ValueError(f"invalid time limit {text!r}: amount {amount} exceeds {MAX_AMOUNT}")
    return TimeLimit(amount, match.group(2))


@dataclass(frozen=True)
class Due:
    """A computed deadline; provisional when any day consulted lies in a year not loaded."""

    date: dt.date
    provisional: bool


def _require_date(value: object, name: str) -> dt.date:
    """Reject anything but a plain date (a datetime would silently miss the day table)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date (not datetime), got {value!r}")
    return value


def _require_count(value: object, name: str) -> int:
    """Reject negative or non-int day counts."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return value


class Calendar:
    """Working-day calendar built from the center's day overrides for its loaded years."""

    __slots__ = ("_overrides", "_loaded_years", "_statutory_cache")

    def __init__(self, overrides: Mapping[dt.date, bool], loaded_years: Iterable[int]) -> None:
        self._loaded_years = frozenset(int(year) for year in loaded_years)
        self._overrides: dict[dt.date, bool] = {}
        for day, is_workday in overrides.items():
            _require_date(day, "override day")
            if day.year not in self._loaded_years:
                raise ValueError(f"override for {day.isoformat()}: year {day.year} is not loaded")
            self._overrides[day] = bool(is_workday)
        # year -> statutory holidays from the `holidays` package; only filled for years not loaded.
        self._statutory_cache: dict[int, frozenset[dt.date]] = {}

    @property
    def loaded_years(self) -> frozenset[int]:
        """Years whose day table is loaded (authoritative, not provisional)."""
        return self._loaded_years

    def is_workday(self, day: dt.date) -> bool:
        """Return True when `day` is a working day of the center."""
        return self._workday(_require_date(day, "day"))

    def is_provisional(self, day: dt.date) -> bool:
        """Return True when `day` lies in a year that is not loaded."""
        return _require_date(day, "day").year not in self._loaded_years

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """Return the n-th working day after `start` (not counted); n == 0: start or the next workday."""
        _require_date(start, "start")
        _require_count(n, "n")
        if n == 0:
            return self._roll_forward(start)
        day, remaining = start, n
        while remaining:
            day += _ONE_DAY
            if self._workday(day):
                remaining -= 1
        return Due(day, self._spans_unloaded(start + _ONE_DAY, day))

    def add_calendar_days(self, start: dt.date, n: int) -> Due:
        """Return start + n days, moved forward to the next working day if that day is off."""
        _require_date(start, "start")
        _require_count(n, "n")
        return self._roll_forward(start + dt.timedelta(days=n))

    def due(self, start: dt.date, limit: TimeLimit) -> Due:
        """Return the deadline for `limit` counted from `start`."""
        if not isinstance(limit, TimeLimit):
            raise TypeError(f"limit must be a TimeLimit, got {limit!r}")
        if limit.unit == WORKING_DAYS:
            return self.add_working_days(start, limit.amount)
        return self.add_calendar_days(start, limit.amount)

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Count working days d with after < d <= until (0 when until <= after)."""
        _require_date(after, "after")
        _require_date(until, "until")
        count, day = 0, after + _ONE_DAY
        while day <= until:
            count += self._workday(day)
            day += _ONE_DAY
        return count

    def _workday(self, day: dt.date) -> bool:
        """Hot path: dict lookup for loaded years, cached statutory set otherwise."""
        if day.year in self._loaded_years:
            status = self._overrides.get(day)
            return day.weekday() < 5 if status is None else status
        return day.weekday() < 5 and day not in self._statutory_holidays(day.year)

    def _statutory_holidays(self, year: int) -> frozenset[dt.date]:
        """Statutory CN holidays (incl. observed days) of a year not loaded, cached per year."""
        cached = self._statutory_cache.get(year)
        if cached is None:
            cached = frozenset(holidays_lib.country_holidays("CN", years=year).keys())
            self._statutory_cache[year] = cached
        return cached

    def _roll_forward(self, day: dt.date) -> Due:
        """Return `day` if it is a workday, else the next workday; flag provisional over the span."""
        first = day
        while not self._workday(day):
            day += _ONE_DAY
        return Due(day, self._spans_unloaded(first, day))

    def _spans_unloaded(self, first: dt.date, last: dt.date) -> bool:
        """Return True when any year from first to last (inclusive) is not loaded."""
        return any(year not in self._loaded_years for year in range(first.year, last.year + 1))


def _chinese_calendar_covers(year: int) -> bool:
    """Return True when chinese_calendar has data for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _chinese_holiday_note(day: dt.date) -> str:
    """Chinese name of the holiday chinese_calendar reports for `day`, or a generic note."""
    _, english_name = chinese_calendar.get_holiday_detail(day)
    try:
        return chinese_calendar.Holiday(english_name).chinese
    except ValueError:
        return FALLBACK_DAY_OFF_NOTE


def holiday_rows_from_chinese_calendar(year: int) -> list[tuple[dt.date, bool, str]]:
    """Return (day, is_workday, note) for each day of `year` that differs from the Mon-Fri rule."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError(f"invalid year {year!r}")
    if not _chinese_calendar_covers(year):
        raise ValueError(f"year {year} not covered by chinese_calendar; load its days manually")
    rows: list[tuple[dt.date, bool, str]] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != (day.weekday() < 5):
            note = MAKEUP_WORKDAY_NOTE if is_workday else _chinese_holiday_note(day)
            rows.append((day, is_workday, note))
        day += _ONE_DAY
    return rows
