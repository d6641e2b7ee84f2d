"""Named legal clocks of a case, declared in the BPMN and kept as `case_clock` rows.

Declared on the process (spiffworkflow properties):

    clock.decision.limit    = 3wd                       the limit ('3wd' working / '15cd' calendar days)
    clock.decision.setting  = withdrawal.decision_limit (optional) a setting that overrides the limit
    clock.decision.label    = 法定办结时限                (and labelEn)
    clock.decision.basis    = 《住房公积金管理条例》第二十五条 …

and on the elements that drive them (tasks or events; comma-separated clock names):

    startsClock  = decision            when the element completes, the clock starts (again, if it had stopped)
    stopsClock   = decision            when the element completes, the clock stops: met or missed
    pausesClock  = decision            while this task is open, the clock does not run
    extendsClock = decision:+10        when the element completes, +10 days of the clock's unit
                   (or decision:+extra_days, read from the case data)

When the case ends every clock still running stops. The date arithmetic is `deadlines`'s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from . import audit
from .calendar import parse_time_limit
from .deadlines import clock_due, days_between, get_setting
from .errors import N_, ModelFailed
from .models import CaseClock, ClockState

_OPEN = (ClockState.running, ClockState.paused)
_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*\Z')
_EXTENSION = re.compile(r'([A-Za-z][A-Za-z0-9_]*):\+([0-9]{1,4}|[A-Za-z_][A-Za-z0-9_]*)\Z')


@dataclass(frozen=True)
class ClockDecl:
    """A clock as the process declares it."""
    name: str
    limit: str
    setting: str | None = None
    label: str = ''
    label_en: str = ''
    basis: str = ''


@dataclass(frozen=True)
class ClockActions:
    """What completing (or holding open) one element does to the case's clocks."""
    starts: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    pauses: tuple[str, ...] = ()
    extends: tuple[tuple[str, str], ...] = ()

    def __bool__(self):
        return bool(self.starts or self.stops or self.extends)


def comma_list(text: str | None) -> tuple[str, ...]:
    """The names of a comma-separated property value ('a, b' -> ('a', 'b'))."""
    return tuple(n.strip() for n in (text or '').split(',') if n.strip())


def declarations(properties: dict, problems: list) -> dict[str, ClockDecl]:
    """The clocks a process declares (`clock.<name>.<attr>` properties); problems are appended."""
    attrs: dict[str, dict] = {}
    for key, value in properties.items():
        if key.startswith('clock.'):
            parts = key.split('.')
            if len(parts) != 3 or not _NAME.match(parts[1]):
                problems.append(f'process property {key!r}: expected clock.<name>.<limit|setting|label|labelEn|basis>')
                continue
            attrs.setdefault(parts[1], {})[parts[2]] = value
    clocks = {}
    for name, values in attrs.items():
        unknown = set(values) - {'limit', 'setting', 'label', 'labelEn', 'basis'}
        if unknown:
            problems.append(f'clock {name!r}: unknown attributes {", ".join(sorted(unknown))}')
        try:
            parse_time_limit(values.get('limit', ''))
        except ValueError as exc:
            problems.append(f'clock {name!r}: {exc}')
            continue
        clocks[name] = ClockDecl(name=name, limit=values['limit'].strip(), setting=values.get('setting'),
                                 label=values.get('label', name), label_en=values.get('labelEn', ''),
                                 basis=values.get('basis', ''))
    return clocks


def element_actions(properties: dict, clocks: dict[str, ClockDecl], where: str, problems: list) -> ClockActions:
    """The clock actions an element declares, checked against the declared clocks."""
    actions = ClockActions(starts=comma_list(properties.get('startsClock')),
                           stops=comma_list(properties.get('stopsClock')),
                           pauses=comma_list(properties.get('pausesClock')))
    extends = []
    for item in comma_list(properties.get('extendsClock')):
        match = _EXTENSION.match(item)
        if not match:
            problems.append(f'{where}: extendsClock {item!r} must look like "name:+10" or "name:+field"')
            continue
        extends.append((match.group(1), match.group(2)))
    actions = ClockActions(actions.starts, actions.stops, actions.pauses, tuple(extends))
    for name in {*actions.starts, *actions.stops, *actions.pauses, *(n for n, _ in actions.extends)}:
        if name not in clocks:
            problems.append(f'{where}: clock {name!r} is not declared (declare clock.{name}.limit on the process)')
    return actions


