"""Figures for supervisors: open work, deadline lists, on-time rates, completion times, trends, the heatmap
(the 内审 register is `internal_audits`, the 否定报备 register `refusals`).

All of it is read from the projections (`human_task`, `process_instance`), aggregated in SQL where the
database can do it, and judged by the center's calendar:

- A **completed task is on time** when it was completed on or before its due date, both read as the
  center's calendar days (`deadlines.local_date`). Tasks without a time limit have no due date and are
  not counted in on-time rates.
- **Due soon / overdue** of open tasks come only from `deadlines.due_status` (and
  `deadlines.due_soon_until` to bound the query); how late is counted in working days.
- A closed case's **completion time** is the number of working days from the day it was registered
  (not counted) to the day it closed: 0 is "on the spot" (办结 the same day), then ≤ 1, ≤ 3 and
  later (`BUCKETS`).
- **Weeks** run Monday to Sunday of the center's calendar.
- Time spent on a step (heatmap) is the elapsed time from the task's creation to its completion;
  p90 is the nearest-rank 90th percentile.

A task's process is its row's copy of its case's definition (`HumanTask.definition_id`), so task
figures never join the task rows to their cases (docs/DESIGN.md, "Supervision figures at scale").

Filters (`Filters`) narrow by process key, a range of the center's calendar days, a team and a
person: for tasks the person is whoever holds (open work) or completed (rates) the task; for cases
it is who registered the case.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from .calendar import Calendar
from .deadlines import OVERDUE, due_soon_until, due_status
from .errors import N_, DomainError
from .models import HumanTask, ProcessDefinition, ProcessInstance, TaskState, Team, User
from .sqltime import elapsed_hours, local_day, utc_start_of


ON_THE_SPOT, WITHIN_1, WITHIN_3, LATER = 'spot', 'wd1', 'wd3', 'later'
BUCKETS = (ON_THE_SPOT, WITHIN_1, WITHIN_3, LATER)
GROUPINGS = ('process', 'step', 'team', 'person')
MAX_RANGE_DAYS = 3 * 366
DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Filters:
    """What a supervisor narrows the figures to; None means no restriction."""
    process: str | None = None
    start: date | None = None       # first calendar day included
    end: date | None = None         # last calendar day included
    team_id: int | None = None
    user_id: int | None = None

    def __post_init__(self):
        if self.start and self.end:
            if self.start > self.end:
                raise DomainError(N_('The start date is after the end date.'))
            if (self.end - self.start).days > MAX_RANGE_DAYS:
                raise DomainError(N_('The date range may not be longer than three years.'))

    @classmethod
    def recent(cls, today: date, **kw) -> 'Filters':
        """The last DEFAULT_WEEKS weeks up to `today`."""
        return cls(start=today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1), end=today, **kw)


def in_range(column, f: Filters):
    """Conditions keeping timestamps of `column` inside the filter's calendar days."""
    conds = []
    if f.start:
        conds.append(column >= utc_start_of(f.start))
    if f.end:
        conds.append(column < utc_start_of(f.end + timedelta(days=1)))
    return conds


def _of_process(definition_column, key):
    """Condition: `definition_column` is a version of process `key`."""
    return definition_column.in_(select(ProcessDefinition.id).where(ProcessDefinition.key == key))


def _task_query(query, f: Filters, person_column):
    """Apply the process, team and person filters to a task query (the process through the task row's
    own copy of its case's definition: no join to the cases)."""
    if f.process:
        query = query.where(_of_process(HumanTask.definition_id, f.process))
    if f.user_id is not None:
        query = query.where(person_column == f.user_id)
    if f.team_id is not None:
        query = query.where(person_column.in_(select(User.id).where(User.team_id == f.team_id)))
    return query


def _processes(session) -> tuple[dict[int, str], dict[str, str]]:
    """(each definition id's process key, each process key's latest name)."""
    rows = session.execute(select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.name)
                           .order_by(ProcessDefinition.key, ProcessDefinition.version)).all()
    return {id_: key for id_, key, _name in rows}, {key: name for _id, key, name in rows}


def process_names(session):
    """Each process key's latest name."""
    return _processes(session)[1]


