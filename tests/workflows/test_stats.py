"""Supervision figures against hand-computed values from a history across the 2026 National Day."""
from datetime import date

import pytest

from tests.oversight_history import RANGE, TODAY, seed_history
from workflows import stats
from workflows.deadlines import load_calendar
from workflows.errors import DomainError
from workflows.stats import Filters


@pytest.fixture
def history(session):
    return seed_history(session)


@pytest.fixture
def calendar(session):
    return load_calendar(session)


def in_range(**kw):
    return Filters(start=RANGE[0], end=RANGE[1], **kw)


def figures(rows):
    return {r['label']: (r['completed'], r['on_time']) for r in rows}


def test_completion_buckets_count_working_days_across_the_holiday(session, history, calendar):
    # c1 same day; c2 8 calendar days but only 10-08 is a working day; c3 09-30, 10-08, 10-09;
    # c4 five working days incl. the 调休 Saturday; c5 same local day (different UTC days); c6 (loan) 7.
    result = stats.completion_times(session, in_range(process='withdrawal'), calendar)
    assert result['counts'] == {'spot': 2, 'wd1': 1, 'wd3': 1, 'later': 1}
    assert result['total'] == 5
    assert result['shares']['spot'] == pytest.approx(0.4)
    everything = stats.completion_times(session, in_range(), calendar)
    assert everything['counts'] == {'spot': 2, 'wd1': 1, 'wd3': 1, 'later': 2}


def test_completion_buckets_filter_by_who_registered(session, history, calendar):
    team_b = stats.completion_times(session, in_range(team_id=history.team_b.id), calendar)
    assert team_b['counts'] == {'spot': 0, 'wd1': 0, 'wd3': 1, 'later': 2}     # c3, c4, c6
    a2 = stats.completion_times(session, in_range(user_id=history.a2.id), calendar)
    assert a2['counts'] == {'spot': 1, 'wd1': 0, 'wd3': 0, 'later': 0}         # c5
    # the case closed in August is outside the range; without a range it counts
    assert stats.completion_times(session, Filters(user_id=history.a1.id), calendar)['counts']['later'] == 1


def test_bucket_edges():
    from workflows.calendar import Calendar
    plain = Calendar({}, [])
    monday = date(2030, 3, 4)
    assert stats.bucket_of(plain, monday, monday) == 'spot'
    assert stats.bucket_of(plain, monday, date(2030, 3, 5)) == 'wd1'
    assert stats.bucket_of(plain, monday, date(2030, 3, 7)) == 'wd3'
    assert stats.bucket_of(plain, monday, date(2030, 3, 8)) == 'later'


def test_on_time_rates_by_process_step_team_and_person(session, history):
    f = in_range()
    assert figures(stats.on_time_rates(session, f, 'process')) == {'住房公积金提取': (4, 3),
                                                                   '个人住房公积金贷款': (1, 0)}
    assert figures(stats.on_time_rates(session, f, 'step')) == {
        '住房公积金提取 · 受理审查': (1, 1), '住房公积金提取 · 审核': (2, 1),
        '住房公积金提取 · 支付': (1, 1), '个人住房公积金贷款 · 受理审查': (1, 0)}
    # t3 was completed 00:30 local on 10-09 (10-08 in UTC): late in the center's calendar
    assert figures(stats.on_time_rates(session, f, 'person')) == {'甲一': (2, 2), '甲二': (1, 0), '乙一': (2, 1)}
    assert figures(stats.on_time_rates(session, f, 'team')) == {'监察甲组': (3, 2), '监察乙组': (2, 1)}
    rows = stats.on_time_rates(session, in_range(team_id=history.team_a.id), 'process')
    assert figures(rows) == {'住房公积金提取': (3, 2)}
    assert rows[0]['rate'] == pytest.approx(2 / 3) and rows[0]['late'] == 1
    assert figures(stats.on_time_rates(session, in_range(process='loan'), 'person')) == {'乙一': (1, 0)}
    assert stats.on_time_rates(session, Filters(start=date(2026, 10, 13), end=date(2026, 10, 31)), 'process') == []


def test_unknown_grouping_and_bad_ranges_are_refused():
    with pytest.raises(ValueError):
        stats.on_time_rates(None, Filters(), 'weather')
    with pytest.raises(DomainError):
        Filters(start=date(2026, 10, 2), end=date(2026, 10, 1))
    with pytest.raises(DomainError):
        Filters(start=date(2020, 1, 1), end=date(2026, 1, 1))


