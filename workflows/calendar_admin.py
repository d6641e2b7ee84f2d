"""The center's calendar as administrators keep it: a year's days off and 调休 working days.

A year is *loaded* (authoritative) once its table was imported from the State Council's notice, taken
from the maintained package, or edited day by day; deadlines touching a year that is not loaded are
computed from weekends and statutory holidays and marked provisional (see calendar.Calendar).

Every change bumps the year's `loaded_at`, which is the calendar cache's version (deadlines.load_calendar),
so all processes see it at once. Due dates already computed are not moved: a change applies to dates
computed from then on (a clock's due date is recomputed when it is paused, resumed or extended).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from . import audit, seed
from .calendar import MAKEUP_WORKDAY_NOTE, _chinese_calendar_covers, parse_state_council_notice
from .errors import N_, Conflict, FormInvalid
from .models import CalendarDay, CalendarYear, utcnow

MIN_YEAR, MAX_YEAR = 2000, 2100
NOTICE_SOURCE = '国务院办公厅通知'
MANUAL_SOURCE = '管理员维护'
PACKAGE_SOURCE = 'chinese_calendar'
WORKDAY, DAY_OFF, ORDINARY = 'workday', 'off', 'ordinary'


def _invalid(field, message, **params):
    return FormInvalid(N_('Please correct the marked fields.'), {field: [(message, params)]})


def check_year(year) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid('year', N_('Enter a year from %(min)s to %(max)s.'), min=MIN_YEAR, max=MAX_YEAR)
    return year


@dataclass
class YearView:
    year: int
    loaded: CalendarYear | None      # None: provisional
    days: list[CalendarDay]
    package_covers: bool             # the maintained package has this year's table


def year_view(session, year: int) -> YearView:
    days = session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                     CalendarDay.day <= date(year, 12, 31))
                           .order_by(CalendarDay.day)).all()
    return YearView(year, session.get(CalendarYear, year), list(days), _chinese_calendar_covers(year))


def loaded_years(session) -> dict[int, CalendarYear]:
    return {y.year: y for y in session.scalars(select(CalendarYear).order_by(CalendarYear.year))}


def _replace_year(session, year, rows, source):
    session.execute(delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                              CalendarDay.day <= date(year, 12, 31)))
    session.add_all(CalendarDay(day=d, is_workday=w, note=n) for d, w, n in rows)
    _touch_year(session, year, source)


def _touch_year(session, year, source):
    existing = session.get(CalendarYear, year)
    if existing is None:
        session.add(CalendarYear(year=year, source=source[:128]))
    else:   # a new loaded_at is the calendar's new version
        existing.source, existing.loaded_at = source[:128], utcnow()
    session.flush()


def import_notice(session, actor, text: str, year: int | None):
    """Replace a year's table with what the State Council's notice says; every problem refuses it."""
    if not (text or '').strip():
        raise _invalid('text', N_('Paste the text of the notice or choose its file.'))
    parsed = parse_state_council_notice(text, year)
    if parsed.problems:
        raise FormInvalid(N_('The notice could not be read; nothing was changed.'),
                          {'text': list(parsed.problems)})
    check_year(parsed.year)
    rows = parsed.rows()
    _replace_year(session, parsed.year, rows, NOTICE_SOURCE)
    audit.record(session, actor, 'calendar_import',
                 data={'year': parsed.year, 'days_off': sum(not w for _, w, _ in rows),
                       'workdays': sum(w for _, w, _ in rows),
                       'holidays': [h.name for h in parsed.holidays]})
    return parsed


def load_from_package(session, actor, year: int):
    """Take a year's table from the maintained chinese_calendar package."""
    check_year(year)
    if not _chinese_calendar_covers(year):
        raise Conflict(N_('The calendar package has no table for %(year)s; import the notice instead.'), year=year)
    seed.load_calendar_year(session, year, source=PACKAGE_SOURCE)
    audit.record(session, actor, 'calendar_load', data={'year': year, 'source': PACKAGE_SOURCE})


def set_day(session, actor, day: date, kind: str, note: str = ''):
    """Make one day a working day, a day off, or ordinary (the Mon–Fri rule) in a loaded year."""
    if kind not in (WORKDAY, DAY_OFF, ORDINARY):
        raise _invalid('kind', N_('Choose working day, day off or ordinary.'))
    note = (note or '').strip()
    if len(note) > 64:
        raise _invalid('note', N_('At most %(n)s characters.'), n=64)
    check_year(day.year)
    if session.get(CalendarYear, day.year) is None:
        raise Conflict(N_('%(year)s is not loaded: import its notice (or take it from the package) first.'),
                       year=day.year)
    row = session.get(CalendarDay, day)
    before = None if row is None else ('workday' if row.is_workday else 'off')
    if kind == ORDINARY:
        if row is not None:
            session.delete(row)
    else:
        if row is None:
            row = CalendarDay(day=day)
            session.add(row)
        row.is_workday = kind == WORKDAY
        row.note = note or (MAKEUP_WORKDAY_NOTE if kind == WORKDAY else '')
    loaded = session.get(CalendarYear, day.year)
    _touch_year(session, day.year, loaded.source if MANUAL_SOURCE in loaded.source
                else f'{loaded.source}，{MANUAL_SOURCE}')
    audit.record(session, actor, 'calendar_day', data={'day': day.isoformat(), 'before': before, 'after': kind,
                                                       'note': note})
