"""Checks of evaluated values where SpiffWorkflow uses them: timers and loop cardinalities.

A multi-instance cardinality must be a whole number, at most ``MAX_INSTANCES``; a timer value must
be valid ISO 8601 as SpiffWorkflow parses it, at most ``MAX_TIMER_DAYS`` away. Timers reuse
SpiffWorkflow's own parsing, after bounding what would make it loop or overflow.
``engine.GuardedScriptEngine`` runs ``_check_result`` on every evaluated expression; ``modelcheck``
runs ``check_timer``/``check_cardinality`` on constant ones at deploy time.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition,
                                                              DurationTimerEventDefinition,
                                                              TimeDateEventDefinition,
                                                              TimerEventDefinition)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from .errors import BudgetExceeded, InvalidTimer, ModelCodeError, _num
from .limits import MAX_INSTANCES, MAX_TIMER_DAYS, MAX_TIMER_TEXT

_TIMER_SPAN = timedelta(days=MAX_TIMER_DAYS)
_DAYS_PER = (('years', 366), ('months', 31), ('weeks', 7), ('days', 1), ('hours', 1 / 24),
             ('minutes', 1 / 1440), ('seconds', 1 / 86400))


def _timer_too_long(what):
    return BudgetExceeded(f'{what}; the limit is {MAX_TIMER_DAYS:,} days (about 10 years)',
                          budget='timer', limit=MAX_TIMER_DAYS)


def _timer_duration(text):
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
    except Exception:  # noqa: BLE001 -- SpiffWorkflow raises a bare Exception
        raise InvalidTimer(f'{text!r} is not an ISO 8601 duration such as "P3D" or "PT4H30M"') from None
    try:
        days = sum(parsed.get(key, 0) * factor for key, factor in _DAYS_PER)
    except OverflowError:
        days = math.inf
    if days > MAX_TIMER_DAYS:
        raise _timer_too_long(f'timer duration {text!r} is about {_num(days)} days')
    try:
        return TimerEventDefinition.get_timedelta_from_start(dict(parsed))
    except (OverflowError, ValueError, TypeError) as exc:
        raise InvalidTimer(f'{text!r} is not a usable duration: {exc}') from None


def _timer_date(text, now, past_limit=False):
    try:
        value = TimerEventDefinition.parse_time_or_duration(text)
    except Exception:  # noqa: BLE001
        raise InvalidTimer(f'{text!r} is not an ISO 8601 date and time '
                           f'such as "2026-01-31T09:00:00+08:00"') from None
    if not isinstance(value, datetime):
        raise InvalidTimer(f'{text!r} is a duration; this timer needs a date and time')
    if value - now > _TIMER_SPAN:
        raise _timer_too_long(f'timer date {text!r} is more than {MAX_TIMER_DAYS:,} days ahead')
    if past_limit and now - value > _TIMER_SPAN:
        raise _timer_too_long(f'timer date {text!r} is more than {MAX_TIMER_DAYS:,} days ago')
    return value


def _timer_cycle(text, now):
    bad = InvalidTimer(f'{text!r} is not an ISO 8601 repeating interval such as "R3/PT1H" or '
                       f'"R/2026-01-31T09:00:00/P1D"')
    components = text.upper().replace('--', '/').strip('R').split('/')
    if len(components) not in (2, 3) or not (components[0] == '' or components[0].isdigit()):
        raise bad
    for part in components[1:]:
        if part.startswith('P'):
            _timer_duration(part)
        else:
            _timer_date(part, now, past_limit=True)
    try:
        _cycles, _start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception:  # noqa: BLE001
        raise bad from None
    if duration <= timedelta(0):
        raise InvalidTimer(f'{text!r} repeats with an interval of zero; '
                           f'the interval must be longer than zero')


def check_timer(kind, value, now=None):
    """Check an evaluated timer value as SpiffWorkflow will parse it. `kind` is 'timeDate',
    'timeDuration', 'timeCycle' or None (guess from the value). Raises InvalidTimer or
    BudgetExceeded(budget='timer')."""
    if not isinstance(value, str):
        raise InvalidTimer(f'a timer must evaluate to ISO 8601 text such as "P3D", '
                           f'not {type(value).__name__}')
    if len(value) > MAX_TIMER_TEXT:
        raise InvalidTimer(f'a timer value may be at most {MAX_TIMER_TEXT} characters long')
    now = now or datetime.now(timezone.utc)
    if kind is None:
        upper = value.upper()
        kind = ('timeCycle' if upper.startswith('R') else
                'timeDuration' if upper.startswith('P') else 'timeDate')
    if kind == 'timeDuration':
        _timer_duration(value)
    elif kind == 'timeDate':
        _timer_date(value, now)
    elif kind == 'timeCycle':
        _timer_cycle(value, now)
    else:
        raise ValueError(f'unknown timer kind {kind!r}')


def check_cardinality(value):
    """Check an evaluated multi-instance cardinality: a whole number up to MAX_INSTANCES."""
    if isinstance(value, bool) or not isinstance(value, int):
        text = repr(value)
        raise ModelCodeError(f'a loop cardinality must be a whole number, not {type(value).__name__} '
                             f'{text if len(text) <= 40 else text[:37] + "..."}')
    if value > MAX_INSTANCES:
        raise BudgetExceeded(f'loop cardinality {_num(value)} is more than {MAX_INSTANCES:,} instances; '
                             f'the limit is {MAX_INSTANCES:,}', budget='instances', limit=MAX_INSTANCES)


def _timer_kind(definition):
    if isinstance(definition, CycleTimerEventDefinition):
        return 'timeCycle'
    if isinstance(definition, DurationTimerEventDefinition):
        return 'timeDuration'
    if isinstance(definition, TimeDateEventDefinition):
        return 'timeDate'
    return None


def _check_result(spec, expression, result):
    """Checks that depend on where SpiffWorkflow uses the value (cardinality, timers)."""
    if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality:
        check_cardinality(result)
    event_definition = getattr(spec, 'event_definition', None)
    if event_definition is None:
        return
    for definition in (event_definition, *getattr(event_definition, 'event_definitions', ())):
        if isinstance(definition, TimerEventDefinition) and expression == definition.expression:
            check_timer(_timer_kind(definition), result)
