"""All date arithmetic of deadlines, in the center's calendar and time zone. Nothing else computes dates.

- A limit ('3wd', '15cd') counts from a start day that is not itself counted; a calendar-day
  deadline that ends on a day off moves to the next working day (`calendar.Calendar`).
- A clock's due date is its limit counted from its start, plus the days it was paused and the days
  it was extended, both in the limit's own unit (working or calendar days).
- **Due soon** means due today or on the next working day; **overdue** means the due date has
  passed. `due_status` and `due_soon_until` are the only definitions; pages, lists and the worker
  use them.

The calendar is read from the database only when a date must be computed, and cached per
database and calendar version.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .calendar import Calendar, Due, TimeLimit, parse_time_limit
from .models import CalendarDay, CalendarYear, Setting

CENTER_TZ = ZoneInfo('Asia/Shanghai')

OVERDUE, DUE_SOON, ON_TIME = 'overdue', 'soon', 'normal'


def local_date(utc_naive: datetime) -> date:
    """The center's calendar day for a stored (naive UTC) timestamp."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).date()


_CACHE: dict = {}
_CALENDAR_VERSION = select(func.count(CalendarYear.year), func.max(CalendarYear.loaded_at))


def load_calendar(session) -> Calendar:
    """The center's calendar as stored: overrides for loaded years, provisional elsewhere.

    Parsed tables are cached per database and calendar version (year count and last load time;
    every change to a year's days goes through seed.load_calendar_year, which bumps loaded_at), so
    a cache hit costs one small query and a change made by another process is seen at once.
    """
    version = (str(session.get_bind().url),
               *session.connection().execute(_CALENDAR_VERSION).one())
    calendar = _CACHE.get(version)
    if calendar is None:
        overrides = dict(session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all())
        years = session.scalars(select(CalendarYear.year)).all()
        calendar = Calendar(overrides, years)
        _CACHE.clear()
        _CACHE[version] = calendar
    return calendar


class LazyCalendar:
    """Read the calendar from the database only if a date has to be computed."""

    def __init__(self, session):
        self._session, self._calendar = session, None

    def get(self) -> Calendar:
        if self._calendar is None:
            self._calendar = load_calendar(self._session)
        return self._calendar


def center_today() -> date:
    """The center's calendar day now."""
    return local_date(datetime.now(timezone.utc).replace(tzinfo=None))


def get_setting(session, key, default, on: date | None = None):
    """The value of setting `key` in force on day `on` (default: the center's today), or `default`.

    Settings are effective-dated (see workflows.settings): the value in force is the one with the
    latest `effective_from` not after `on`.
    """
    on = on or center_today()
    value = session.scalar(select(Setting.value).where(Setting.key == key, Setting.effective_from <= on)
                           .order_by(Setting.effective_from.desc()).limit(1))
    return default if value is None else value


def task_due(calendar: Calendar, created: date, time_limit: str | None) -> Due | None:
    """The due date of a task created on `created` with a declared time limit."""
    if not time_limit:
        return None
    return calendar.due(created, parse_time_limit(time_limit))


def days_between(calendar: Calendar, unit: str, after: date, until: date) -> int:
    """Days of a limit's unit (working or calendar) in (after, until]."""
    if unit == 'wd':
        return calendar.working_days_between(after, until)
    return max((until - after).days, 0)


def clock_due(calendar: Calendar, limit_text: str, started_on: date, paused_days: int = 0,
              extended_days: int = 0) -> Due:
    """A clock's due date: the limit from its start, plus the days paused and extended."""
    limit = parse_time_limit(limit_text)
    return calendar.due(started_on, TimeLimit(limit.amount + paused_days + extended_days, limit.unit))


def due_soon_until(calendar: Calendar, today: date) -> date:
    """The last due date that still counts as 'due soon' today: the next working day."""
    return calendar.add_working_days(today, 1).date


def due_status(calendar: Calendar, due: date | None, today: date) -> str | None:
    """'overdue', 'soon' (due today or on the next working day), 'normal', or None without a date."""
    if due is None:
        return None
    if due < today:
        return OVERDUE
    if due <= due_soon_until(calendar, today):
        return DUE_SOON
    return ON_TIME
