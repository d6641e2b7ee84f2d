"""Due dates: task time limits and the case's statutory decision date, in the center's calendar.

The calendar is read from the database only when a date must be computed (a task is created,
a case starts or resumes), so a plain task completion costs no calendar queries.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .calendar import Calendar, Due, TimeLimit, parse_time_limit
from .models import CalendarDay, CalendarYear, Setting

DEFAULT_DECISION_DAY_TYPE = 'wd'


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


def get_setting(session, key, default):
    """A setting's stored value, or `default`."""
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def decision_limit(session, process_key, properties) -> TimeLimit | None:
    """The statutory decision limit of a process, with the day type taken from the settings."""
    days = properties.get('decisionLimitDays')
    if not days:
        return None
    unit = get_setting(session, f'{process_key}.decision_day_type', DEFAULT_DECISION_DAY_TYPE)
    return parse_time_limit(f'{int(days)}{unit}')


def task_due(calendar: Calendar, created: date, time_limit: str | None) -> Due | None:
    """The due date of a task created on `created` with a declared time limit."""
    if not time_limit:
        return None
    return calendar.due(created, parse_time_limit(time_limit))


def days_waited(calendar: Calendar, unit: str, paused_on: date, resumed_on: date) -> int:
    """Days of the limit's own kind (working or calendar) in (paused_on, resumed_on]."""
    if unit == 'wd':
        return calendar.working_days_between(paused_on, resumed_on)
    return max((resumed_on - paused_on).days, 0)


def clock_due(calendar: Calendar, limit_text: str, started_on: date, waited: int) -> Due:
    """The decision date: the limit counted from the start, plus the days spent waiting."""
    limit = parse_time_limit(limit_text)
    return calendar.due(started_on, TimeLimit(limit.amount + waited, limit.unit))


CENTER_TZ = ZoneInfo('Asia/Shanghai')


def local_date(utc_naive: datetime) -> date:
    """The center's calendar day for a stored (naive UTC) timestamp."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).date()
