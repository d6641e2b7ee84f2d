"""Template helpers: dates, due badges, and labels in two languages — all taken from the models.

No process is named here: step names, outcomes, field labels and value labels come from the
process's own files (BPMN names and `labelEn`, form schemas, DMN output labels, operation result
descriptions, the process property `labels.<code>`).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import g
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from workflows import deadlines, listing, permissions
from workflows.calendar import parse_time_limit
from workflows.definitions import latest_definitions, loaded_definition
from workflows.models import Role, utcnow

from . import nav
from .db import get_session
from .i18n import is_english


def fmt_dt(value: datetime | None) -> str:
    """A stored UTC timestamp as local Shanghai time."""
    if value is None:
        return ''
    return value.replace(tzinfo=timezone.utc).astimezone(deadlines.CENTER_TZ).strftime('%Y-%m-%d %H:%M')


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


def fmt_money(value) -> str:
    """An amount in yuan, one way everywhere: thousands separators, two decimals, 元."""
    try:
        return gettext('%(amount)s yuan', amount=f'{float(value):,.2f}')
    except (TypeError, ValueError):
        return '' if value is None else str(value)


def today():
    """The center's current calendar day."""
    return deadlines.local_date(utcnow())


def _calendar():
    if 'calendar' not in g:
        g.calendar = deadlines.load_calendar(get_session())
    return g.calendar


def due_status(due) -> str | None:
    """'overdue', 'soon' or 'normal' by the one definition in workflows.deadlines."""
    return deadlines.due_status(_calendar(), due, today())


def days_left(clock) -> str:
    """What is left of a running clock, in the unit of its limit ('还剩 12 天', '还剩 3 个工作日')."""
    if clock.state.value != 'running' or clock.due_date is None:
        return ''
    unit = parse_time_limit(clock.limit).unit
    left = deadlines.days_between(_calendar(), unit, today(), clock.due_date)
    if clock.due_date < today():
        return ''
    if unit == 'wd':
        return gettext('%(n)s working days left', n=left)
    return gettext('%(n)s days left', n=left)


def join_words(items) -> str:
    """Items of a list in words: '、' between them in Chinese, ', ' in English."""
    return (', ' if is_english() else '、').join(items)


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
        return join_words(option_label(node.get('items', node), v) for v in value)
    if isinstance(value, bool):
        return gettext('Yes') if value else gettext('No')
    return dict(options(node)).get(value, '' if value is None else str(value))


def confirm_values(node: dict) -> list[str]:
    """The choices of a field that are final decisions (its `x-confirm`), as the form submits them."""
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in node.get('x-confirm', [])]


def field_value(node: dict, value) -> str:
    """A value shown by its schema: enum labels, yes/no, money, or as it is."""
    if node.get('enum') or node.get('items', {}).get('enum') or isinstance(value, bool):
        return option_label(node, value)
    if node.get('x-unit') == 'yuan':
        return fmt_money(value)
    if isinstance(value, (list, tuple)):
        return join_words(field_value(node.get('items', {}), item) for item in value)
    return '' if value is None else str(value)


def role_name(code: str) -> str:
    """A role's display name in the current language."""
    if 'role_names' not in g:
        g.role_names = {r.code: (r.name_en if is_english() else r.name_zh)
                        for r in get_session().query(Role).all()}
    return g.role_names.get(code, code)


def role_labels() -> dict[str, str]:
    """Every role's display name by code (diagrams show a lane named by a role code as this name)."""
    role_name('')
    return dict(g.role_names)


def limit_label(text: str) -> str:
    """A declared time limit ('3wd', '15cd') in words."""
    limit = parse_time_limit(text)
    if limit.unit == 'wd':
        return gettext('%(n)s working days', n=limit.amount)
    return gettext('%(n)s calendar days', n=limit.amount)


def channel_label(code) -> str:
    """How an application arrived, in words."""
    return {'window': gettext('Counter'), 'online': gettext('Online')}.get(code, code or '')


def loaded_of(instance):
    """The parsed definition a case runs on."""
    return loaded_definition(instance.definition)


def process_name(definition) -> str:
    """A process's name in the current language (its process property `labelEn` in English)."""
    if is_english():
        return loaded_definition(definition).properties.get('labelEn') or definition.name
    return definition.name


def element_name(loaded, spec_id: str, fallback: str = '') -> str:
    """A BPMN element's name in the current language (its `labelEn` property in English)."""
    meta = loaded.elements.get(spec_id)
    if meta is None:
        return fallback or spec_id
    return (meta.name_en if is_english() and meta.name_en else meta.name) or fallback


def risk_hint(meta) -> str:
    """A step's risk hint in the current language (its `riskHintEn` property in English)."""
    return (meta.risk_hint_en if is_english() and meta.risk_hint_en else meta.risk_hint) or ''


