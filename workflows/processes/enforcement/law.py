"""The enforcement case's arithmetic of dates and money: pure functions over the center's calendar.

Every statutory period is named here once, with its basis; the operations (`case.py`), the documents
and the tests use these functions, and all day counting goes through `workflows.calendar.Calendar`
(the start day is not counted; a calendar-day period ending on a day off moves to the next working
day; working-day periods skip weekends and holidays and count 调休 working days).
"""
from __future__ import annotations

import calendar as _months
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

TIME_BAR_YEARS = 2            # 行政处罚法 art. 36
HEARING_NOTICE_WD = 7         # art. 64(2): notice at least 7 days before the hearing (working days: art. 85)
REMINDER_WAIT_WD = 10         # 行政强制法 art. 54: the court application comes 10 days after the 催告
PUBLIC_NOTICE_DAYS = 30       # 民事诉讼法 art. 95 via 行政处罚法 art. 61: 公告 is served after 30 days
SURCHARGE_RATE = Decimal('0.03')   # 行政处罚法 art. 72(1): 3 % of the fine a day, at most the fine
REVIEW_MONTHS, LAWSUIT_MONTHS, COURT_MONTHS = 2, 6, 3   # 复议 60 days; 诉讼 6 months; then 3 months to apply

CENT = Decimal('0.01')


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> int:
    """Whole months from `first` to `last` (a started month counts: 1 March to 15 March is 1)."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return max(months, 1)


def time_bar(started: date, ended: date | None, discovered: date) -> tuple[bool, date]:
    """(barred?, last day it could be discovered): two years from the end of a continuing violation.

    A violation still going on (`ended` None) is never barred.
    """
    if ended is None:
        return False, add_years(discovered, TIME_BAR_YEARS)
    last = add_years(ended, TIME_BAR_YEARS)
    return discovered > last, last


def arrears(persons: int, base, rate_percent, months: int) -> Decimal:
    """What an employer owes: persons × monthly base × contribution rate × months, to the fen."""
    return (Decimal(persons) * Decimal(str(base)) * Decimal(str(rate_percent)) / 100 * months).quantize(
        CENT, ROUND_HALF_UP)


def earliest_hearing(cal, notice_on: date) -> date:
    """The first day a hearing may be held after its notice: 7 working days later."""
    return cal.add_working_days(notice_on, HEARING_NOTICE_WD).date


def public_notice_served(published_on: date) -> date:
    """A public notice counts as served once 30 days have passed since publication."""
    return published_on + timedelta(days=PUBLIC_NOTICE_DAYS)


def surcharge(fine, due: date, as_of: date, paused_days: int = 0) -> tuple[int, Decimal]:
    """(days counted, surcharge) on a fine due on `due`, as of `as_of`: 3 % a day, at most the fine.

    `due` is the payment deadline already moved by the days it was paused (review or litigation),
    so the days counted are those after it, up to `as_of`; `paused_days` are days of a pause still
    running at `as_of`, which do not count either.
    """
    fine = Decimal(str(fine))
    days = max((as_of - due).days - paused_days, 0)
    return days, min((fine * SURCHARGE_RATE * days).quantize(CENT, ROUND_HALF_UP), fine)


@dataclass(frozen=True)
class CourtWindow:
    """When the center may apply to the court for compulsory enforcement."""
    opens: date
    closes: date
    after_reminder: date        # 10 working days after the 催告
    remedies_end: date          # the last day the party could still apply for review or sue

    def refusal(self, day: date) -> str | None:
        """Why an application on `day` is refused, or None."""
        if day < self.opens:
            return 'early'
        if day > self.closes:
            return 'late'
        return None


def court_window(cal, served_on: date, reminder_on: date) -> CourtWindow:
    """The application window: after the review and lawsuit periods, 10 working days after the 催告, within 3 months.

    行政强制法 art. 53: within three months after the periods for review (60 days) and lawsuit (6 months)
    from service have passed; art. 54: ten days after the 催告 was served.
    """
    remedies_end = max(add_months(served_on, LAWSUIT_MONTHS), served_on + timedelta(days=60))
    after_reminder = cal.add_working_days(reminder_on, REMINDER_WAIT_WD).date
    return CourtWindow(opens=max(after_reminder, remedies_end + timedelta(days=1)),
                       closes=add_months(remedies_end, COURT_MONTHS), after_reminder=after_reminder,
                       remedies_end=remedies_end)
