"""Effective-dated settings: the value in force on a day, validated changes, kept history, audit."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.factories import actor, make_user
from tests.workflows.helpers import APPLICATION, open_task
from workflows import runtime, settings
from workflows.actors import Actor
from workflows.deadlines import get_setting
from workflows.errors import FormInvalid, NotFound
from workflows.models import AuditEvent, Setting

KEY = 'withdrawal.decision_limit'
TODAY = date(2026, 11, 19)


@pytest.fixture
def admin(session):
    return make_user(session, 'admin', username='root')


def test_the_clock_settings_of_deployed_processes_are_known_with_their_declared_default(session):
    spec = settings.known_settings(session)[KEY]
    assert (spec.kind, spec.default, spec.label) == (settings.TIME_LIMIT, '3wd', '法定办结时限')


def test_a_change_applies_from_its_day_and_the_earlier_value_before_it(session, admin):
    settings.change_setting(session, actor(admin), KEY, ' 5cd ', date(2026, 12, 1), '试行', today=TODAY)
    session.commit()
    assert get_setting(session, KEY, '3wd', on=date(2026, 11, 30)) == '3wd'
    assert get_setting(session, KEY, '3wd', on=date(2026, 12, 1)) == '5cd'
    assert get_setting(session, KEY, '3wd', on=date(2027, 6, 1)) == '5cd'
    settings.change_setting(session, actor(admin), KEY, '4wd', date(2027, 1, 1), '正式', today=TODAY)
    session.commit()
    assert [get_setting(session, KEY, '3wd', on=d) for d in (date(2026, 12, 31), date(2027, 1, 1))] == ['5cd', '4wd']
    view = next(v for v in settings.overview(session, today=date(2026, 12, 15)) if v.spec.key == KEY)
    assert (view.current, [r.value for r in view.planned], [r.value for r in view.history]) == \
        ('5cd', ['4wd'], ['4wd', '5cd'])


def test_a_new_case_uses_the_value_in_force_on_its_registration_day(session, user_named, admin):
    settings.change_setting(session, actor(admin), KEY, '3cd', date(2026, 11, 20), '调整', today=TODAY)
    session.commit()
    clerk = user_named('clerk')
    cases = []
    for account_no, at in (('100000000001', datetime(2026, 11, 19, 2)), ('100000000003', datetime(2026, 11, 20, 2))):
        case = runtime.start_instance(session, 'withdrawal', {**APPLICATION, 'account_no': account_no}, Actor(clerk, at=at))
        # the decision clock starts when the complete application is accepted, here on the same day
        runtime.complete_task(session, open_task(session, case, 'accept').id, {'materials_complete': True},
                              Actor(clerk, at=at))
        cases.append(case)
    before, after = cases
    session.commit()
    # Thu 19 Nov + 3 working days = Tue 24 Nov; Fri 20 Nov + 3 calendar days = Mon 23 Nov.
    assert (before.due_date, after.due_date) == (date(2026, 11, 24), date(2026, 11, 23))


@pytest.mark.parametrize('value,effective,reason,field', [
    ('3 days', date(2026, 12, 1), '原因', 'value'),
    ('', date(2026, 12, 1), '原因', 'value'),
    ('3wd', date(2026, 11, 18), '原因', 'effective_from'),   # the past cannot be rewritten
    ('3wd', None, '原因', 'effective_from'),
    ('3wd', date(2026, 12, 1), '  ', 'reason'),
])
def test_a_bad_change_is_refused_on_its_field_and_stores_nothing(session, admin, value, effective, reason, field):
    with pytest.raises(FormInvalid) as error:
        settings.change_setting(session, actor(admin), KEY, value, effective, reason, today=TODAY)
    assert field in error.value.errors
    session.rollback()
    assert session.scalars(select(Setting)).all() == []


def test_an_unknown_setting_is_not_found(session, admin):
    with pytest.raises(NotFound):
        settings.change_setting(session, actor(admin), 'no.such', '3wd', TODAY, '原因', today=TODAY)


def test_an_integer_setting_is_checked_against_its_range(session, admin, monkeypatch):
    monkeypatch.setitem(settings._REGISTERED, 'test.threshold',
                        settings.SettingSpec('test.threshold', settings.INTEGER, '10', minimum=1, maximum=99))
    for bad in ('0', '100', '１０', '1.5'):
        with pytest.raises(FormInvalid):
            settings.change_setting(session, actor(admin), 'test.threshold', bad, TODAY, '原因', today=TODAY)
    settings.change_setting(session, actor(admin), 'test.threshold', '42', TODAY, '原因', today=TODAY)
    assert get_setting(session, 'test.threshold', '10', on=TODAY) == '42'


def test_changes_and_withdrawals_are_audited_and_past_values_stay(session, admin):
    settings.change_setting(session, actor(admin), KEY, '5wd', TODAY, '当日生效', today=TODAY)
    settings.change_setting(session, actor(admin), KEY, '4wd', date(2027, 1, 1), '计划', today=TODAY)
    session.commit()
    with pytest.raises(FormInvalid):   # already in force: set a new value instead
        settings.withdraw_planned(session, actor(admin), KEY, TODAY, '撤回', today=TODAY)
    settings.withdraw_planned(session, actor(admin), KEY, date(2027, 1, 1), '撤回计划', today=TODAY)
    session.commit()
    assert [r.value for r in session.scalars(select(Setting))] == ['5wd']
    events = session.execute(select(AuditEvent.action, AuditEvent.basis, AuditEvent.data)
                             .where(AuditEvent.action.like('setting_%')).order_by(AuditEvent.id)).all()
    assert [(a, b) for a, b, _ in events] == [('setting_change', '当日生效'), ('setting_change', '计划'),
                                              ('setting_withdraw', '撤回计划')]
    assert events[0].data == {'key': KEY, 'value': '5wd', 'before': '3wd', 'effective_from': '2026-11-19'}


def test_get_setting_without_a_day_reads_today(session):
    session.add(Setting(key=KEY, value='7cd'))   # stored without a date: in force since the epoch
    session.commit()
    assert get_setting(session, KEY, '3wd') == '7cd'


def test_the_loans_missing_materials_deadline_is_a_setting(session):
    spec = settings.known_settings(session)['loan.supplement_limit']
    assert (spec.kind, spec.default, spec.label) == (settings.TIME_LIMIT, '30cd', '补正期限')
