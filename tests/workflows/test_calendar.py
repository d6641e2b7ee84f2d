"""Tests for workflows.calendar (no Flask, no DB).

Expected dates below are taken from the State Council holiday notices for 2025 and
2026 (as encoded in chinese_calendar) and counted by hand, not echoed from the code.
"""
import datetime as dt
from datetime import date

import chinese_calendar
import pytest

from workflows import calendar as cal_mod
from workflows.calendar import (
    Calendar,
    Due,
    TimeLimit,
    holiday_rows_from_chinese_calendar,
    parse_time_limit,
)


def _calendar_for(*years):
    """Build a Calendar from the chinese_calendar rows of the given years."""
    overrides = {}
    for year in years:
        overrides.update({day: is_wd for day, is_wd, _ in holiday_rows_from_chinese_calendar(year)})
    return Calendar(overrides, years)


@pytest.fixture(scope="module")
def cal():
    return _calendar_for(2025, 2026)


@pytest.fixture(scope="module")
def cal_2025_only():
    return _calendar_for(2025)


# --- holiday_rows_from_chinese_calendar ---------------------------------------------------------

def test_rows_2025_national_day_exact():
    window = (date(2025, 9, 20), date(2025, 10, 20))
    rows = {r for r in holiday_rows_from_chinese_calendar(2025) if window[0] <= r[0] <= window[1]}
    assert rows == {
        (date(2025, 9, 28), True, "调休上班"),  # Sunday worked
        (date(2025, 10, 1), False, "国庆节"),
        (date(2025, 10, 2), False, "国庆节"),
        (date(2025, 10, 3), False, "国庆节"),
        # Oct 4/5 are a normal weekend, hence not rows; Oct 6 is Mid-Autumn day in 2025
        (date(2025, 10, 6), False, "中秋"),
        (date(2025, 10, 7), False, "国庆节"),
        (date(2025, 10, 8), False, "国庆节"),
        (date(2025, 10, 11), True, "调休上班"),  # Saturday worked
    }


def test_rows_2025_whole_year_matches_official_notice():
    rows = holiday_rows_from_chinese_calendar(2025)
    days_off = {d for d, is_wd, _ in rows if not is_wd}
    makeup = {d for d, is_wd, _ in rows if is_wd}
    assert makeup == {
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    }
    assert days_off == {
        date(2025, 1, 1),
        date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31),
        date(2025, 2, 3), date(2025, 2, 4),
        date(2025, 4, 4),
        date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 5),
        date(2025, 6, 2),
        date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3),
        date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 8),
    }
    assert len(rows) == 23  # no duplicates


def test_rows_2026_spring_festival_exact():
    rows = {r for r in holiday_rows_from_chinese_calendar(2026) if r[0].month == 2}
    assert rows == {
        (date(2026, 2, 14), True, "调休上班"),  # Saturday worked
        (date(2026, 2, 16), False, "春节"),
        (date(2026, 2, 17), False, "春节"),
        (date(2026, 2, 18), False, "春节"),
        (date(2026, 2, 19), False, "春节"),
        (date(2026, 2, 20), False, "春节"),
        (date(2026, 2, 23), False, "春节"),
        (date(2026, 2, 28), True, "调休上班"),  # Saturday worked
    }


def test_rows_are_sorted_and_only_differences():
    rows = holiday_rows_from_chinese_calendar(2026)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert all(is_wd != (d.weekday() < 5) for d, is_wd, _ in rows)
    assert all(d.year == 2026 for d, _, _ in rows)


@pytest.mark.parametrize("year", [1999, 2003, 2100])
def test_rows_unsupported_year_raises_value_error(year):
    with pytest.raises(ValueError, match="not covered by chinese_calendar"):
        holiday_rows_from_chinese_calendar(year)


def test_calendar_agrees_with_chinese_calendar_every_day(cal):
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# --- is_workday / overrides ----------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(2025, 10, 1) + dt.timedelta(days=i) for i in range(8)])
def test_national_day_2025_is_off(cal, day):
    assert cal.is_workday(day) is False


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)])
def test_makeup_weekend_days_are_workdays(cal, day):
    assert day.weekday() >= 5
    assert cal.is_workday(day) is True


def test_plain_days_follow_mon_fri_rule(cal):
    assert cal.is_workday(date(2025, 9, 22)) is True  # Monday
    assert cal.is_workday(date(2025, 9, 27)) is False  # Saturday, no override


