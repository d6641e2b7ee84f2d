"""Every way through the enforcement case, driven through the engine on a real database.

The standard lead (workflows/processes/enforcement/demo.py): 上海某某贸易有限公司 has not opened
accounts for 45 employees since 1 March 2025; the complaint is registered on Monday 1 June 2026.
"""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import NotAllowed, OperationRefused
from workflows.models import (CaseClock, CaseParty, ClockState, EmployerPenalty, EvidenceItem, HumanTask,
                              InstanceStatus, TaskState, User)
from workflows.processes import enforcement as enf
from workflows.processes.enforcement import demo

AT = datetime(2026, 6, 1, 2, 0)     # Monday 1 June 2026, 10:00 in Shanghai


def on(day: date) -> datetime:
    """10:00 in Shanghai on `day`, as the naive UTC the engine stores."""
    return datetime(day.year, day.month, day.day, 2, 0)


@pytest.fixture(autouse=True)
def _employers(session):
    enf.add_demo_employers(session)
    session.commit()


def users(session):
    return {u.username: u for u in session.scalars(select(User))}


def register(session, at=AT, username='officer', **changes):
    lead = {**enf.STANDARD_LEAD, **changes}
    instance = runtime.start_instance(session, 'enforcement', {k: v for k, v in lead.items() if v is not None},
                                      Actor(users(session)[username], at))
    session.commit()
    return instance


def run(session, instance, steps, at=AT):
    enf.advance(session, instance, steps, users(session), at)
    session.commit()


def open_steps(session, instance):
    return sorted(session.scalars(select(HumanTask.spec_id).where(HumanTask.instance_id == instance.id,
                                                                  HumanTask.state == TaskState.ready)))


def clock(session, instance, name):
    return session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id,
                                                   CaseClock.name == name)).one()


def to_order(session, instance):
    run(session, instance, demo.FILE + demo.INVESTIGATE + demo.ORDER)


def test_closed_on_compliance(session):
    instance = register(session)
    assert instance.business_key.startswith('ZF') and instance.applicant_name == '上海某某贸易有限公司'
    assert open_steps(session, instance) == ['approve_filing']
    to_order(session, instance)
    assert session.scalar(select(EvidenceItem.kind).where(EvidenceItem.seq == 2)) == 'party_statement'
    assert instance.data['investigation']['arrears'] == 45 * 6000 * 0.14 * 15
    # the order gives 30 calendar days from Mon 1 June: Wed 1 July
    assert clock(session, instance, 'order').due_date == date(2026, 7, 1)
    run(session, instance, [('check_compliance', 'officer', {'complied': True, 'compliance_note': '已全部办理'})]
        + demo.CLOSE, at=on(date(2026, 6, 20)))
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'no_penalty')
    assert clock(session, instance, 'order').state == ClockState.met
