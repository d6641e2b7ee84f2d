"""Who changes a case, when and from where: a value passed through the engine, never a global."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .models import utcnow


@dataclass(frozen=True)
class Actor:
    """A person (or the system, when `user` is None) acting at `at` (naive UTC).

    `on_behalf_of` is the absent colleague a substitute (AB岗) acts for; the audit trail records both.
    """
    user: object | None
    at: datetime = field(default_factory=utcnow)
    client_addr: str | None = None
    on_behalf_of: object | None = None

    @classmethod
    def system(cls, at: datetime | None = None) -> 'Actor':
        """The engine itself (rules, timers, the worker)."""
        return cls(user=None, at=at or utcnow())

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def name(self) -> str:
        return self.user.username if self.user is not None else 'system'
