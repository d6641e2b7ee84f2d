"""Notifications: who is told what when a deadline nears or passes, a task moves or a backup is named.

A notification is a row for one user: a `kind` and its parameters. The wording is one English
template per kind (`MESSAGES`, marked for translation); the web layer words it in the reader's
language, for the page and for the e-mail alike.

E-mail is optional: a user who left an address (`UserContact`) gets each notification as e-mail
too, sent by the worker **after** the notification was committed (`send_pending_emails`). A worker
takes a batch with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), sends, and marks each sent; a
worker that dies holding a lease leaves its e-mails to another once the lease expires. SMTP cannot
be part of a database transaction, so a worker that dies between sending and marking causes the
one duplicate e-mail; it never loses one.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from .errors import N_
from .models import Notification, User, UserContact, UserRole

log = logging.getLogger(__name__)

TASK_DUE_SOON = 'task_due_soon'
TASK_OVERDUE = 'task_overdue'
TASK_OVERDUE_ESCALATED = 'task_overdue_escalated'
CLOCK_OVERDUE = 'clock_overdue'
TASK_REASSIGNED_TO_YOU = 'task_reassigned_to_you'
TASK_REASSIGNED_AWAY = 'task_reassigned_away'
BACKUP_NAMED = 'backup_named'

MESSAGES = {
    TASK_DUE_SOON: N_('Step "%(step)s" of case %(case)s is due on %(due)s.'),
    TASK_OVERDUE: N_('Step "%(step)s" of case %(case)s is overdue (due %(due)s).'),
    TASK_OVERDUE_ESCALATED: N_('Step "%(step)s" of case %(case)s, held by %(holder)s, is overdue (due %(due)s).'),
    CLOCK_OVERDUE: N_('The time limit "%(clock)s" of case %(case)s has passed (due %(due)s).'),
    TASK_REASSIGNED_TO_YOU: N_('%(by)s reassigned step "%(step)s" of case %(case)s to you: %(reason)s'),
    TASK_REASSIGNED_AWAY: N_('%(by)s reassigned step "%(step)s" of case %(case)s to %(to)s: %(reason)s'),
    BACKUP_NAMED: N_('You are the backup of %(absent)s from %(starts_on)s to %(ends_on)s.'),
}

SUPERVISOR_ROLE = 'supervisor'
CHIEF_ROLE = 'approver'
_NON_ACTING = ('admin', 'supervisor')


def send(session, user, kind, *, at: datetime, task=None, instance_id=None, recipients=None,
         **params) -> Notification:
    """Queue a notification for `user` (e-mail too if they left an address); the caller commits.
    `recipients` (a `Recipients` of the caller's round), when given, answers who left an address."""
    if kind not in MESSAGES:
        raise ValueError(f'unknown notification kind {kind!r}')
    has_email = (recipients.has_email(user) if recipients is not None
                 else session.get(UserContact, user.id) is not None)
    row = Notification(user_id=user.id, kind=kind, params=params, created_at=at,
                       task_id=task.id if task is not None else None,
                       instance_id=task.instance_id if task is not None else instance_id,
                       email_state='pending' if has_email else None)
    session.add(row)
    return row


def unread_count(session, user) -> int:
    """How many of `user`'s notifications are unread."""
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def for_user(user):
    """`user`'s notifications, newest first (a select; the caller pages it)."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(session, user, notification_id, at) -> int:
    """Mark one of `user`'s notifications read; 1 if it was theirs and unread, else 0."""
    return session.execute(update(Notification)
                           .where(Notification.id == notification_id, Notification.user_id == user.id,
                                  Notification.read_at.is_(None)).values(read_at=at)).rowcount


def mark_all_read(session, user, at) -> int:
    """Mark all of `user`'s unread notifications read; how many were."""
    return session.execute(update(Notification)
                           .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                           .values(read_at=at)).rowcount


# -- who is told ---------------------------------------------------------------------------------

class Recipients:
    """Who is told, for one round of the worker (one transaction): the active users of a role (of
    some teams), each user's backup on the round's day, who left an e-mail address.

    Each answer is read once per round and reused for every item of it (a round of 200 overdue
    tasks of one role asked the same questions 200 times); a round sees them as they stood when it
    first asked, and the next round sees later changes.
    """

    def __init__(self, session, on: date):
        self.session, self.on = session, on
        self._with_role: dict[tuple, list[User]] = {}
        self._backups: dict[int, User | None] = {}
        self._emails: set[int] | None = None

    def with_role(self, role, team_ids=None) -> list[User]:
        """The active users holding `role` (only those of `team_ids` if given), by id."""
        key = (role, frozenset(team_ids) if team_ids is not None else None)
        if key not in self._with_role:
            query = (select(User).join(UserRole, UserRole.user_id == User.id)
                     .where(UserRole.role_code == role, User.active).order_by(User.id))
            if team_ids is not None:
                query = query.where(User.team_id.in_(sorted(team_ids)))
            self._with_role[key] = list(self.session.scalars(query).unique())
        return self._with_role[key]

    def backup_of(self, user) -> User | None:
        from .substitution import backup_of
        if user.id not in self._backups:
            self._backups[user.id] = backup_of(self.session, user, self.on)
        return self._backups[user.id]

    def has_email(self, user) -> bool:
        if self._emails is None:
            self._emails = set(self.session.scalars(select(UserContact.user_id)))
        return user.id in self._emails

    def task_holders(self, task) -> list[User]:
        """Who holds `task`: its claimer (and their backup while absent), else the role's acting users."""
        if task.claimed_by is not None:
            holder = task.claimer
            backup = self.backup_of(holder)
            return [holder] + ([backup] if backup is not None else [])
        return [u for u in self.with_role(task.role_code) if not (u.role_codes & set(_NON_ACTING))]

    def escalation_targets(self, holders) -> list[User]:
        """The supervisors, and the section chiefs of the holders' teams."""
        teams = {u.team_id for u in holders if u.team_id is not None}
        chiefs = self.with_role(CHIEF_ROLE, teams) if teams else []
        return self.with_role(SUPERVISOR_ROLE) + chiefs


def send_each(session, users, kind, **kwargs) -> int:
    """Send one notification to each distinct user of `users`; how many were sent."""
    seen = set()
    for user in users:
        if user.id not in seen:
            seen.add(user.id)
            send(session, user, kind, **kwargs)
    return len(seen)


# -- e-mail ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = 'gjj-flow@localhost'
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


class SmtpMailer:
    """Sends a notification as e-mail; `render(notification, user)` gives (subject, body)."""

    def __init__(self, settings: SmtpSettings, render: Callable[[Notification, User], tuple[str, str]]):
        self.settings, self.render = settings, render

    def __call__(self, notification, user, address):
        subject, body = self.render(notification, user)
        message = EmailMessage()
        message['From'], message['To'], message['Subject'] = self.settings.sender, address, subject
        message.set_content(body)
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username:
                smtp.login(s.username, s.password or '')
            smtp.send_message(message)


def _lease_free(now):
    return or_(Notification.email_lease_until.is_(None), Notification.email_lease_until < now)


def claim_emails(session_factory, worker, now, batch=50, lease_seconds=120) -> list[int]:
    """Take up to `batch` pending e-mails for `worker` until now + lease; return the notification ids."""
    with session_factory() as session:
        candidates = (select(Notification.id).where(Notification.email_state == 'pending', _lease_free(now))
                      .order_by(Notification.id).limit(batch).with_for_update(skip_locked=True))
        taken = []
        try:
            for nid in session.scalars(candidates).all():
                result = session.execute(update(Notification)
                                         .where(Notification.id == nid, Notification.email_state == 'pending',
                                                _lease_free(now))
                                         .values(email_lease_until=now + timedelta(seconds=lease_seconds),
                                                 email_lease_owner=worker))
                if result.rowcount == 1:
                    taken.append(nid)
            session.commit()
        except OperationalError:    # SQLite: another writer held the database too long; next round
            session.rollback()
            return []
    return taken


def send_email(session_factory, notification_id, worker, now, mailer) -> bool:
    """Send one claimed e-mail and record the outcome; True if this worker sent it."""
    with session_factory() as session:
        row = session.get(Notification, notification_id)
        if row is None or row.email_lease_owner != worker or row.email_state != 'pending':
            return False     # the lease expired and another worker took it
        user = session.get(User, row.user_id)
        contact = session.get(UserContact, row.user_id)
        state = 'sent'
        if contact is None:
            state = None     # the address was removed meanwhile: in-app only
        else:
            try:
                mailer(row, user, contact.email)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning('e-mail for notification %s failed: %s', row.id, exc)
                state = 'failed'
        row.email_state, row.email_lease_until, row.email_lease_owner = state, None, None
        row.emailed_at = now if state == 'sent' else None
        session.commit()
        return state == 'sent'


def send_pending_emails(session_factory, worker, now, mailer, batch=50, lease_seconds=120) -> int:
    """Claim and send one batch of pending e-mails; how many this worker sent."""
    return sum(send_email(session_factory, nid, worker, now, mailer)
               for nid in claim_emails(session_factory, worker, now, batch, lease_seconds))

