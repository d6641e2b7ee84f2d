"""Driving loans through the engine in tests: the demo households, a fixed day, the standard steps.

Cases run on Monday 1 June 2026 (10:00 in Shanghai) unless a test says otherwise, so ages, terms,
contribution months and the decision clock are the same on every run.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.models import HumanTask, TaskState, User
from workflows.processes import loan

DAY = date(2026, 6, 1)
AT = datetime(2026, 6, 1, 2, 0)       # 10:00 in Shanghai, as the naive UTC the engine stores
APPLICATION = loan.STANDARD_APPLICATION
STEPS = {step: (username, form) for step, username, form in loan.STANDARD_STEPS}
COUPLE = {'marital_status': 'married', 'spouse_name': '林配偶', 'spouse_id_number': '310104199102022346',
          'spouse_retirement_base': 'female_55', 'spouse_income': 25000, 'spouse_contributes': True,
          'spouse_account_no': '200000000002'}


def users(session) -> dict[str, User]:
    """Every demo user by username."""
    return {u.username: u for u in session.scalars(select(User))}


def households(session, today=DAY):
    """The demo households' records, paid through the month before `today`; commits."""
    loan.add_demo_households(session, today)
    session.commit()


def register(session, username='clerk', at=AT, **overrides):
    """Register a loan (the standard application with `overrides`) and commit."""
    instance = runtime.start_instance(session, 'loan', {**APPLICATION, **overrides},
                                      Actor(users(session)[username], at))
    session.commit()
    return instance


def open_steps(session, instance) -> list[str]:
    """The steps with an open task, sorted."""
    return sorted(session.scalars(select(HumanTask.spec_id).where(HumanTask.instance_id == instance.id,
                                                                  HumanTask.state == TaskState.ready)))


def complete(session, instance, step, username=None, form=None, at=AT, **changes):
    """Complete the open task of `step` (by default as in the standard path, with `changes`) and commit."""
    default_user, default_form = STEPS.get(step, (None, {}))
    loan.advance(session, instance, [(step, username or default_user, {**(form or default_form), **changes})],
                 users(session), at)
    session.commit()


def run_until(session, instance, stop, at=AT, skip=()):
    """Complete the standard steps up to (not including) `stop`, leaving out `skip`."""
    for step, username, form in loan.STANDARD_STEPS:
        if step == stop:
            return
        if step not in skip:
            complete(session, instance, step, username, form, at)
    assert stop is None, f'{stop} is not a standard step'
