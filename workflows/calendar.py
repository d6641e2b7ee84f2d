"""Working-day calendar for deadlines (time limits) of approval tasks.

China moves working days around public holidays (调休): some weekend days become
working days and some weekdays become days off. The center keeps its own table of
per-day overrides for the years it has loaded (seeded from ``chinese_calendar`` and
editable by the admin). Rules applied here:

* the start day is never counted;
* a deadline that ends on a day off moves forward to the next working day;
* a day in a year that is NOT loaded is never guessed silently: it is judged from
  weekends plus the statutory holidays that the ``holidays`` package computes for
  that year (no 调休 makeup working days), and every result touching such a day is
  flagged ``provisional``.

Framework-free: no Flask, no database access.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import chinese_calendar
import holidays as holidays_lib

from .errors import N_

__all__ = [
    "Calendar",
    "Due",
    "TimeLimit",
    "holiday_rows_from_chinese_calendar",
    "parse_time_limit",
]

WORKING_DAYS = "wd"
CALENDAR_DAYS = "cd"
UNITS = (WORKING_DAYS, CALENDAR_DAYS)
MAX_AMOUNT = 3650
MAKEUP_WORKDAY_NOTE = "调休上班"
FALLBACK_DAY_OFF_NOTE = "休息日"

_ONE_DAY = dt.timedelta(days=1)
_TIME_LIMIT_RE = re.compile(r"(0|[1-9][0-9]*)(wd|cd)", re.ASCII)


@dataclass(frozen=True)
class TimeLimit:
    """A task time limit such as 3 working days ('3wd') or 15 calendar days ('15cd')."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"time limit amount must be an int, got {self.amount!r}")
        if not 0 <= self.amount <= MAX_AMOUNT:
            raise ValueError(f"time limit amount {self.amount} is outside 0..{MAX_AMOUNT}")
        if self.unit not in UNITS:
            raise ValueError(f"time limit unit {self.unit!r} is not one of {UNITS}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_time_limit(text: str) -> TimeLimit:
    """Parse '3wd' / '15cd' (surrounding whitespace allowed) into a TimeLimit, else raise ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"invalid time limit {text!r}: expected a string like '3wd' or '15cd'")
    match = _TIME_LIMIT_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid time limit {text!r}: expected <amount><unit> such as '3wd' (working days) "
            f"or '15cd' (calendar days), amount 0..{MAX_AMOUNT} without inner spaces"
        )
    amount = int(match.group(1))
    if amount > MAX_AMOUNT:
        raise ValueError(f"invalid time limit {text!r}: amount {amount} exceeds {MAX_AMOUNT}")
    return TimeLimit(amount, match.group(2))


@dataclass(frozen=True)
class Due:
    """A computed deadline; provisional when any day consulted lies in a year not loaded."""

    date: dt.date
    provisional: bool


def _require_date(value: object, name: str) -> dt.date:
    """Reject anything but a plain date (a datetime would silently miss the day table)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date (not datetime), got {value!r}")
    return value


def _require_count(value: object, name: str) -> int:
    """Reject negative or non-int day counts."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return value


class Calendar:
    """Working-day calendar built from the center's day overrides for its loaded years."""

    __slots__ = ("_overrides", "_loaded_years", "_statutory_cache")

    def __init__(self, overrides: Mapping[dt.date, bool], loaded_years: Iterable[int]) -> None:
        self._loaded_years = frozenset(int(year) for year in loaded_years)
        self._overrides: dict[dt.date, bool] = {}
        for day, is_workday in overrides.items():
            _require_date(day, "override day")
            if day.year not in self._loaded_years:
                raise ValueError(f"override for {day.isoformat()}: year {day.year} is not loaded")
            self._overrides[day] = bool(is_workday)
        # year -> statutory holidays from the `holidays` package; only filled for years not loaded.
        self._statutory_cache: dict[int, frozenset[dt.date]] = {}

    @property
    def loaded_years(self) -> frozenset[int]:
        """Years whose day table is loaded (authoritative, not provisional)."""
        return self._loaded_years

    def is_workday(self, day: dt.date) -> bool:
        """Return True when `day` is a working day of the center."""
        return self._workday(_require_date(day, "day"))

    def is_provisional(self, day: dt.date) -> bool:
        """Return True when `day` lies in a year that is not loaded."""
        return _require_date(day, "day").year not in self._loaded_years

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """Return the n-th working day after `start` (not counted); n == 0: start or the next workday."""
        _require_date(start, "start")
        _require_count(n, "n")
        if n == 0:
            return self._roll_forward(start)
        day, remaining = start, n
        while remaining:
            day += _ONE_DAY
            if self._workday(day):
                remaining -= 1
        return Due(day, self._spans_unloaded(start + _ONE_DAY, day))

    def add_calendar_days(self, start: dt.date, n: int) -> Due:
        """Return start + n days, moved forward to the next working day if that day is off."""
        _require_date(start, "start")
        _require_count(n, "n")
        return self._roll_forward(start + dt.timedelta(days=n))

    def due(self, start: dt.date, limit: TimeLimit) -> Due:
        """Return the deadline for `limit` counted from `start`."""
        if not isinstance(limit, TimeLimit):
            raise TypeError(f"limit must be a TimeLimit, got {limit!r}")
        if limit.unit == WORKING_DAYS:
            return self.add_working_days(start, limit.amount)
        return self.add_calendar_days(start, limit.amount)

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Count working days d with after < d <= until (0 when until <= after)."""
        _require_date(after, "after")
        _require_date(until, "until")
        count, day = 0, after + _ONE_DAY
        while day <= until:
            count += self._workday(day)
            day += _ONE_DAY
        return count

    def _workday(self, day: dt.date) -> bool:
        """Hot path: dict lookup for loaded years, cached statutory set otherwise."""
        if day.year in self._loaded_years:
            status = self._overrides.get(day)
            return day.weekday() < 5 if status is None else status
        return day.weekday() < 5 and day not in self._statutory_holidays(day.year)

    def _statutory_holidays(self, year: int) -> frozenset[dt.date]:
        """Statutory CN holidays (incl. observed days) of a year not loaded, cached per year."""
        cached = self._statutory_cache.get(year)
        if cached is None:
            cached = frozenset(holidays_lib.country_holidays("CN", years=year).keys())
            self._statutory_cache[year] = cached
        return cached

    def _roll_forward(self, day: dt.date) -> Due:
        """Return `day` if it is a workday, else the next workday; flag provisional over the span."""
        first = day
        while not self._workday(day):
            day += _ONE_DAY
        return Due(day, self._spans_unloaded(first, day))

    def _spans_unloaded(self, first: dt.date, last: dt.date) -> bool:
        """Return True when any year from first to last (inclusive) is not loaded."""
        return any(year not in self._loaded_years for year in range(first.year, last.year + 1))


def _chinese_calendar_covers(year: int) -> bool:
    """Return True when chinese_calendar has data for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _chinese_holiday_note(day: dt.date) -> str:
    """Chinese name of the holiday chinese_calendar reports for `day`, or a generic note."""
    _, english_name = chinese_calendar.get_holiday_detail(day)
    try:
        return chinese_calendar.Holiday(english_name).chinese
    except ValueError:
        return FALLBACK_DAY_OFF_NOTE


def holiday_rows_from_chinese_calendar(year: int) -> list[tuple[dt.date, bool, str]]:
    """Return (day, is_workday, note) for each day of `year` that differs from the Mon-Fri rule."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError(f"invalid year {year!r}")
    if not _chinese_calendar_covers(year):
        raise ValueError(f"year {year} not covered by chinese_calendar; load its days manually")
    rows: list[tuple[dt.date, bool, str]] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != (day.weekday() < 5):
            note = MAKEUP_WORKDAY_NOTE if is_workday else _chinese_holiday_note(day)
            rows.append((day, is_workday, note))
        day += _ONE_DAY
    return rows


# --- the State Council's yearly notice ------------------------------------------------------------
# 国务院办公厅关于<year>年部分节假日安排的通知 lists, per holiday, the days off and the weekend days
# worked instead (调休), in a stable wording:
#   "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"
#   "国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月11日（星期六）上班。"
#   "元旦：2022年12月31日至2023年1月2日放假调休，共3天。"   "清明节：4月5日放假，与周末连休。"

_NOTICE_YEAR_RE = re.compile(r"([12][0-9]{3})\s*年\s*(?:部分)?节假日")
_PAREN_RE = re.compile(r"（[^）]*）|\([^)]*\)")
_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]\s*)?([^：:，,。\d]{1,20}?)\s*[：:]\s*(.*)$", re.S)
_DAY_RE = re.compile(r"(?:([12][0-9]{3})\s*年\s*)?(?:([0-9]{1,2})\s*月\s*)?([0-9]{1,2})\s*日"
                     r"(?:\s*[（(]([^）)]{0,30})[）)])?")
_WEEKDAY_RE = re.compile(r"(?:星期|周)([一二三四五六日天])")
_WEEKDAYS = "一二三四五六日"
_RANGE_SEP = ("至", "到", "-", "—", "–", "~", "～")
_SENTENCE_SPLIT_RE = re.compile(r"[。；;\n]+")
NOTICE_MAX_CHARS = 20_000


@dataclass(frozen=True)
class NoticeHoliday:
    """One holiday of the notice: its name, days off and 调休 working days (both within any year)."""

    name: str
    days_off: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]


@dataclass(frozen=True)
class ParsedNotice:
    year: int
    holidays: tuple[NoticeHoliday, ...]
    problems: tuple[tuple[str, dict], ...]   # (English message id, params), the sentence quoted

    def rows(self) -> list[tuple[dt.date, bool, str]]:
        """(day, is_workday, note) for every day of `year` the notice names, in date order."""
        rows = {}
        for holiday in self.holidays:
            for day in holiday.days_off:
                rows[day] = (day, False, holiday.name[:64])
            for day in holiday.workdays:
                rows[day] = (day, True, MAKEUP_WORKDAY_NOTE)
        return [rows[d] for d in sorted(rows) if d.year == self.year]


def notice_year(text: str) -> int | None:
    """The year a notice is about ("…关于2026年部分节假日安排的通知"), if it says so."""
    match = _NOTICE_YEAR_RE.search(text or "")
    return int(match.group(1)) if match else None


class WeekdayMismatch(ValueError):
    """The notice names a weekday that is not the date's (a typing error in the text)."""

    def __init__(self, day: dt.date, written: str):
        super().__init__(f"{day} is not a {written}")
        self.day, self.written = day, written


def _dates_in(sentence: str, year: int) -> list[tuple[int, dt.date, int, int]]:
    """Each day written in `sentence` as (start offset, date, match start, match end).

    A day without a month takes the previous day's month; without a year, the notice's year, or
    the next year when its month comes before the previous day's (12月31日至1月2日).
    """
    found, last = [], None
    for match in _DAY_RE.finditer(sentence):
        y, m, d = match.group(1), match.group(2), match.group(3)
        month = int(m) if m else (last.month if last else None)
        if month is None:
            raise ValueError("a day without its month")
        if y:
            the_year = int(y)
        elif last is not None:
            the_year = last.year + (1 if month < last.month else 0)
        else:
            the_year = year
        day = dt.date(the_year, month, int(d))
        written = _WEEKDAY_RE.search(match.group(4) or "")
        if written and _WEEKDAYS.index(written.group(1).replace("天", "日")) != day.weekday():
            raise WeekdayMismatch(day, written.group(0))
        found.append((match.start(), day, match.start(), match.end()))
        last = day
    return found


def _days_off(sentence: str, year: int) -> list[dt.date]:
    """The days before "放假": a range "A至B" or single days "A、B"."""
    head = sentence.split("放假", 1)[0]
    dates = _dates_in(head, year)
    if not dates:
        raise ValueError("no day before 放假")
    if len(dates) == 2 and any(sep in head[dates[0][3]:dates[1][2]] for sep in _RANGE_SEP):
        first, last = dates[0][1], dates[1][1]
        if last < first or (last - first).days > 31:
            raise ValueError("the range of days off runs backwards or is longer than a month")
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for _, d, _, _ in dates]


