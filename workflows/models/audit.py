"""The hash-chained audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ._base import Base, utcnow


class AuditEvent(Base):
    """Append-only. Each row's hash covers its content and the previous row's hash."""
    __tablename__ = 'audit_event'
    __table_args__ = (Index('ix_audit_event_action_at', 'action', 'at'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    actor_name: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey('human_task.id'))
    action: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row holding the chain's last hash; updating it serialises concurrent appends."""
    __tablename__ = 'audit_head'
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
