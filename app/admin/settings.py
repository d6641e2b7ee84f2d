"""Settings: values in force today, planned changes and history; a change takes effect from a day."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from workflows import settings as engine_settings
from workflows.deadlines import center_today
from workflows.errors import N_, FormInvalid

from ..db import get_session
from ..security import current_actor
from .common import form_date, form_text, invalid
from .views import bp


def _render(errors=None, status=200, key=None):
    session = get_session()
    return render_template('admin/settings.html', views=engine_settings.overview(session), errors=errors or {},
                           error_key=key, values=request.form, today=center_today()), status


@bp.get('/settings')
def settings():
    return _render()


@bp.post('/settings')
def setting_change():
    session = get_session()
    key = form_text('key', 64)
    try:
        row = engine_settings.change_setting(session, current_actor(), key, form_text('value', 200),
                                             form_date('effective_from'), form_text('reason', 200))
    except FormInvalid as exc:
        return _render(invalid(exc), 422, key)
    session.commit()
    flash(gettext('%(key)s is %(value)s from %(day)s.', key=row.key, value=row.value,
                  day=row.effective_from.isoformat()), 'success')
    return redirect(url_for('admin.settings'))


@bp.post('/settings/withdraw')
def setting_withdraw():
    session = get_session()
    key = form_text('key', 64)
    try:
        day = form_date('effective_from')
        if day is None:
            raise FormInvalid(N_('Please correct the marked fields.'),
                              {'effective_from': [(N_('Enter a date as YYYY-MM-DD.'), {})]})
        engine_settings.withdraw_planned(session, current_actor(), key, day, form_text('reason', 200))
    except FormInvalid as exc:
        return _render(invalid(exc), 422, key)
    session.commit()
    flash(gettext('The planned change was withdrawn.'), 'success')
    return redirect(url_for('admin.settings'))
