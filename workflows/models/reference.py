"""Reference data administrators keep: the working-day calendar and effective-dated settings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ._base import Base, utcnow


class CalendarDay(Base):
    """A day whose working status differs from the Mon–Fri rule (holiday or 调休 working day)."""
    __tablename__ = 'calendar_day'
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(64), default='')


class CalendarYear(Base):
    """A year whose official table is loaded; deadlines in other years are provisional."""
    __tablename__ = 'calendar_year'
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The day from which a setting stored without a date is in force (before any case of this system).
SETTINGS_EPOCH = date(2000, 1, 1)


class Setting(Base):
    """One value of an administrator-editable setting, in force from `effective_from` until the next one.

    History is kept: a change adds a row, it never overwrites one (see workflows.settings).
    """
    __tablename__ = 'setting'
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True, default=SETTINGS_EPOCH)
    value: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id', name='fk_setting_set_by'))
    set_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))