def test_override_outside_loaded_years_is_rejected():
    with pytest.raises(ValueError, match="2027"):
        Calendar({date(2027, 1, 4): False}, [2025])


def test_datetime_is_rejected(cal):
    with pytest.raises(TypeError):
        cal.is_workday(dt.datetime(2025, 10, 1, 9, 0))
    with pytest.raises(TypeError):
        cal.add_working_days(dt.datetime(2025, 9, 30, 9, 0), 1)


# --- add_working_days ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "n, expected",
    [
        (1, date(2025, 10, 9)),  # Oct 1-8 off -> Thu Oct 9 is the 1st
        (2, date(2025, 10, 10)),  # Fri
        (3, date(2025, 10, 11)),  # Sat, a makeup working day
        (4, date(2025, 10, 13)),  # Sun Oct 12 off -> Mon
    ],
)
def test_add_working_days_over_national_day(cal, n, expected):
    assert cal.add_working_days(date(2025, 9, 30), n) == Due(expected, False)


def test_start_day_not_counted(cal):
    assert cal.add_working_days(date(2025, 9, 22), 1).date == date(2025, 9, 23)
    assert cal.add_working_days(date(2025, 9, 22), 5).date == date(2025, 9, 28)  # Tue..Fri + Sun makeup


def test_add_zero_working_days(cal):
    assert cal.add_working_days(date(2025, 9, 30), 0) == Due(date(2025, 9, 30), False)
    assert cal.add_working_days(date(2025, 10, 1), 0) == Due(date(2025, 10, 9), False)
    assert cal.add_working_days(date(2025, 9, 27), 0) == Due(date(2025, 9, 28), False)  # Sat -> makeup Sun


def test_add_working_days_across_spring_festival_2026(cal):
    # Fri 2026-02-13 + 1: Sat Feb 14 is a makeup working day.
    assert cal.add_working_days(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    # + 2: Feb 15-23 off (Feb 21/22 weekend, 16-20 and 23 holidays) -> Tue Feb 24.
    assert cal.add_working_days(date(2026, 2, 13), 2).date == date(2026, 2, 24)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_add_working_days_rejects_bad_n(cal, bad):
    with pytest.raises(ValueError):
        cal.add_working_days(date(2025, 9, 30), bad)


# --- add_calendar_days / due --------------------------------------------------------------------

def test_calendar_days_ending_on_holiday_moves_to_next_workday(cal):
    # 2025-09-26 + 5 = Wed Oct 1 (holiday) -> first workday is Thu Oct 9.
    assert cal.add_calendar_days(date(2025, 9, 26), 5) == Due(date(2025, 10, 9), False)


def test_calendar_days_ending_on_workday_or_makeup_stays(cal):
    assert cal.add_calendar_days(date(2025, 9, 22), 2).date == date(2025, 9, 24)
    assert cal.add_calendar_days(date(2025, 9, 23), 5).date == date(2025, 9, 28)  # makeup Sunday


def test_calendar_days_ending_on_plain_weekend_moves_to_monday(cal):
    assert cal.add_calendar_days(date(2025, 9, 15), 5).date == date(2025, 9, 22)  # Sat Sep 20 -> Mon
    assert cal.add_calendar_days(date(2025, 9, 22), 5).date == date(2025, 9, 28)  # Sat 27 -> makeup Sun 28


def test_due_dispatches_on_unit(cal):
    start = date(2025, 9, 30)
    assert cal.due(start, TimeLimit(3, "wd")) == Due(date(2025, 10, 11), False)
    assert cal.due(start, TimeLimit(3, "cd")) == Due(date(2025, 10, 9), False)  # Oct 3 off -> Oct 9
    assert cal.due(start, parse_time_limit("15cd")) == Due(date(2025, 10, 15), False)


def test_due_rejects_non_time_limit(cal):
    with pytest.raises(TypeError):
        cal.due(date(2025, 9, 30), "3wd")


# --- provisional years --------------------------------------------------------------------------

def test_unloaded_year_uses_statutory_holidays_and_is_provisional(cal_2025_only):
    cal = cal_2025_only
    assert cal.is_provisional(date(2027, 10, 1)) is True
    assert cal.is_provisional(date(2025, 10, 1)) is False
    assert cal.is_workday(date(2027, 10, 1)) is False  # National Day, a Friday
    assert cal.is_workday(date(2027, 10, 6)) is True  # ordinary Wednesday
    assert cal.is_workday(date(2027, 10, 9)) is False  # Saturday: makeup days are unknown


def test_unloaded_year_deadline_is_flagged(cal_2025_only):
    # Thu 2027-09-30 + 1 cd = Fri Oct 1 (holiday); Oct 2/3 weekend; Oct 4/5 observed -> Wed Oct 6.
    assert cal_2025_only.add_calendar_days(date(2027, 9, 30), 1) == Due(date(2027, 10, 6), True)
    assert cal_2025_only.add_working_days(date(2027, 9, 30), 1) == Due(date(2027, 10, 6), True)
    assert cal_2025_only.add_working_days(date(2027, 10, 6), 0).provisional is True


def test_crossing_into_unloaded_year_is_provisional_and_differs(cal, cal_2025_only):
    start = date(2025, 12, 30)
    # Loaded 2026: Dec 31 (1st), Jan 1-2 off, Jan 3 Sat off, Sun Jan 4 is a makeup working day (2nd).
    assert cal.add_working_days(start, 2) == Due(date(2026, 1, 4), False)
    # 2026 not loaded: the makeup Sunday is unknown, so the 2nd working day is Mon Jan 5.
    assert cal_2025_only.add_working_days(start, 2) == Due(date(2026, 1, 5), True)
    # Staying inside 2025 is not provisional even with 2026 unloaded.
    assert cal_2025_only.add_working_days(start, 1) == Due(date(2025, 12, 31), False)


def test_start_day_in_unloaded_year_is_not_consulted(cal_2025_only):
    # Start 2024-12-31 is not counted; Jan 1 2025 off -> Thu Jan 2, all inside loaded 2025.
    assert cal_2025_only.add_working_days(date(2024, 12, 31), 1) == Due(date(2025, 1, 2), False)


def test_statutory_holidays_cached_per_year(monkeypatch):
    calls = []
    real = cal_mod.holidays_lib.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cal_mod.holidays_lib, "country_holidays", counting)
    cal = Calendar({}, [2025])
    for i in range(200):
        cal.is_workday(date(2027, 1, 1) + dt.timedelta(days=i))
    cal.add_working_days(date(2027, 3, 1), 90)
    assert calls == [2027]


