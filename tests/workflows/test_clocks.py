"""Several legal clocks on one case, declared in the BPMN, against hand-computed dates.

The 2026 calendar around National Day (chinese-calendar, loaded by the seed):
    Sun 20 Sep  working (调休)        Fri 25 Sep  off (中秋)      Thu 1 – Wed 7 Oct  off (国庆)
    Sat 10 Oct  working (调休)        Sat 26, Sun 27 Sep and Sun 11 Oct off as usual
The start day is never counted; a calendar-day deadline on a day off moves to the next working day.
"""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.factories import actor, deploy_test_process, make_user
from workflows import runtime
from workflows.errors import InvalidModel
from workflows.models import CaseClock, ClockState, HumanTask, InstanceStatus, TaskState
from workflows.clocks import declarations


def at(day, hour=10):
    """A Shanghai wall-clock time as the naive UTC the engine stores."""
    return datetime(2026, day[0], day[1], hour - 8, 0)


def _clocks(session, instance):
    return {c.name: c for c in session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id))}


def _complete(session, instance, spec_id, user, when):
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.spec_id == spec_id,
                                                   HumanTask.state == TaskState.ready)).one()
    runtime.complete_task(session, task.id, {}, actor(user, when))
    session.commit()


def test_three_clocks_paused_extended_started_and_stopped_across_national_day(session):
    deploy_test_process(session, 'three_clocks')
    clerk = make_user(session, 'clerk')
    instance = runtime.start_instance(session, 'three_clocks', {}, actor(clerk, at((9, 18))))   # Fri 18 Sep
    session.commit()
    clocks = _clocks(session, instance)
    # decision 10wd: 20(Sun, 调休), 21, 22, 23, 24, 28, 29, 30 Sep, 8, 9 Oct.
    assert (clocks['decision'].state, clocks['decision'].due_date) == (ClockState.paused, date(2026, 10, 9))
    # notice 7wd: 20, 21, 22, 23, 24, 28, 29 Sep.
    assert (clocks['notice'].state, clocks['notice'].due_date) == (ClockState.running, date(2026, 9, 29))
    assert instance.status == InstanceStatus.waiting and instance.due_date == date(2026, 9, 29)

    _complete(session, instance, 'await_docs', clerk, at((9, 23)))        # documents arrive Wed 23 Sep
    clocks = _clocks(session, instance)
    # Paused (18 Sep, 23 Sep]: 20, 21, 22, 23 = 4 working days; 14wd from 18 Sep:
    # … 9 Oct (10th), Sat 10 Oct (调休, 11th), 12, 13, 14 Oct.
    assert (clocks['decision'].state, clocks['decision'].paused_days) == (ClockState.running, 4)
    assert clocks['decision'].due_date == date(2026, 10, 14)

    _complete(session, instance, 'order', clerk, at((9, 24)))             # order on Thu 24 Sep
    clocks = _clocks(session, instance)
    # notice +3 working days = 10wd from 18 Sep: 9 Oct.
    assert (clocks['notice'].extended_days, clocks['notice'].due_date) == (3, date(2026, 10, 9))
    # payment 10cd from 24 Sep = Sun 4 Oct, a holiday: moves to Thu 8 Oct.
    assert (clocks['payment'].started_on, clocks['payment'].due_date) == (date(2026, 9, 24), date(2026, 10, 8))
    assert instance.due_date == date(2026, 10, 8)                        # the earliest running clock

    _complete(session, instance, 'pay', clerk, at((10, 12)))              # paid Mon 12 Oct, then the case ends
    clocks = _clocks(session, instance)
    assert {n: (c.state, c.stopped_on) for n, c in clocks.items()} == {
        'payment': (ClockState.missed, date(2026, 10, 12)),   # due 8 Oct
        'decision': (ClockState.met, date(2026, 10, 12)),     # due 14 Oct
        'notice': (ClockState.missed, date(2026, 10, 12)),    # due 9 Oct
    }
    assert instance.status == InstanceStatus.completed and instance.due_date is None


@pytest.mark.parametrize('properties, problem', [
    ({'clock.x.limit': '3 weeks'}, "clock 'x'"),
    ({'clock.x.limit': '3wd', 'clock.x.colour': 'red'}, 'unknown attributes colour'),
    ({'clock.x': '3wd'}, 'expected clock.<name>'),
])
def test_bad_clock_declarations_are_named(properties, problem):
    problems = []
    declarations(properties, problems)
    assert any(problem in p for p in problems), problems


def test_a_clock_extension_that_is_not_a_number_is_refused_at_deploy(session):
    from tests.factories import bundle_of
    from workflows.definitions import deploy
    bundle = bundle_of('three_clocks')
    bundle['three_clocks.bpmn'] = bundle['three_clocks.bpmn'].replace('notice:+3', 'notice:three days')
    with pytest.raises(InvalidModel) as info:
        deploy(session, bundle)
    assert any('extendsClock' in p for p in info.value.problems)