@dataclass
class ClockBook:
    """The clocks of one case during one change: rows are read only when something touches them."""
    session: object
    instance: object
    declared: dict[str, ClockDecl]
    calendar: object          # deadlines.LazyCalendar
    today: date
    actor: object
    _rows: dict[str, CaseClock] | None = field(default=None, init=False)

    @property
    def touched(self) -> bool:
        """Whether this change read (and so may have changed) the case's clocks."""
        return self._rows is not None

    @property
    def rows(self) -> dict[str, CaseClock]:
        if self._rows is None:
            self._rows = {c.name: c for c in self.session.scalars(
                select(CaseClock).where(CaseClock.instance_id == self.instance.id))}
        return self._rows

    def apply(self, actions: ClockActions, data: dict):
        """Run an element's start/extend/stop actions, in that order."""
        for name in actions.starts:
            self._start(name)
        for name, amount in actions.extends:
            self._extend(name, amount, data)
        for name in actions.stops:
            self._stop(name)

    def sync_pauses(self, pausing: set[str]):
        """Pause the clocks an open task pauses; resume the others."""
        for name, row in self.rows.items():
            if name in pausing and row.state == ClockState.running:
                row.state, row.paused_since = ClockState.paused, self.today
                self._audit('clock_pause', row)
            elif name not in pausing and row.state == ClockState.paused:
                self._resume(row)

    def stop_all(self):
        """The case ended: every clock still open stops now."""
        for name, row in self.rows.items():
            if row.state in _OPEN:
                self._stop(name)

    def earliest_due(self):
        """(date, provisional) of the earliest running clock, or (None, False)."""
        running = [r for r in self.rows.values() if r.state == ClockState.running]
        if not running:
            return None, False
        first = min(running, key=lambda r: r.due_date)
        return first.due_date, first.due_provisional

    # -- transitions ------------------------------------------------------------------------------

    def _limit(self, decl: ClockDecl) -> str:
        if not decl.setting:
            return decl.limit
        value = get_setting(self.session, decl.setting, decl.limit, on=self.today)
        try:
            return str(parse_time_limit(value))
        except ValueError as exc:
            raise ModelFailed(N_('The setting %(key)s holds an invalid time limit: %(error)s'),
                              key=decl.setting, error=str(exc)) from exc

    def _recompute(self, row):
        due = clock_due(self.calendar.get(), row.limit, row.started_on, row.paused_days, row.extended_days)
        row.due_date, row.due_provisional = due.date, due.provisional

    def _start(self, name):
        row = self.rows.get(name)
        if row is not None and row.state in _OPEN:
            return
        limit = self._limit(self.declared[name])
        if row is None:
            row = CaseClock(instance_id=self.instance.id, name=name)
            self.session.add(row)
            self.rows[name] = row
        row.limit, row.started_on, row.paused_since, row.stopped_on = limit, self.today, None, None
        row.paused_days, row.extended_days, row.state = 0, 0, ClockState.running
        self._recompute(row)
        self._audit('clock_start', row)

    def _resume(self, row):
        unit = parse_time_limit(row.limit).unit
        row.paused_days += days_between(self.calendar.get(), unit, row.paused_since, self.today)
        paused_on, before = row.paused_since, row.due_date
        row.state, row.paused_since = ClockState.running, None
        self._recompute(row)
        self._audit('clock_resume', row, paused_on=paused_on.isoformat(), due_before=before.isoformat())

    def _extend(self, name, amount, data):
        row = self.rows.get(name)
        if row is None or row.state not in _OPEN:
            raise ModelFailed(N_('Clock %(name)s cannot be extended: it is not running.'), name=name)
        days = data.get(amount) if not amount.isdigit() else int(amount)
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
            raise ModelFailed(N_('Clock %(name)s: the extension %(value)s is not a number of days (0–3650).'),
                              name=name, value=repr(days))
        before = row.due_date
        row.extended_days += days
        self._recompute(row)
        self._audit('clock_extend', row, days=days, due_before=before.isoformat())

    def _stop(self, name):
        row = self.rows.get(name)
        if row is None or row.state not in _OPEN:
            return
        if row.state == ClockState.paused:
            self._resume(row)
        row.stopped_on = self.today
        row.state = ClockState.met if self.today <= row.due_date else ClockState.missed
        self._audit('clock_stop', row)

    def _audit(self, action, row, **extra):
        audit.record(self.session, self.actor, action, instance_id=self.instance.id,
                     basis=self.declared[row.name].basis or None,
                     data={'clock': row.name, 'limit': row.limit, 'due': row.due_date.isoformat(),
                           'state': row.state.value, **extra})