def value_label(loaded, value) -> str:
    """A code value in words: the process property `labels.<code>` (and `labels.<code>.en`), else the
    option's label in a form of the process that offers it (a rule listing materials names them as the
    checklist does).

    A list reads as its items' words joined as lists of options are (`join_words`).
    """
    if isinstance(value, (list, tuple)):
        return join_words(value_label(loaded, item) for item in value)
    if not isinstance(value, str):
        return option_label({}, value) if isinstance(value, bool) else ('' if value is None else str(value))
    props = loaded.properties
    return ((props.get(f'labels.{value}.en') if is_english() else None) or props.get(f'labels.{value}')
            or _option_words(loaded).get(value) or value)


def _option_words(loaded) -> dict[str, str]:
    """Every option of the process's forms, code -> label in the current language (first form wins)."""
    cache = g.setdefault('option_words', {})
    key = (id(loaded), is_english())
    if key not in cache:
        words = {}
        for node in field_nodes(loaded).values():
            for code, text in options(node.get('items', node)):
                if isinstance(code, str):
                    words.setdefault(code, text)
        cache[key] = words
    return cache[key]


def decision_label(task) -> str:
    """A completed task's decision in the words of its form."""
    if not task.decision:
        return ''
    loaded = loaded_of(task.instance)
    meta = loaded.elements.get(task.spec_id)
    node = loaded.forms.get(meta.form, {}).get('properties', {}).get(meta.decision_field, {}) if meta else {}
    return option_label(node, task.decision) if node.get('enum') else value_label(loaded, task.decision)


def status_label(status: str) -> str:
    """A case status in words."""
    return {'running': gettext('In progress'), 'waiting': gettext('Waiting for the applicant'),
            'completed': gettext('Closed'), 'error': gettext('Error'), 'suspended': gettext('Suspended'),
            'terminated': gettext('Terminated')}.get(status, status)


def case_status(instance) -> str:
    """A case's status, and for a closed case the end it reached (the end event's name)."""
    if instance.status.value == 'completed' and instance.end_event:
        return gettext('Closed: %(end)s', end=element_name(loaded_of(instance), instance.end_event))
    return status_label(instance.status.value)


_ACTIONS = {
    'register': lazy_gettext('Registered'), 'rules': lazy_gettext('Rule check'),
    'operation': lazy_gettext('Records'), 'claim': lazy_gettext('Claimed'), 'release': lazy_gettext('Released'),
    'complete': lazy_gettext('Completed step'), 'close': lazy_gettext('Closed'), 'error': lazy_gettext('Engine error'),
    'clock_start': lazy_gettext('Clock started'), 'clock_pause': lazy_gettext('Clock paused'),
    'clock_resume': lazy_gettext('Clock resumed'), 'clock_extend': lazy_gettext('Clock extended'),
    'clock_stop': lazy_gettext('Clock stopped'),
    'attachment_add': lazy_gettext('Material uploaded'), 'comment_add': lazy_gettext('Comment added'),
    'case_suspend': lazy_gettext('Suspended by an administrator'), 'case_resume': lazy_gettext('Resumed'),
    'case_terminate': lazy_gettext('Terminated by an administrator'), 'case_retry': lazy_gettext('Retried'),
    'timer': lazy_gettext('Timer'), 'reassign': lazy_gettext('Reassigned'),
    'migrate': lazy_gettext('Moved to a newer version'),
}


def action_label(action: str) -> str:
    """An audit action in words."""
    return str(_ACTIONS[action]) if action in _ACTIONS else action


def clock_label(loaded, name: str) -> str:
    """A declared clock's label in the current language."""
    decl = loaded.clocks.get(name)
    if decl is None:
        return name
    return (decl.label_en if is_english() and decl.label_en else decl.label) or name


def field_nodes(loaded) -> dict:
    """Every form field of the process by name (the start form first), for labelling recorded values."""
    return listing.field_nodes(loaded.forms, loaded.start_form)


def startable():
    """(key, name) of every process the current user may register a case of."""
    if not current_user.is_authenticated:
        return []
    if 'startable' not in g:
        user = current_user.model
        g.startable = [(d.key, process_name(d)) for d in latest_definitions(get_session())
                       if permissions.may_start(user, loaded_definition(d))]
    return g.startable


def _nav_context():
    if not current_user.is_authenticated:
        return {}
    return {'startable': startable}


def init_app(app):
    app.jinja_env.globals.update(fmt_dt=fmt_dt, fmt_duration=fmt_duration, fmt_money=fmt_money,
                                 due_status=due_status, label=label, hint=hint, options=options,
                                 option_label=option_label, field_value=field_value, confirm_values=confirm_values,
                                 role_name=role_name, role_labels=role_labels,
                                 risk_hint=risk_hint,
                                 today=today, is_english=is_english, days_left=days_left, decision_label=decision_label,
                                 status_label=status_label, case_status=case_status, action_label=action_label,
                                 limit_label=limit_label, channel_label=channel_label, element_name=element_name, process_name=process_name,
                                 join_words=join_words,
                                 clock_label=clock_label, loaded_of=loaded_of, nav_items=nav.nav_items)
    app.context_processor(_nav_context)
