"""The declarative base and the clock every table uses."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase


def utcnow():
    """Timezone-aware now in UTC; stored as naive UTC so SQLite and PostgreSQL agree."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}
