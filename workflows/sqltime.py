"""The center's calendar in SQL: a stored (naive UTC) timestamp's calendar day, elapsed hours, and
the UTC instant a calendar day begins. Both backends compile them (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .deadlines import CENTER_TZ

# Asia/Shanghai keeps one offset all year (no daylight saving since 1991).
_OFFSET_HOURS = int(CENTER_TZ.utcoffset(datetime(2026, 1, 1)).total_seconds() // 3600)


class local_day(FunctionElement):
    """SQL: the center's calendar day of a stored (naive UTC) timestamp column."""
    type = Date()
    inherit_cache = True
    name = 'local_day'


@compiles(local_day, 'sqlite')
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+{_OFFSET_HOURS} hours')"


@compiles(local_day, 'postgresql')
def _local_day_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} + INTERVAL '{_OFFSET_HOURS} hours') AS DATE)"


class elapsed_hours(FunctionElement):
    """SQL: hours (fractional) from the first timestamp column to the second."""
    type = Float()
    inherit_cache = True
    name = 'elapsed_hours'


@compiles(elapsed_hours, 'sqlite')
def _elapsed_hours_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f'((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)'


@compiles(elapsed_hours, 'postgresql')
def _elapsed_hours_postgresql(element, compiler, **kw):
    # date_part gives double precision; EXTRACT gives numeric since PostgreSQL 14, which sorts and
    # averages several times slower over the ~100,000 durations of a heatmap.
    start, end = list(element.clauses)
    return f"(date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)}) / 3600.0)"


def utc_start_of(day: date) -> datetime:
    """The naive UTC instant at which the center's calendar day `day` begins."""
    return datetime.combine(day, time()) - timedelta(hours=_OFFSET_HOURS)