# --- open work ---

def open_work(session, f: Filters, calendar: Calendar, today: date) -> list[dict]:
    """Ready tasks per process and step: how many wait, how many are due soon and overdue."""
    query = _task_query(select(HumanTask.definition_id, HumanTask.spec_id, func.max(HumanTask.name),
                               HumanTask.due_date, func.count()), f, HumanTask.claimed_by)
    query = (query.where(HumanTask.state == TaskState.ready)
             .group_by(HumanTask.definition_id, HumanTask.spec_id, HumanTask.due_date))
    keys, names = _processes(session)
    rows: dict[tuple, dict] = {}
    for definition_id, spec_id, step, due, count in session.execute(query):
        key = keys[definition_id]
        row = rows.setdefault((key, spec_id), {'process': key, 'process_name': names.get(key, key),
                                               'step': spec_id, 'step_name': step,
                                               'waiting': 0, 'soon': 0, 'overdue': 0})
        row['waiting'] += count
        status = due_status(calendar, due, today)
        if status in ('soon', OVERDUE):
            row[status] += count
    return sorted(rows.values(), key=lambda r: (r['process'], -r['waiting'], r['step']))


def deadline_list(session, f: Filters, calendar: Calendar, today: date, limit: int = 500) -> list[dict]:
    """Ready tasks due soon or overdue, the latest first: who holds each and how late (working days)."""
    until = due_soon_until(calendar, today)
    holder = User.__table__.alias('holder')
    query = _task_query(select(HumanTask.id, HumanTask.instance_id, ProcessInstance.business_key,
                               HumanTask.definition_id, HumanTask.spec_id, HumanTask.name,
                               HumanTask.role_code, HumanTask.created_at, HumanTask.due_date, holder.c.id,
                               holder.c.full_name)
                        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                        .outerjoin(holder, holder.c.id == HumanTask.claimed_by), f, HumanTask.claimed_by)
    query = (query.where(HumanTask.state == TaskState.ready, HumanTask.due_date.is_not(None),
                         HumanTask.due_date <= until)
             .order_by(HumanTask.due_date, HumanTask.created_at, HumanTask.id).limit(limit))
    keys, names = _processes(session)
    rows = session.execute(query).all()
    late = working_days_late(calendar, {row.due_date for row in rows}, today)
    result = []
    for (task_id, instance_id, business_key, definition_id, spec_id, step, role, created, due, holder_id,
         holder_name) in rows:
        key = keys[definition_id]
        status = due_status(calendar, due, today)
        result.append({'task_id': task_id, 'instance_id': instance_id, 'case': business_key,
                       'process': key, 'process_name': names.get(key, key), 'step': spec_id,
                       'step_name': step, 'role': role, 'holder_id': holder_id, 'holder': holder_name,
                       'created_at': created, 'due_date': due, 'status': status,
                       'days_late': late[due] if status == OVERDUE else 0})
    return result


def working_days_late(calendar: Calendar, dues, today: date) -> dict[date, int]:
    """For each due date: the working days after it up to `today` (0 for dates not before today).

    Counted once over the whole span (latest date first, adding the stretch to the next one), not
    once per task, so a long list of old due dates costs one pass over the calendar.
    """
    result, total, upper = {}, 0, today
    for due in sorted(set(dues), reverse=True):
        if due >= today:
            result[due] = 0
            continue
        total += calendar.working_days_between(due, upper)
        upper = due
        result[due] = total
    return result


# --- completed work ---

