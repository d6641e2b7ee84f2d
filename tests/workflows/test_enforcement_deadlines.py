"""The enforcement case's deadlines against hand-computed dates, across the 2026 National Day holiday.

2026 around it (the calendar loaded from chinese-calendar): Sun 20 Sept and Sat 10 Oct are 调休 working
days; Fri 25 Sept (中秋) and Thu 1 – Wed 7 Oct are days off.
"""
from datetime import date

from workflows.calendar import parse_time_limit
from workflows.deadlines import clock_due, load_calendar
from workflows.processes.enforcement import law


def test_the_90_day_decision_limit_ending_in_the_holiday_moves_to_8_october(session):
    cal = load_calendar(session)
    # filed Sat 4 July: + 90 days = Fri 2 Oct, a holiday → Thu 8 Oct
    assert clock_due(cal, '90cd', date(2026, 7, 4)).date == date(2026, 10, 8)
    # filed Wed 15 July: + 90 = Tue 13 Oct, a working day
    assert clock_due(cal, '90cd', date(2026, 7, 15)).date == date(2026, 10, 13)


def test_working_day_periods_skip_the_holiday_and_count_the_adjusted_saturday(session):
    cal = load_calendar(session)
    # reply period: notice Thu 24 Sept + 5 wd = 28, 29, 30 Sept, 8, 9 Oct
    assert cal.due(date(2026, 9, 24), parse_time_limit('5wd')).date == date(2026, 10, 9)
    # service: decided Fri 18 Sept + 7 wd = Sun 20 (调休), 21–24, 28, 29 Sept
    assert cal.due(date(2026, 9, 18), parse_time_limit('7wd')).date == date(2026, 9, 29)
    # hearing notice given Wed 30 Sept: 7 working days = 8, 9, 10 (Sat), 12, 13, 14, 15 Oct
    assert law.earliest_hearing(cal, date(2026, 9, 30)) == date(2026, 10, 15)


def test_public_notice_and_the_payment_period(session):
    cal = load_calendar(session)
    # published Mon 31 Aug, served Wed 30 Sept; 15 days → Thu 15 Oct
    assert law.public_notice_served(date(2026, 8, 31)) == date(2026, 9, 30)
    assert clock_due(cal, '15cd', date(2026, 8, 31), extended_days=30).date == date(2026, 10, 15)
    # published Mon 17 Aug, served Wed 16 Sept; 15 days = Thu 1 Oct, a holiday → Thu 8 Oct
    assert clock_due(cal, '15cd', date(2026, 8, 17), extended_days=30).date == date(2026, 10, 8)


def test_a_paused_surcharge(session):
    cal = load_calendar(session)
    # served Fri 11 Sept: due Sat 26 Sept → (25–27 off) Mon 28 Sept
    due = clock_due(cal, '15cd', date(2026, 9, 11)).date
    assert due == date(2026, 9, 28)
    # review from 16 Sept to 6 Oct: 20 days paused → 11 Sept + 35 = Fri 16 Oct
    paused = clock_due(cal, '15cd', date(2026, 9, 11), paused_days=20).date
    assert paused == date(2026, 10, 16)
    # paid Mon 26 Oct: 10 days × 3 % × 20,000 = 6,000
    assert law.surcharge(20000, paused, date(2026, 10, 26)) == (10, 6000)
    # a pause still running on the day counted: nothing more accrues while it runs
    assert law.surcharge(20000, paused, date(2026, 10, 26), paused_days=10) == (0, 0)
    # capped at the fine: 40 days would be 24,000
    assert law.surcharge(20000, paused, date(2026, 11, 25)) == (40, 20000)


def test_the_court_window(session):
    cal = load_calendar(session)
    # decision served Mon 1 June; reminder Wed 30 Sept: 10 working days → 8, 9, 10, 12–16, 19, 20 Oct
    window = law.court_window(cal, date(2026, 6, 1), date(2026, 9, 30))
    assert window.after_reminder == date(2026, 10, 20)
    # the lawsuit period (6 months) ends 1 Dec; the application may be made 2 Dec 2026 – 1 March 2027
    assert (window.remedies_end, window.opens, window.closes) == (date(2026, 12, 1), date(2026, 12, 2),
                                                                  date(2027, 3, 1))
    assert window.refusal(date(2026, 12, 1)) == 'early' and window.refusal(date(2027, 3, 2)) == 'late'
    assert window.refusal(date(2026, 12, 2)) is None


def test_the_time_bar_counts_from_the_end_of_a_continuing_violation():
    assert law.time_bar(date(2020, 1, 1), date(2024, 9, 30), date(2026, 9, 30)) == (False, date(2026, 9, 30))
    assert law.time_bar(date(2020, 1, 1), date(2024, 9, 30), date(2026, 10, 1)) == (True, date(2026, 9, 30))
    assert law.time_bar(date(2015, 1, 1), None, date(2026, 10, 1))[0] is False   # still going on
    assert law.arrears(45, 6000, 14, 15) == 567000
    assert law.arrears(3, '5123.45', '12', 7) == __import__('decimal').Decimal('12911.09')
