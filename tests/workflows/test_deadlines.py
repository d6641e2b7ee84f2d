"""The withdrawal's decision clock: its limit setting, waits for the applicant, provisional years."""
from datetime import date, datetime

from sqlalchemy import delete

from workflows import runtime
from workflows.actors import Actor
from workflows.models import CalendarDay, CalendarYear, CaseClock, Setting

from .helpers import APPLICATION, open_task


def _start(session, user, now, **overrides):
    """Register and accept a complete application at `now`: the decision clock starts at acceptance."""
    instance = runtime.start_instance(session, 'withdrawal', {**APPLICATION, **overrides}, Actor(user, at=now))
    accept = open_task(session, instance, 'accept')
    runtime.complete_task(session, accept.id, {'materials_complete': True}, Actor(user, at=now))
    session.commit()
    return instance


def test_decision_days_are_working_days_by_default(session, user_named):
    # Fri 2026-09-25 is 中秋 (off); registered Thu 24 Sep: 28, 29, 30 Sep.
    instance = _start(session, user_named('clerk'), datetime(2026, 9, 24, 2, 0))
    assert instance.due_date == date(2026, 9, 30)
    assert not instance.due_provisional


def test_the_limit_setting_changes_the_decision_date_of_new_cases_only(session, user_named):
    # Registered Thu 19 Nov 2026: 3 working days is Tue 24 Nov.
    before = _start(session, user_named('clerk'), datetime(2026, 11, 19, 2, 0))
    assert before.due_date == date(2026, 11, 24)
    session.merge(Setting(key='withdrawal.decision_limit', value='3cd'))
    session.commit()
    # 3 calendar days is Sun 22 Nov, a day off: moves to Mon 23 Nov.
    after = _start(session, user_named('clerk'), datetime(2026, 11, 19, 2, 0), account_no='100000000003')
    assert after.due_date == date(2026, 11, 23)
    session.refresh(before)
    assert before.due_date == date(2026, 11, 24)


def test_year_not_loaded_is_provisional(session, user_named):
    session.execute(delete(CalendarDay).where(CalendarDay.day >= date(2026, 1, 1)))
    session.execute(delete(CalendarYear).where(CalendarYear.year == 2026))
    session.commit()
    clerk, now = user_named('clerk'), datetime(2026, 9, 28, 2, 0)
    instance = runtime.start_instance(session, 'withdrawal', APPLICATION, Actor(clerk, at=now))
    accept = open_task(session, instance, 'accept')
    assert accept.due_provisional and accept.due_date == date(2026, 9, 29)
    runtime.complete_task(session, accept.id, {'materials_complete': True}, Actor(clerk, at=now))
    # Without the 2026 table the days off come from the holidays package (1-7 Oct here, but no
    # 调休 working Saturdays), so the result is computed, not guessed, and marked provisional:
    # Tue 29, Wed 30 Sep, Thu 8 Oct.
    assert instance.due_provisional
    assert instance.due_date == date(2026, 10, 8)


def test_calendar_day_clock_starts_when_the_missing_items_are_supplied(session, user_named):
    session.merge(Setting(key='withdrawal.decision_limit', value='3cd'))
    session.commit()
    clerk = user_named('clerk')
    instance = runtime.start_instance(session, 'withdrawal', APPLICATION, Actor(clerk, at=datetime(2026, 9, 28, 2, 0)))
    accept = open_task(session, instance, 'accept')
    runtime.complete_task(session, accept.id, {'materials_complete': False, 'missing_items': ['bank_card']}, Actor(clerk, at=datetime(2026, 9, 28, 3, 0)))
    wait = open_task(session, instance, 'await_materials')
    runtime.complete_task(session, wait.id, {'materials_supplied': True}, Actor(clerk, at=datetime(2026, 10, 9, 3, 0)))
    session.commit()
    # Accepted complete on Fri 9 Oct: 3 calendar days = Mon 12 Oct, a working day.
    clock = session.query(CaseClock).filter_by(instance_id=instance.id, name='decision').one()
    assert (clock.limit, clock.started_on, clock.paused_days, clock.due_date) == ('3cd', date(2026, 10, 9), 0,
                                                                                 date(2026, 10, 12))
    assert instance.due_date == date(2026, 10, 12)
