"""Template helpers: dates in the center's time zone, due-date badges, schema labels in two languages."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import g
from flask_babel import gettext
from flask_login import current_user

from workflows import permissions
from workflows.calendar import parse_time_limit
from workflows.deadlines import CENTER_TZ, load_calendar, local_date
from workflows.models import Role, utcnow

from .db import get_session
from .i18n import is_english


def fmt_dt(value: datetime | None) -> str:
    """A stored UTC timestamp as local Shanghai time."""
    if value is None:
        return ''
    return value.replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).strftime('%Y-%m-%d %H:%M')


def fmt_duration(start: datetime | None, end: datetime | None) -> str:
    """Elapsed time between two timestamps, e.g. '2天3小时' / '2d 3h'."""
    if not start or not end:
        return ''
    minutes = int((end - start).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext('%(d)sd %(h)sh', d=days, h=hours)
    if hours:
        return gettext('%(h)sh %(m)smin', h=hours, m=mins)
    return gettext('%(m)smin', m=mins)


def today():
    """The center's current calendar day."""
    return local_date(utcnow())


def _calendar():
    if 'calendar' not in g:
        g.calendar = load_calendar(get_session())
    return g.calendar


def due_status(due) -> str | None:
    """'overdue', 'soon' (due today or on the next working day) or 'normal'."""
    if due is None:
        return None
    now = today()
    if due < now:
        return 'overdue'
    if _calendar().working_days_between(now, due) <= 1:
        return 'soon'
    return 'normal'


def label(node: dict, fallback: str = '') -> str:
    """A schema node's title in the current language."""
    if is_english():
        return node.get('x-title-en') or node.get('title') or fallback
    return node.get('title') or fallback


def hint(node: dict) -> str:
    return (node.get('x-hint-en') if is_english() else None) or node.get('x-hint', '')


def options(node: dict) -> list[tuple[str, str]]:
    """(value, label) pairs of an enum node, labels in the current language."""
    values = node.get('enum', [])
    names = (node.get('x-enumNames-en') if is_english() else None) or node.get('x-enumNames') or values
    return list(zip(values, names))


def option_label(node: dict, value) -> str:
    """The label of one enum value (or of each value of a list)."""
    if isinstance(value, list):
        return '、'.join(option_label(node.get('items', node), v) for v in value)
    if isinstance(value, bool):
        return gettext('Yes') if value else gettext('No')
    return dict(options(node)).get(value, '' if value is None else str(value))


def role_name(code: str) -> str:
    """A role's display name in the current language."""
    if 'role_names' not in g:
        g.role_names = {r.code: (r.name_en if is_english() else r.name_zh)
                        for r in get_session().query(Role).all()}
    return g.role_names.get(code, code)


def limit_label(text: str) -> str:
    """A declared time limit ('3wd', '15cd') in words."""
    limit = parse_time_limit(text)
    if limit.unit == 'wd':
        return gettext('%(n)s working days', n=limit.amount)
    return gettext('%(n)s calendar days', n=limit.amount)


def channel_label(code) -> str:
    """How an application arrived, in words."""
    return {'window': gettext('Counter'), 'online': gettext('Online')}.get(code, code or '')


def decision_label(code) -> str:
    """A task decision code in words."""
    labels = {'approve': gettext('Approved'), 'reject': gettext('Rejected')}
    return labels.get(code, code or '')


def status_label(status: str, outcome: str | None = None) -> str:
    """A case's status (and outcome once closed) in words."""
    if status == 'completed' and outcome:
        return {'paid': gettext('Closed: paid'), 'rejected': gettext('Closed: rejected'),
                'withdrawn': gettext('Closed: materials not supplied')}.get(outcome, gettext('Closed'))
    return {'running': gettext('In progress'), 'waiting': gettext('Waiting for the applicant'),
            'completed': gettext('Closed'), 'error': gettext('Error')}.get(status, status)


def action_label(action: str) -> str:
    """An audit action in words."""
    return {'register': gettext('Registered'), 'rules': gettext('Rule check'), 'claim': gettext('Claimed'),
            'release': gettext('Released'), 'complete': gettext('Completed step'),
            'pause_clock': gettext('Clock paused (one-time notice)'), 'resume_clock': gettext('Clock resumed'),
            'close': gettext('Closed')}.get(action, action)


def audit_data(data) -> str:
    """Audit event data as readable JSON (Chinese kept as is; the template escapes it)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str) if data else ''


def _nav_context():
    if not current_user.is_authenticated:
        return {}
    user = current_user.model
    return {'may_register': permissions.may_register(user),
            'may_act': permissions.may_act_on_business(user)}


def init_app(app):
    app.jinja_env.globals.update(fmt_dt=fmt_dt, fmt_duration=fmt_duration, due_status=due_status,
                                 label=label, hint=hint, options=options, option_label=option_label,
                                 role_name=role_name, today=today, is_english=is_english,
                                 decision_label=decision_label, status_label=status_label,
                                 action_label=action_label, limit_label=limit_label,
                                 channel_label=channel_label)
    app.jinja_env.filters['audit_data'] = audit_data
    app.context_processor(_nav_context)