def parse_state_council_notice(text: str, year: int | None = None) -> ParsedNotice:
    """Read the days off and 调休 working days of a State Council holiday notice.

    `year` defaults to the year the notice names. Every sentence mentioning 放假 or 上班 must yield
    its days; each one that does not is reported (nothing is guessed).
    """
    text = (text or "")[:NOTICE_MAX_CHARS]
    named = notice_year(text)
    if year and named and year != named:
        return ParsedNotice(year, (), ((N_("The notice is about %(named)s, not %(year)s."),
                                        {"named": named, "year": year}),))
    year = year or named
    if year is None:
        return ParsedNotice(0, (), ((N_("The year could not be found; enter it."), {}),))
    holidays: list[list] = []          # [name, days_off, workdays]
    problems: list[tuple[str, dict]] = []
    current = None
    for raw in _SENTENCE_SPLIT_RE.split(text):
        sentence = raw.strip()
        if not sentence:
            continue
        heading = _HEADING_RE.match(sentence)
        if heading and ("放假" in heading.group(2) or "上班" in heading.group(2)):
            current = [heading.group(1).strip(), [], []]
            holidays.append(current)
            sentence = heading.group(2)
        if "放假" not in sentence and "上班" not in sentence:
            continue
        if current is None:
            if not _DAY_RE.search(sentence):
                continue    # the preamble's prose ("…放假调休日期的具体安排通知如下")
            problems.append((N_("Not under a holiday's name: “%(text)s”"), {"text": raw.strip()[:80]}))
            continue
        try:
            if "放假" in sentence:
                current[1].extend(_days_off(sentence, year))
            if "上班" in sentence:
                work_part = sentence.split("放假", 1)[-1] if "放假" in sentence else sentence
                worked = [d for _, d, _, _ in _dates_in(work_part.split("上班", 1)[0], year)]
                if not worked:
                    raise ValueError("no day before 上班")
                current[2].extend(worked)
        except WeekdayMismatch as exc:
            problems.append((N_("%(day)s is not a %(weekday)s as the notice says: “%(text)s”."),
                             {"day": exc.day.isoformat(), "weekday": exc.written, "text": raw.strip()[:80]}))
        except ValueError:
            problems.append((N_("No day could be read from “%(text)s”."), {"text": raw.strip()[:80]}))
    if not holidays and not problems:
        problems.append((N_("No holiday was found in the text."), {}))
    off = {d for _, days, _ in holidays for d in days}
    for name, _, workdays in holidays:
        for day in workdays:
            if day in off:
                problems.append((N_("%(day)s is both a day off and a working day."), {"day": day.isoformat()}))
            elif day.weekday() < 5:
                problems.append((N_("%(name)s: %(day)s is a weekday; only a weekend day can be a make-up working day."),
                                 {"name": name, "day": day.isoformat()}))
    return ParsedNotice(year, tuple(NoticeHoliday(n, tuple(o), tuple(w)) for n, o, w in holidays), tuple(problems))
