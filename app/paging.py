"""Server-side paging of a select."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def count(session, query) -> int:
    """How many rows `query` returns (one COUNT query, its ordering dropped)."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def paginate(session, query) -> Page:
    """Run `query` for the page named in ?page= (1-based)."""
    size = current_app.config['PAGE_SIZE']
    total = count(session, query)
    pages = max(1, -(-total // size))
    page = min(max(request.args.get('page', 1, type=int), 1), pages)
    items = session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return Page(items, page, pages, total)
