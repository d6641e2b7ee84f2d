"""Administrator-editable settings, effective-dated: a change takes effect from a day, history is kept.

A setting is known by a `SettingSpec` (its key, kind, default and label). Specs come from two places:

- the processes: every clock a deployed process declares with `clock.<name>.setting` is a time-limit
  setting whose default is the clock's declared limit (e.g. `withdrawal.decision_limit`);
- code: a process module may `register()` a spec of its own (a threshold, a budget).

`deadlines.get_setting(session, key, default, on=None)` reads the value in force on a day; this
module validates and records changes. A change never rewrites the past: it takes effect today or
later, and a change planned for a later day may be withdrawn before that day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from . import audit
from .calendar import parse_time_limit
from .deadlines import center_today, get_setting
from .definitions import latest_definitions, loaded_definition
from .errors import N_, FormInvalid, NotFound
from .models import SETTINGS_EPOCH, Setting

TIME_LIMIT, INTEGER = 'time_limit', 'integer'
MAX_REASON = 200


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: str                 # TIME_LIMIT or INTEGER
    default: str
    label: str = ''           # Chinese label (the process's words)
    label_en: str = ''
    basis: str = ''
    minimum: int | None = None
    maximum: int | None = None


_REGISTERED: dict[str, SettingSpec] = {}


def register(spec: SettingSpec) -> None:
    """Make a setting editable (call at import time of the module that reads it)."""
    _REGISTERED[spec.key] = spec


def known_settings(session) -> dict[str, SettingSpec]:
    """Every editable setting by key: registered ones and those the deployed processes' clocks declare."""
    specs = dict(_REGISTERED)
    for definition in latest_definitions(session):
        for decl in loaded_definition(definition).clocks.values():
            if decl.setting and decl.setting not in specs:
                specs[decl.setting] = SettingSpec(decl.setting, TIME_LIMIT, decl.limit, decl.label,
                                                  decl.label_en, decl.basis)
    return dict(sorted(specs.items()))


def spec_of(session, key) -> SettingSpec:
    spec = known_settings(session).get(key)
    if spec is None:
        raise NotFound(N_('There is no setting named %(key)s.'), key=key)
    return spec


def normalize(spec: SettingSpec, text: str) -> str:
    """The value to store for `text`, or FormInvalid with a message on the 'value' field."""
    text = (text or '').strip()
    if not text:
        raise _invalid('value', N_('Enter a value.'))
    if spec.kind == TIME_LIMIT:
        try:
            return str(parse_time_limit(text))
        except ValueError:
            raise _invalid('value', N_('Enter a time limit such as 3wd (working days) or 15cd (calendar days).')) \
                from None
    if spec.kind == INTEGER:
        if not (text.isascii() and text.lstrip('-').isdigit()):
            raise _invalid('value', N_('Enter a whole number with the digits 0-9.'))
        number = int(text)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            raise _invalid('value', N_('Enter a number from %(min)s to %(max)s.'), min=spec.minimum, max=spec.maximum)
        return str(number)
    raise ValueError(f'unknown setting kind {spec.kind!r}')


def _invalid(field, message, **params):
    return FormInvalid(N_('Please correct the marked fields.'), {field: [(message, params)]})


@dataclass
class SettingView:
    spec: SettingSpec
    current: str            # in force today
    customised: bool        # a stored value (not the default) is in force
    planned: list[Setting]  # changes taking effect after today
    history: list[Setting]  # every stored value, newest first


def overview(session, today: date | None = None) -> list[SettingView]:
    """Each known setting with its value today, the changes planned and its history."""
    today = today or center_today()
    rows: dict[str, list[Setting]] = {}
    for row in session.scalars(select(Setting).order_by(Setting.key, Setting.effective_from.desc())):
        rows.setdefault(row.key, []).append(row)
    views = []
    for key, spec in known_settings(session).items():
        history = rows.get(key, [])
        in_force = next((r for r in history if r.effective_from <= today), None)
        views.append(SettingView(spec, in_force.value if in_force else spec.default, in_force is not None,
                                 [r for r in reversed(history) if r.effective_from > today], history))
    return views


def change_setting(session, actor, key, value_text, effective_from: date | None, reason: str,
                   today: date | None = None) -> Setting:
    """Set `key` to a new value from `effective_from` (today or later), audited with the reason."""
    today = today or center_today()
    spec = spec_of(session, key)
    value = normalize(spec, value_text)
    reason = (reason or '').strip()
    if not reason:
        raise _invalid('reason', N_('Give the reason for the change.'))
    if len(reason) > MAX_REASON:
        raise _invalid('reason', N_('At most %(n)s characters.'), n=MAX_REASON)
    if effective_from is None:
        raise _invalid('effective_from', N_('Enter the day from which the value applies.'))
    if effective_from < today:
        raise _invalid('effective_from', N_('A change cannot apply to days already past; choose today or later.'))
    before = get_setting(session, key, spec.default, on=effective_from)
    row = session.get(Setting, (key, effective_from))
    if row is None:
        row = Setting(key=key, effective_from=effective_from)
        session.add(row)
    row.value, row.set_by, row.set_at, row.reason = value, actor.user_id, actor.at, reason
    audit.record(session, actor, 'setting_change', basis=reason,
                 data={'key': key, 'value': value, 'before': before, 'effective_from': effective_from.isoformat()})
    session.flush()
    return row


def withdraw_planned(session, actor, key, effective_from: date, reason: str, today: date | None = None):
    """Withdraw a change planned for a later day (one in force or past stays on record)."""
    today = today or center_today()
    row = session.get(Setting, (key, effective_from))
    if row is None or row.effective_from == SETTINGS_EPOCH:
        raise NotFound(N_('There is no planned change of %(key)s on that day.'), key=key)
    if row.effective_from <= today:
        raise _invalid('effective_from', N_('This value is already in force; set a new value instead.'))
    reason = (reason or '').strip()
    if not reason:
        raise _invalid('reason', N_('Give the reason for the change.'))
    audit.record(session, actor, 'setting_withdraw', basis=reason[:MAX_REASON],
                 data={'key': key, 'value': row.value, 'effective_from': effective_from.isoformat()})
    session.execute(delete(Setting).where(Setting.key == key, Setting.effective_from == effective_from))
    session.flush()
