"""The State Council's holiday notice: parsed without guessing, imported as a year's table, edited per day."""
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
from sqlalchemy import select

from tests.factories import actor, make_user
from workflows import calendar_admin
from workflows.calendar import holiday_rows_from_chinese_calendar, parse_state_council_notice
from workflows.deadlines import load_calendar
from workflows.errors import Conflict, FormInvalid
from workflows.models import AuditEvent, CalendarDay, CalendarYear

NOTICE_2026 = (Path(__file__).parent.parent / 'data' / 'calendar' / 'notice_2026.txt').read_text(encoding='utf-8')


@pytest.fixture
def admin(session):
    return make_user(session, 'admin', username='root')


def test_the_2026_notice_gives_the_same_working_days_as_the_maintained_package():
    parsed = parse_state_council_notice(NOTICE_2026)
    assert parsed.year == 2026 and parsed.problems == ()
    assert [h.name for h in parsed.holidays] == ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节']
    differing = {d: w for d, w, _ in parsed.rows() if w != (d.weekday() < 5)}
    assert differing == {d: w for d, w, _ in holiday_rows_from_chinese_calendar(2026)}


def test_the_usual_wording_with_a_combined_holiday_and_weekday_names():
    parsed = parse_state_council_notice('国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。', 2020)
    assert parsed.problems == ()
    (holiday,) = parsed.holidays
    assert holiday.name == '国庆节、中秋节'
    assert holiday.days_off == tuple(date(2020, 10, d) for d in range(1, 9))
    assert holiday.workdays == (date(2020, 9, 27), date(2020, 10, 10))
    assert all(chinese_calendar.is_workday(d) == w for d, w, _ in parsed.rows())


def test_a_weekday_that_does_not_fit_its_date_is_reported():
    # 27 Sep and 11 Oct are 14 days apart, so they cannot be a Sunday and a Saturday in any year.
    parsed = parse_state_council_notice('国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月11日（星期六）上班。', 2020)
    assert [(m, p['day'], p['weekday']) for m, p in parsed.problems] == [
        ('%(day)s is not a %(weekday)s as the notice says: “%(text)s”.', '2020-10-11', '星期六')]


def test_a_range_across_the_new_year_and_a_single_day_off():
    parsed = parse_state_council_notice('一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n'
                                        '二、清明节：4月5日放假，与周末连休。', 2023)
    assert parsed.problems == ()
    # Only the days of the year imported are its table; 31 Dec 2022 belongs to 2022's.
    assert [(d, w, n) for d, w, n in parsed.rows()] == [
        (date(2023, 1, 1), False, '元旦'), (date(2023, 1, 2), False, '元旦'), (date(2023, 4, 5), False, '清明节')]


@pytest.mark.parametrize('text,expected', [
    ('一些无关的文字', 'No holiday was found'),
    ('元旦：放假一天。', 'No day could be read'),
    ('春节：2月30日放假。', 'No day could be read'),
    ('国庆节：10月1日至7日放假调休。10月8日上班。', 'is a weekday'),      # Thu 8 Oct 2026
    ('国庆节：10月1日至7日放假调休。10月3日上班。', 'both a day off and a working day'),
    ('10月1日放假。', "Not under a holiday's name"),
])
def test_what_cannot_be_read_is_reported_not_guessed(text, expected):
    parsed = parse_state_council_notice(text, 2026)
    assert any(expected in message for message, _ in parsed.problems), parsed.problems


def test_the_year_is_taken_from_the_notice_or_required():
    assert parse_state_council_notice('元旦：1月1日放假。').problems[0][0].startswith('The year could not be found')


def test_import_replaces_the_year_and_deadlines_see_it_at_once(session, admin):
    calendar_admin.set_day(session, actor(admin), date(2026, 10, 8), calendar_admin.DAY_OFF, '误录')
    calendar_admin.set_day(session, actor(admin), date(2026, 10, 10), calendar_admin.ORDINARY)
    session.commit()
    calendar = load_calendar(session)
    assert not calendar.is_workday(date(2026, 10, 8)) and not calendar.is_workday(date(2026, 10, 10))
    calendar_admin.import_notice(session, actor(admin), NOTICE_2026, None)
    session.commit()
    calendar = load_calendar(session)
    assert calendar.is_workday(date(2026, 10, 8)) and not calendar.is_workday(date(2026, 10, 7))
    assert calendar.is_workday(date(2026, 10, 10))            # 调休 Saturday
    year = session.get(CalendarYear, 2026)
    assert year.source == calendar_admin.NOTICE_SOURCE
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == 'calendar_import')).one()
    assert event.data['year'] == 2026 and event.data['workdays'] == 6


def test_a_notice_with_a_problem_changes_nothing(session, admin):
    before = session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    with pytest.raises(FormInvalid) as error:
        calendar_admin.import_notice(session, actor(admin), NOTICE_2026 + '\n八、某节：13月1日放假。', None)
    assert 'text' in error.value.errors
    session.rollback()
    assert session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all() == before


def test_one_day_is_edited_in_a_loaded_year_only(session, admin):
    calendar_admin.set_day(session, actor(admin), date(2026, 12, 31), calendar_admin.DAY_OFF, '跨年检修')
    session.commit()
    assert not load_calendar(session).is_workday(date(2026, 12, 31))
    calendar_admin.set_day(session, actor(admin), date(2026, 12, 31), calendar_admin.ORDINARY)
    session.commit()
    assert load_calendar(session).is_workday(date(2026, 12, 31))
    with pytest.raises(Conflict, match='not loaded'):
        calendar_admin.set_day(session, actor(admin), date(2031, 1, 6), calendar_admin.DAY_OFF)
    with pytest.raises(FormInvalid):
        calendar_admin.set_day(session, actor(admin), date(2026, 12, 30), 'holiday')
    assert [e for e in session.scalars(select(AuditEvent.action).where(AuditEvent.action == 'calendar_day'))] == \
        ['calendar_day', 'calendar_day']


def test_an_unloaded_year_is_provisional_until_loaded_from_the_package(session, admin):
    assert calendar_admin.year_view(session, 2023).loaded is None
    assert load_calendar(session).is_provisional(date(2023, 3, 1))
    calendar_admin.load_from_package(session, actor(admin), 2023)
    session.commit()
    assert not load_calendar(session).is_provisional(date(2023, 3, 1))
    assert session.get(CalendarYear, 2023).source == calendar_admin.PACKAGE_SOURCE
    with pytest.raises(Conflict, match='no table'):
        calendar_admin.load_from_package(session, actor(admin), 2099)


def test_a_notice_of_another_year_than_the_one_chosen_is_refused():
    parsed = parse_state_council_notice(NOTICE_2026, 2027)
    assert parsed.problems == (('The notice is about %(named)s, not %(year)s.', {'named': 2026, 'year': 2027}),)
