"""A seeded history around the 2026 National Day holiday, for the supervision figures.

Rows are written straight into the projections (cases and task rows, as the engine leaves them), so
every figure the dashboard shows can be computed by hand. The 2026 calendar around the holiday:

    Thu 09-24 work   Fri 09-25 off (中秋)  Sat/Sun 09-26/27 off
    Mon 09-28 … Wed 09-30 work            Thu 10-01 … Wed 10-07 off (国庆, incl. the weekend)
    Thu 10-08, Fri 10-09 work             Sat 10-10 work (调休)   Sun 10-11 off   Mon 10-12 work

Times below are the center's local time (Asia/Shanghai); they are stored as naive UTC (minus 8 h).
"TODAY" is Fri 2026-10-09.
"""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tests.factories import make_user
from workflows.models import (HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState,
                              Team)

TODAY = date(2026, 10, 9)
RANGE = (date(2026, 9, 1), date(2026, 10, 31))
_SEQ = itertools.count(1)


def at(text: str) -> datetime:
    """'2026-09-30 10:00' local → naive UTC."""
    return datetime.strptime(text, '%Y-%m-%d %H:%M') - timedelta(hours=8)


@dataclass
class History:
    team_a: Team
    team_b: Team
    a1: object
    a2: object
    b1: object
    cases: dict
    tasks: dict


def _definition_id(session, key):
    return session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.key == key)
                           .order_by(ProcessDefinition.version.desc())).first()


def add_case(session, key, started, closed=None, by=None, outcome=None, **kw):
    n = next(_SEQ)
    instance = ProcessInstance(definition_id=_definition_id(session, key), business_key=f'OV{n:06d}-{uuid.uuid4().hex[:6]}',
                               title=f'监察测试 {n}', started_at=at(started), started_by=by.id if by else None,
                               status=InstanceStatus.completed if closed else InstanceStatus.running,
                               closed_at=at(closed) if closed else None, outcome=outcome, **kw)
    session.add(instance)
    session.flush()
    return instance


def add_task(session, instance, spec_id, role, created, completed=None, due=None, by=None, claimed=None,
             decision=None, name=None):
    task = HumanTask(instance_id=instance.id, definition_id=instance.definition_id, task_guid=str(uuid.uuid4()),
                     spec_id=spec_id, name=name or spec_id, role_code=role, created_at=at(created),
                     time_limit='1wd' if due else None, due_date=due,
                     state=TaskState.completed if completed else TaskState.ready,
                     completed_at=at(completed) if completed else None, completed_by=by.id if by else None,
                     claimed_by=(by or claimed).id if (by or claimed) else None, decision=decision)
    session.add(task)
    session.flush()
    return task


def seed_history(session) -> History:
    """The cases and tasks of the module docstring; committed."""
    team_a, team_b = Team(code='ov_a', name='监察甲组'), Team(code='ov_b', name='监察乙组')
    session.add_all([team_a, team_b])
    session.flush()
    a1 = make_user(session, 'clerk', 'reviewer', name='甲一')
    a2 = make_user(session, 'reviewer', name='甲二')
    b1 = make_user(session, 'clerk', 'cashier', name='乙一')
    a1.team_id, a2.team_id, b1.team_id = team_a.id, team_a.id, team_b.id
    c = {}
    # Closed cases: completion time in working days from registration (not counted) to closing.
    c['c1'] = add_case(session, 'withdrawal', '2026-09-30 09:00', '2026-09-30 16:00', by=a1)  # 0 → spot
    c['c2'] = add_case(session, 'withdrawal', '2026-09-30 10:00', '2026-10-08 10:00', by=a1)  # 10-08 → ≤1
    c['c3'] = add_case(session, 'withdrawal', '2026-09-29 10:00', '2026-10-09 10:00', by=b1)  # 09-30,10-08,10-09 → ≤3
    c['c4'] = add_case(session, 'withdrawal', '2026-09-28 10:00', '2026-10-10 10:00', by=b1)  # 5 → later
    # Registered 07:00 local on 10-09 (still 10-08 in UTC), closed the same local day → spot.
    c['c5'] = add_case(session, 'withdrawal', '2026-10-09 07:00', '2026-10-09 15:00', by=a2)
    c['c6'] = add_case(session, 'loan', '2026-09-24 10:00', '2026-10-12 10:00', by=b1)        # 7 → later
    c['c_out'] = add_case(session, 'withdrawal', '2026-08-03 10:00', '2026-08-20 10:00', by=a1)  # closed before the range
    c['open_w'] = add_case(session, 'withdrawal', '2026-09-30 10:00', by=a1)
    c['open_l'] = add_case(session, 'loan', '2026-10-08 10:00', by=b1)
    t = {}
    t['t1'] = add_task(session, c['c1'], 'accept', 'clerk', '2026-09-30 09:00', '2026-09-30 16:00',
                       due=date(2026, 9, 30), by=a1, name='受理审查')                                      # on time, 7 h
    t['t2'] = add_task(session, c['c2'], 'review', 'reviewer', '2026-09-30 10:00', '2026-10-08 17:00',
                       due=date(2026, 10, 8), by=a1, name='审核')                                          # on time, 199 h
    # Completed at 00:30 local on 10-09 (still 10-08 in UTC): one day late in the center's calendar.
    t['t3'] = add_task(session, c['c3'], 'review', 'reviewer', '2026-09-30 11:00', '2026-10-09 00:30',
                       due=date(2026, 10, 8), by=a2, name='审核')                                          # late, 205.5 h
    t['t4'] = add_task(session, c['c3'], 'pay', 'cashier', '2026-10-08 09:00', '2026-10-08 11:00',
                       due=date(2026, 10, 9), by=b1, name='支付')                                          # on time, 2 h
    t['t5'] = add_task(session, c['c6'], 'accept', 'clerk', '2026-10-08 09:00', '2026-10-12 09:00',
                       due=date(2026, 10, 10), by=b1, name='受理审查')                                      # late
    t['t6'] = add_task(session, c['c4'], 'accept', 'clerk', '2026-09-30 12:00', '2026-09-30 13:00',
                       by=a1, name='受理审查')                                                              # no limit, 1 h
    # Open work on TODAY (Fri 10-09): due soon means due by the next working day, Sat 10-10 (调休).
    t['t7'] = add_task(session, c['open_w'], 'review', 'reviewer', '2026-09-29 10:00', due=date(2026, 9, 30),
                       claimed=a2, name='审核')               # overdue by 10-08 and 10-09: 2 working days
    t['t8'] = add_task(session, c['open_w'], 'accept', 'clerk', '2026-10-09 09:00', due=date(2026, 10, 10),
                       name='受理审查')                        # soon, in the queue
    t['t9'] = add_task(session, c['open_l'], 'accept', 'clerk', '2026-10-08 09:00', due=date(2026, 10, 12),
                       claimed=b1, name='受理审查')            # normal
    t['t10'] = add_task(session, c['open_w'], 'review', 'reviewer', '2026-10-08 09:00', due=date(2026, 10, 9),
                        name='审核')                           # soon (due today)
    session.commit()
    return History(team_a, team_b, a1, a2, b1, c, t)