# --- working_days_between -----------------------------------------------------------------------

def test_working_days_between(cal):
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3  # Oct 9, 10, 11
    assert cal.working_days_between(date(2025, 9, 27), date(2025, 9, 30)) == 3  # Sun 28 makeup, 29, 30
    assert cal.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert cal.working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == 0


@pytest.mark.parametrize("n", [1, 2, 7, 30, 90])
def test_working_days_between_inverts_add_working_days(cal, n):
    start = date(2025, 9, 15)
    assert cal.working_days_between(start, cal.add_working_days(start, n).date) == n


# --- TimeLimit / parse_time_limit ---------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("3wd", TimeLimit(3, "wd")),
        ("15cd", TimeLimit(15, "cd")),
        (" 2wd ", TimeLimit(2, "wd")),
        ("\t7cd\n", TimeLimit(7, "cd")),
        ("0wd", TimeLimit(0, "wd")),
        ("3650cd", TimeLimit(3650, "cd")),
    ],
)
def test_parse_time_limit_good(text, expected):
    assert parse_time_limit(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "wd", "3", "2 wd", " 2 wd ", "-1wd", "+3wd", "3WD", "3.5wd", "3651wd", "99999cd",
     "03wd", "３wd", "3wdx", "3d", "3 cd", "3hd"],
)
def test_parse_time_limit_bad(text):
    with pytest.raises(ValueError) as info:
        parse_time_limit(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("value", [None, 3, b"3wd"])
def test_parse_time_limit_non_string(value):
    with pytest.raises(ValueError):
        parse_time_limit(value)


def test_time_limit_str_round_trip():
    assert str(TimeLimit(3, "wd")) == "3wd"
    assert str(parse_time_limit(" 15cd ")) == "15cd"


@pytest.mark.parametrize("amount, unit", [(-1, "wd"), (3651, "cd"), (3, "xd"), (True, "wd"), (2.0, "wd")])
def test_time_limit_validates(amount, unit):
    with pytest.raises(ValueError):
        TimeLimit(amount, unit)


def test_time_limit_is_frozen():
    limit = TimeLimit(3, "wd")
    with pytest.raises(AttributeError):
        limit.amount = 4
