"""Helpers shared by the administration pages."""
from __future__ import annotations

from datetime import date

from flask import request

from workflows.errors import N_, FormInvalid

from ..db import get_session


def form_text(name: str, limit: int = 2000) -> str:
    """A posted text field, stripped (longer input is cut off by the engine's own length check)."""
    return (request.form.get(name) or '').strip()[:limit + 1]


def form_int(name: str) -> int | None:
    raw = (request.form.get(name) or request.args.get(name) or '').strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def form_date(name: str, field: str | None = None) -> date | None:
    """A posted ISO date, None if empty; FormInvalid if it is not a date."""
    raw = (request.form.get(name) or '').strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {field or name: [(N_('Enter a date as YYYY-MM-DD.'), {})]}) from None


def invalid(errors_or_error) -> dict:
    """Roll back the request's changes and return the errors of a FormInvalid for the page."""
    get_session().rollback()
    return getattr(errors_or_error, 'errors', errors_or_error)