@dataclass(frozen=True)
class CompletedWork:
    """Completed tasks inside the filters, counted in one pass per process, step and person who
    completed them; the on-time rates by every grouping are sums of these counts (the dashboard
    shows all four, and each read apart is a pass over the same ~100,000 rows of a twelve-week range).

    `groups` rows: (process key, step id, step name, completed by, completed, of them with a time
    limit, of those on time). `users`: id → (full name, team id).
    """
    groups: list[tuple]
    names: dict[str, str]
    users: dict[int, tuple[str, int | None]]
    teams: dict[int, str]

    def rates(self, by: str) -> list[dict]:
        """Tasks with a time limit grouped `by` 'process', 'step', 'team' or 'person': each row the
        group's key and label, how many were completed, how many on time, the rate (0..1)."""
        if by not in GROUPINGS:
            raise ValueError(f'Unknown grouping {by!r}.')
        totals: dict = {}
        for key, spec_id, step, user_id, _count, with_limit, on_time in self.groups:
            if not with_limit:
                continue
            if by == 'process':
                group, label = key, self.names.get(key, key)
            elif by == 'step':
                group, label = f'{key}:{spec_id}', (self.names.get(key, key), step)
            elif by == 'team':
                group = self.users.get(user_id, (None, None))[1]
                label = self.teams.get(group)
            else:
                group, label = user_id, self.users.get(user_id, (None, None))[0]
            total = totals.setdefault(group, [label, 0, 0])
            if by == 'step':    # the step's name: the greatest of its rows', as one GROUP BY would give
                total[0] = max(total[0], label)
            total[1] += with_limit
            total[2] += on_time
        rows = [{'key': group, 'label': f'{label[0]} · {label[1]}' if by == 'step' else label,
                 'completed': total, 'on_time': on_time, 'late': total - on_time, 'rate': on_time / total}
                for group, (label, total, on_time) in totals.items()]
        return sorted(rows, key=lambda r: (-r['completed'], str(r['label'])))


def _counts():
    """Aggregates over completed tasks: how many, how many with a time limit, how many of those on time.

    On time: completed on or before the due date, both read as the center's calendar days.
    """
    return (func.count(), func.sum(case((HumanTask.due_date.is_not(None), 1), else_=0)),
            func.sum(case((local_day(HumanTask.completed_at) <= HumanTask.due_date, 1), else_=0)))


def _completed(query, f: Filters):
    """A query over the tasks completed inside the filters; the person is whoever completed them."""
    query = _task_query(query, f, HumanTask.completed_by)
    return query.where(HumanTask.state == TaskState.completed, *in_range(HumanTask.completed_at, f))


def completed_work(session, f: Filters) -> CompletedWork:
    """The counts of completed tasks the on-time rates are made of (`CompletedWork`); tasks without
    a time limit count as completed but not in the rates; the team is that of whoever completed."""
    keys = (HumanTask.definition_id, HumanTask.spec_id, HumanTask.completed_by)
    query = _completed(select(*keys, func.max(HumanTask.name), *_counts()), f).group_by(*keys)
    definitions, names = _processes(session)
    groups = [(definitions[definition_id], spec_id, step, user_id, count, int(limited or 0),
               int(in_time or 0))
              for definition_id, spec_id, user_id, step, count, limited, in_time in session.execute(query)]
    user_ids = {g[3] for g in groups if g[3] is not None}
    users = {id_: (name, team_id) for id_, name, team_id in session.execute(
        select(User.id, User.full_name, User.team_id).where(User.id.in_(user_ids)))} if user_ids else {}
    teams = dict(session.execute(select(Team.id, Team.name)).all())
    return CompletedWork(groups, names, users, teams)


def on_time_rates(session, f: Filters, by: str) -> list[dict]:
    """Completed tasks with a time limit grouped `by` 'process', 'step', 'team' or 'person'
    (`CompletedWork.rates`); to read several groupings, call `completed_work` once."""
    if by not in GROUPINGS:
        raise ValueError(f'Unknown grouping {by!r}.')
    return completed_work(session, f).rates(by)


def bucket_of(calendar: Calendar, started: date, closed: date) -> str:
    """The completion-time bucket of a case registered on `started` and closed on `closed`."""
    days = calendar.working_days_between(started, closed)
    if days == 0:
        return ON_THE_SPOT
    if days <= 1:
        return WITHIN_1
    if days <= 3:
        return WITHIN_3
    return LATER


