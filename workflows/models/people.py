"""Staff: roles, teams, users, role grants, contacts, notifications and AB岗 backups."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ._base import Base, utcnow


class Role(Base):
    __tablename__ = 'role'
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    is_business: Mapped[bool] = mapped_column(Boolean, default=True)


class UserRole(Base):
    __tablename__ = 'user_role'
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), primary_key=True)
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'), primary_key=True)


class Team(Base):
    """A section (科) or branch (分中心). Users belong to at most one; oversight filters by it."""
    __tablename__ = 'team'
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = 'app_user'
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    team_id: Mapped[int | None] = mapped_column(ForeignKey('team.id', name='fk_app_user_team_id'), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every login's identity (see app/security.py): changing it ends all of this user's sessions.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16),
                                               server_default='initial')
    roles: Mapped[list[Role]] = relationship(secondary='user_role', lazy='selectin')
    team: Mapped[Team | None] = relationship(lazy='joined')

    def end_sessions(self) -> None:
        """Invalidate every existing login of this user (at logout; also meant for a password change)."""
        self.session_nonce = secrets.token_hex(16)

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.roles)


# --- administration ---

class RoleGrant(Base):
    """A business role for an administrator (管办分离): requested by one administrator, confirmed by another.

    Kept after the decision, so the approver of record stays visible even when either person is
    later disabled.
    """
    __tablename__ = 'role_grant'
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id'), index=True)
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'))
    state: Mapped[str] = mapped_column(String(16), default='pending', index=True)  # pending|confirmed|rejected
    requested_by: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy='joined')
    requester: Mapped[User] = relationship(foreign_keys=[requested_by], lazy='joined')
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy='joined')


class UserContact(Base):
    """Where a user wants notifications by e-mail (none: in the app only)."""
    __tablename__ = 'user_contact'
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))


class Notification(Base):
    """A message to one user: kind + params, worded by the web layer in the reader's language.

    `email_state` is None (in-app only), 'pending', 'sent' or 'failed'; a worker sending it holds
    `email_lease_until`/`email_lease_owner`, so a dead worker's e-mail is taken by another later.
    """
    __tablename__ = 'notification'
    __table_args__ = (Index('ix_notification_user_unread', 'user_id', 'read_at'),
                      Index('ix_notification_email', 'email_state', 'created_at'))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(default=dict)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'))
    task_id: Mapped[int | None] = mapped_column(ForeignKey('human_task.id', ondelete='CASCADE'))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_state: Mapped[str | None] = mapped_column(String(8))
    email_lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    email_lease_owner: Mapped[str | None] = mapped_column(String(64))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Substitution(Base):
    """AB岗: `backup` covers `absent` from `starts_on` to `ends_on` (center days, inclusive)."""
    __tablename__ = 'substitution'
    __table_args__ = (Index('ix_substitution_backup', 'backup_id', 'starts_on', 'ends_on'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    absent_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), index=True)
    backup_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default='')
    created_by: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    absent: Mapped[User] = relationship(foreign_keys=[absent_id], lazy='joined')
    backup: Mapped[User] = relationship(foreign_keys=[backup_id], lazy='joined')