def test_weekly_trends_run_monday_to_sunday(session, history):
    weeks = {w['week']: (w['completed'], w['with_limit'], w['on_time'])
             for w in stats.weekly_trends(session, in_range())}
    assert weeks[date(2026, 9, 28)] == (2, 1, 1)      # t1, t6 (no limit)
    assert weeks[date(2026, 10, 5)] == (3, 3, 2)      # t2, t4 on time; t3 late (10-09 local)
    assert weeks[date(2026, 10, 12)] == (1, 1, 0)     # t5
    assert weeks[date(2026, 9, 7)] == (0, 0, 0)       # weeks without work are listed too
    assert min(weeks) == date(2026, 8, 31) and max(weeks) == date(2026, 10, 26)


def test_open_work_by_process_and_step(session, history, calendar):
    rows = {(r['process'], r['step']): (r['waiting'], r['soon'], r['overdue'])
            for r in stats.open_work(session, Filters(), calendar, TODAY)}
    assert rows == {('withdrawal', 'review'): (2, 1, 1), ('withdrawal', 'accept'): (1, 1, 0),
                    ('loan', 'accept'): (1, 0, 0)}
    mine = stats.open_work(session, Filters(user_id=history.a2.id), calendar, TODAY)
    assert [(r['step'], r['waiting'], r['overdue']) for r in mine] == [('review', 1, 1)]


def test_deadline_list_holder_and_lateness_in_working_days(session, history, calendar):
    rows = stats.deadline_list(session, Filters(), calendar, TODAY)
    t = history.tasks
    assert [(r['task_id'], r['status'], r['days_late'], r['holder']) for r in rows] == [
        (t['t7'].id, 'overdue', 2, '甲二'),        # due 09-30: late by 10-08 and 10-09, not the holiday
        (t['t10'].id, 'soon', 0, None),           # due today
        (t['t8'].id, 'soon', 0, None)]            # due Sat 10-10, the next working day (调休)
    # on Thursday 10-08 the 10-10 task is not yet due soon (the next working day is 10-09)
    assert [r['task_id'] for r in stats.deadline_list(session, Filters(), calendar, date(2026, 10, 8))] == [
        t['t7'].id, t['t10'].id]


def test_heatmap_waiting_mean_and_p90(session, history):
    steps = stats.heatmap(session, 'withdrawal', in_range())
    assert steps['review']['waiting'] == 2
    assert steps['review']['completed'] == 2
    assert steps['review']['mean_hours'] == pytest.approx((199 + 205.5) / 2)
    assert steps['review']['p90_hours'] == pytest.approx(205.5)
    assert steps['accept'] == {'waiting': 1, 'completed': 2, 'mean_hours': pytest.approx(4.0),
                               'p90_hours': pytest.approx(7.0)}
    assert steps['pay'] == {'waiting': 0, 'completed': 1, 'mean_hours': pytest.approx(2.0),
                            'p90_hours': pytest.approx(2.0)}
    assert set(stats.heatmap(session, 'loan', in_range())) == {'accept'}


def test_percentile_is_nearest_rank():
    values = list(range(1, 11))
    assert stats.percentile(values, 90) == 9
    assert stats.percentile(values, 100) == 10
    assert stats.percentile([5.0], 90) == 5.0
    assert stats.percentile([], 90) is None


def test_working_days_late_in_one_pass_equal_the_calendar_count(calendar):
    today = date(2026, 10, 12)
    dues = [date(2026, 9, 24), date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 9), today, date(2026, 10, 20)]
    late = stats.working_days_late(calendar, dues, today)
    # 09-30 → 10-08, 10-09, 10-10 (调休), 10-12; from 09-24 add 09-28, 09-29, 09-30; 10-01 is a holiday
    assert late == {date(2026, 9, 24): 7, date(2026, 9, 30): 4, date(2026, 10, 1): 4, date(2026, 10, 9): 2,
                    today: 0, date(2026, 10, 20): 0}
    assert all(late[d] == calendar.working_days_between(d, today) for d in dues if d < today)


def test_heatmap_p90_in_sql_is_the_nearest_rank_of_the_durations(session, history):
    from tests.oversight_history import add_case, add_task
    case = add_case(session, 'loan', '2026-09-01 09:00', '2026-09-10 09:00')
    for hours in (5, 1, 9, 3, 7, 10, 2, 8, 4, 6, 11):          # 11 durations: ceil(0.9 × 11) = 10th → 10 h
        add_task(session, case, 'valuation', 'clerk', '2026-09-02 08:00', f'2026-09-02 {8 + hours:02d}:00')
    session.commit()
    step = stats.heatmap(session, 'loan', in_range())['valuation']
    assert step['completed'] == 11 and step['waiting'] == 0
    assert step['mean_hours'] == pytest.approx(6.0)
    assert step['p90_hours'] == pytest.approx(stats.percentile(list(range(1, 12)), 90)) == pytest.approx(10.0)

