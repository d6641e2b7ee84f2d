"""The calendar: a year's days off and 调休 working days, the State Council notice import."""
from __future__ import annotations

import calendar as month_calendar

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from workflows import calendar_admin
from workflows.calendar import NOTICE_MAX_CHARS
from workflows.deadlines import center_today, load_calendar
from workflows.errors import N_, FormInvalid

from ..db import get_session
from ..security import current_actor
from .common import form_date, form_int, form_text, invalid
from .views import bp


def _year_arg():
    year = request.args.get('year', type=int) or center_today().year
    return year if calendar_admin.MIN_YEAR <= year <= calendar_admin.MAX_YEAR else center_today().year


def _render(year, errors=None, status=200):
    session = get_session()
    view = calendar_admin.year_view(session, year)
    cal = load_calendar(session)
    overrides = {d.day: d for d in view.days}
    months = [[[(day, cal.is_workday(day), overrides.get(day)) if day.month == m else None
                for day in week] for week in month_calendar.Calendar().monthdatescalendar(year, m)]
              for m in range(1, 13)]
    this_year = center_today().year
    years = sorted({*range(this_year - 1, this_year + 3), *calendar_admin.loaded_years(session), year})
    return render_template('admin/calendar.html', view=view, months=months, years=years,
                           loaded=calendar_admin.loaded_years(session), errors=errors or {},
                           values=request.form, today=center_today()), status


@bp.get('/calendar')
def calendar():
    return _render(_year_arg())


def _notice_text():
    upload = request.files.get('file')
    if upload is not None and upload.filename:
        raw = upload.read(NOTICE_MAX_CHARS * 4 + 1)
        for encoding in ('utf-8-sig', 'gb18030'):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'text': [(N_('The file is not text (UTF-8 or GB18030).'), {})]})
    return request.form.get('text') or ''


@bp.post('/calendar/import')
def calendar_import():
    session = get_session()
    year = form_int('year')
    try:
        parsed = calendar_admin.import_notice(session, current_actor(), _notice_text(), year)
    except FormInvalid as exc:
        return _render(year or _year_arg(), invalid(exc), 422)
    session.commit()
    flash(gettext('%(year)s imported from the notice: %(n)s holidays.', year=parsed.year,
                  n=len(parsed.holidays)), 'success')
    return redirect(url_for('admin.calendar', year=parsed.year))


@bp.post('/calendar/load')
def calendar_load():
    session = get_session()
    year = form_int('year') or 0
    try:
        calendar_admin.load_from_package(session, current_actor(), year)
    except FormInvalid as exc:
        return _render(_year_arg(), invalid(exc), 422)
    session.commit()
    flash(gettext('%(year)s loaded from the calendar package.', year=year), 'success')
    return redirect(url_for('admin.calendar', year=year))


@bp.post('/calendar/day')
def calendar_day():
    session = get_session()
    try:
        day = form_date('day')
        if day is None:
            raise FormInvalid(N_('Please correct the marked fields.'), {'day': [(N_('Enter a date as YYYY-MM-DD.'), {})]})
        calendar_admin.set_day(session, current_actor(), day, request.form.get('kind', ''), form_text('note', 64))
    except FormInvalid as exc:
        return _render(_year_arg(), invalid(exc), 422)
    session.commit()
    flash(gettext('%(day)s saved.', day=day.isoformat()), 'success')
    return redirect(url_for('admin.calendar', year=day.year))