def completion_times(session, f: Filters, calendar: Calendar) -> dict:
    """Closed cases (closed inside the range) by completion-time bucket: counts and shares."""
    started, closed = local_day(ProcessInstance.started_at), local_day(ProcessInstance.closed_at)
    query = (select(started, closed, func.count())
             .where(ProcessInstance.closed_at.is_not(None), *in_range(ProcessInstance.closed_at, f))
             .group_by(started, closed))
    if f.process:
        query = query.where(_of_process(ProcessInstance.definition_id, f.process))
    if f.user_id is not None:
        query = query.where(ProcessInstance.started_by == f.user_id)
    if f.team_id is not None:
        query = query.where(ProcessInstance.started_by.in_(select(User.id).where(User.team_id == f.team_id)))
    counts = dict.fromkeys(BUCKETS, 0)
    for start_day, close_day, count in session.execute(query):
        counts[bucket_of(calendar, start_day, close_day)] += count
    total = sum(counts.values())
    return {'total': total, 'counts': counts,
            'shares': {b: (counts[b] / total if total else None) for b in BUCKETS}}


def week_of(day: date) -> date:
    """The Monday starting the week of `day`."""
    return day - timedelta(days=day.weekday())


def weekly_trends(session, f: Filters) -> list[dict]:
    """Per week (Monday first): tasks completed, those with a time limit, on time, and the rate;
    every week of the filter's range, also those without work."""
    # Grouped by day in SQL and summed into weeks here: truncating each row to its week cost
    # PostgreSQL more (58 against 43 ms over the bench's 120,000 rows) than the days cost Python.
    day = local_day(HumanTask.completed_at)
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for completed_day, count, with_limit, on_time in session.execute(_completed(select(day, *_counts()), f)
                                                                      .group_by(day)):
        totals = weeks[week_of(completed_day)]
        totals[0] += count
        totals[1] += int(with_limit or 0)
        totals[2] += int(on_time or 0)
    if f.start and f.end:
        monday = week_of(f.start)
        while monday <= f.end:
            weeks[monday]
            monday += timedelta(weeks=1)
    return [{'week': monday, 'completed': c, 'with_limit': d, 'on_time': o, 'rate': o / d if d else None}
            for monday, (c, d, o) in sorted(weeks.items())]


# --- the heatmap ---

def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def heatmap(session, key: str, f: Filters) -> dict[str, dict]:
    """Per step of process `key`: tasks waiting now, and the mean and p90 hours spent on completed ones."""
    f = Filters(process=key, start=f.start, end=f.end, team_id=f.team_id, user_id=f.user_id)
    waiting = _task_query(select(HumanTask.spec_id, func.count()), f, HumanTask.claimed_by)
    waiting = waiting.where(HumanTask.state == TaskState.ready).group_by(HumanTask.spec_id)
    steps: dict[str, dict] = defaultdict(lambda: {'waiting': 0, 'completed': 0, 'mean_hours': None,
                                                  'p90_hours': None})
    for spec_id, count in session.execute(waiting):
        steps[spec_id]['waiting'] = count
    hours = elapsed_hours(HumanTask.created_at, HumanTask.completed_at)
    if session.get_bind().dialect.name == 'postgresql':
        # Nearest-rank p90 is PostgreSQL's percentile_disc(0.9): the first value whose rank is at
        # least 0.9 n (ceil(0.9 n) in double precision equals the exact one for any n below 2 million).
        spent = _completed(select(HumanTask.spec_id, func.count(), func.avg(hours),
                                  func.percentile_disc(0.9).within_group(hours)), f)
        spent = spent.group_by(HumanTask.spec_id)
    else:
        # The same in portable SQL: rank each step's durations; p90 is the largest duration whose
        # rank is at most ceil(0.9 n), i.e. 10 rank < 9 n + 10 in whole numbers.
        ranked = _completed(select(HumanTask.spec_id.label('spec_id'), hours.label('hours'),
                                   func.row_number().over(partition_by=HumanTask.spec_id, order_by=hours)
                                   .label('rank'),
                                   func.count().over(partition_by=HumanTask.spec_id).label('n')), f)
        ranked = ranked.subquery()
        spent = (select(ranked.c.spec_id, func.count(), func.avg(ranked.c.hours),
                        func.max(case((10 * ranked.c.rank < 9 * ranked.c.n + 10, ranked.c.hours))))
                 .group_by(ranked.c.spec_id))
    for spec_id, count, mean, p90 in session.execute(spent):
        steps[spec_id].update(completed=count, mean_hours=float(mean), p90_hours=float(p90))
    return dict(steps)
