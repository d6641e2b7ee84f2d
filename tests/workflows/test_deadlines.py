"""Decision dates follow the day-type setting; dates in years not loaded are flagged provisional."""
from datetime import date, datetime

from sqlalchemy import delete

from workflows import runtime
from workflows.models import CalendarDay, CalendarYear, Setting

from .helpers import APPLICATION, open_task


def _start(session, user, now):
    instance = runtime.start_instance(session, 'withdrawal', APPLICATION, user, now=now)
    session.commit()
    return instance


def test_decision_days_are_working_days_by_default(session, user_named):
    # Fri 2026-09-25 is 中秋 (off); registered Thu 24 Sep: 28, 29, 30 Sep.
    instance = _start(session, user_named('clerk'), datetime(2026, 9, 24, 2, 0))
    assert instance.decision_due == date(2026, 9, 30)
    assert not instance.decision_due_provisional


def test_calendar_day_setting_changes_the_decision_date(session, user_named):
    session.merge(Setting(key='withdrawal.decision_day_type', value='cd'))
    session.commit()
    # 3 calendar days after Mon 28 Sep is Thu 1 Oct, a holiday: moves to Thu 8 Oct.
    instance = _start(session, user_named('clerk'), datetime(2026, 9, 28, 2, 0))
    assert instance.decision_due == date(2026, 10, 8)


def test_year_not_loaded_is_provisional(session, user_named):
    session.execute(delete(CalendarDay).where(CalendarDay.day >= date(2026, 1, 1)))
    session.execute(delete(CalendarYear).where(CalendarYear.year == 2026))
    session.commit()
    instance = _start(session, user_named('clerk'), datetime(2026, 9, 28, 2, 0))
    # Without the 2026 table only statutory holidays are known: Oct 1-3 are off, the 调休
    # rearrangement is not, so the date differs from the official one and is marked provisional.
    assert instance.decision_due_provisional
    accept = open_task(session, instance, 'accept')
    assert accept.due_provisional
