"""AB岗: a backup covers an absent colleague's work for a date range; chiefs reassign tasks (转办).

- A user names their own backup, or a section chief (approver role) names one for a member of
  their team. The backup must be another active business user who shares a business role with
  the absent one (the same post), and the range is at most `MAX_DAYS` days.
- While an absence runs (center days, inclusive), the backup sees the absent user's claimed tasks
  and role queues and may act on them **for** the absent user (`Actor.on_behalf_of`, recorded in
  the audit trail). Separation of duties applies to the backup's own earlier steps in the case.
- A chief reassigns a claimed, open task of a member of their team to another user who may work it,
  with a reason; the audit trail and both users' notifications record it.

Nothing here commits: the caller does, once.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import and_, select

from . import audit, notify
from .change import InstanceChange
from .deadlines import local_date
from .definitions import loaded_definition
from .errors import N_, Conflict, FormInvalid, NotAllowed, NotFound
from .models import HumanTask, Role, Substitution, TaskState, User, UserRole, utcnow

MAX_DAYS = 92
MAX_REASON = 200
CHIEF_ROLE = 'approver'


def today(actor_or_none=None) -> date:
    """The center's calendar day of the actor's moment (now without an actor)."""
    return local_date(actor_or_none.at if actor_or_none is not None else utcnow())


def running(on: date):
    """SQL condition on Substitution: not cancelled and covering day `on`."""
    return and_(Substitution.cancelled_at.is_(None), Substitution.starts_on <= on, Substitution.ends_on >= on)


def covered_users(session, user, on: date) -> list[User]:
    """The absent colleagues `user` backs up on day `on` (active users only)."""
    return list(session.scalars(select(User).join(Substitution, Substitution.absent_id == User.id)
                                .where(Substitution.backup_id == user.id, running(on), User.active)
                                .order_by(User.id)).unique())


def backup_of(session, user, on: date) -> User | None:
    """Who backs `user` up on day `on`, if anyone (the latest-named running absence)."""
    return session.scalar(select(User).join(Substitution, Substitution.backup_id == User.id)
                          .where(Substitution.absent_id == user.id, running(on), User.active)
                          .order_by(Substitution.id.desc()).limit(1))


def acting_for(session, user, task, on: date) -> User | None:
    """The absent colleague `user` would act for on `task` on day `on`, or None (acting as oneself).

    A task claimed by someone `user` covers is done for them; an unclaimed (or own) task of a role
    `user` does not hold is done for a covered colleague who holds it.
    """
    if task.claimed_by not in (None, user.id):
        return next((u for u in covered_users(session, user, on) if u.id == task.claimed_by), None)
    if task.role_code in user.role_codes:
        return None
    return next((u for u in covered_users(session, user, on) if task.role_code in u.role_codes), None)


def actor_for_task(session, actor, task):
    """`actor`, acting on behalf of the colleague they cover for this task if there is one."""
    if actor.user is None or actor.on_behalf_of is not None:
        return actor
    absent = acting_for(session, actor.user, task, today(actor))
    return replace(actor, on_behalf_of=absent) if absent is not None else actor


def is_chief_of(chief, member) -> bool:
    """Whether `chief` is a section chief (approver) of `member`'s team."""
    return (chief.active and CHIEF_ROLE in chief.role_codes and chief.team_id is not None
            and chief.team_id == member.team_id)


def _business_roles(session, user) -> set[str]:
    business = set(session.scalars(select(Role.code).where(Role.is_business.is_(True))))
    return set(user.role_codes) & business


def name_backup(session, absent, backup_id, starts_on: date, ends_on: date, reason: str, actor) -> Substitution:
    """Record that `backup_id` covers `absent` from `starts_on` to `ends_on`.

    :raises NotAllowed: the actor is neither `absent` nor a chief of their team.
    :raises FormInvalid: a bad backup, range or reason (each field's message).
    """
    if actor.user.id != absent.id and not is_chief_of(actor.user, absent):
        raise NotAllowed(N_('Only the colleague or the chief of their section may name a backup.'))
    errors = {}
    backup = session.get(User, backup_id) if backup_id else None
    if backup is None or not backup.active:
        errors['backup'] = (N_('Choose an active colleague as backup.'), {})
    elif backup.id == absent.id:
        errors['backup'] = (N_('Nobody can be their own backup.'), {})
    elif not _business_roles(session, absent) & _business_roles(session, backup):
        errors['backup'] = (N_('The backup must hold one of the business roles of the absent colleague.'), {})
    if ends_on < starts_on:
        errors['ends_on'] = (N_('The last day must not be before the first day.'), {})
    elif (ends_on - starts_on).days + 1 > MAX_DAYS:
        errors['ends_on'] = (N_('An absence may last at most %(n)s days.'), {'n': MAX_DAYS})
    elif ends_on < today(actor):
        errors['ends_on'] = (N_('The absence must not lie in the past.'), {})
    reason = (reason or '').strip()
    if len(reason) > MAX_REASON:
        errors['reason'] = (N_('At most %(n)s characters.'), {'n': MAX_REASON})
    if errors:
        raise FormInvalid(N_('Please correct the marked fields.'), {k: [v] for k, v in errors.items()})
    row = Substitution(absent=absent, backup=backup, starts_on=starts_on, ends_on=ends_on, reason=reason,
                       created_by=actor.user.id, created_at=actor.at)
    session.add(row)
    session.flush()
    audit.record(session, actor, 'name_backup', data={'absent': absent.username, 'backup': backup.username,
                                                      'from': starts_on.isoformat(), 'to': ends_on.isoformat(),
                                                      'reason': reason})
    notify.send(session, backup, notify.BACKUP_NAMED, at=actor.at, absent=absent.full_name,
                starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    return row


def may_cancel_backup(user, row) -> bool:
    """The absent colleague, whoever named the backup, or a chief of the absent's team may end it."""
    return user.id in (row.absent_id, row.created_by) or is_chief_of(user, row.absent)


def cancel_backup(session, substitution_id, actor) -> Substitution:
    """End an absence now (see `may_cancel_backup`)."""
    row = session.get(Substitution, substitution_id)
    if row is None:
        raise NotFound(N_('Absence not found.'))
    if not may_cancel_backup(actor.user, row):
        raise NotAllowed(N_('Only the colleague, whoever named the backup, or their chief may cancel it.'))
    if row.cancelled_at is not None or row.ends_on < today(actor):
        raise Conflict(N_('This absence has already ended.'))
    row.cancelled_at = actor.at
    audit.record(session, actor, 'cancel_backup', data={'absent': row.absent.username,
                                                        'backup': row.backup.username})
    return row


def absences_of_interest(session, user, on: date):
    """Running and future absences where `user` is absent, backup or chief of the absent's team."""
    query = (select(Substitution).where(Substitution.cancelled_at.is_(None), Substitution.ends_on >= on)
             .order_by(Substitution.starts_on, Substitution.id))
    mine = (Substitution.absent_id == user.id) | (Substitution.backup_id == user.id)
    if CHIEF_ROLE in user.role_codes and user.team_id is not None:
        team = select(User.id).where(User.team_id == user.team_id)
        mine = mine | Substitution.absent_id.in_(team)
    return session.scalars(query.where(mine)).unique().all()


def reassign_candidates(session, task) -> list[User]:
    """Active users holding the task's role (the permission check decides who may really take it)."""
    return list(session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                .where(UserRole.role_code == task.role_code, User.active)
                                .order_by(User.full_name, User.id)).unique())


def check_may_reassign(user, task):
    """Raise NotAllowed unless `user` is a section chief (of the holder's team, once there is a holder),
    Conflict unless the task is open and claimed. Who may ask is settled before the task's state is told."""
    if not (user.active and CHIEF_ROLE in user.role_codes and user.team_id is not None):
        raise NotAllowed(N_('Only a section chief of the holder\'s team may reassign this task.'))
    if task.state != TaskState.ready or task.claimed_by is None:
        raise Conflict(N_('Only an open, claimed task can be reassigned.'))
    if not is_chief_of(user, task.claimer):
        raise NotAllowed(N_('Only a section chief of the holder\'s team may reassign this task.'))


def reassign_task(session, task_id, to_user_id, reason, actor) -> HumanTask:
    """转办: a chief moves a claimed, open task of their team member to `to_user_id`, with a reason.

    :raises NotAllowed: the actor is not a chief of the holder's team.
    :raises Conflict: the task is no longer open or no longer claimed.
    :raises FormInvalid: no reason, or a target who may not work the task.
    """
    from .permissions import check_may_work   # permissions imports this module
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(N_('Task not found.'))
    check_may_reassign(actor.user, task)
    holder = task.claimer
    errors = {}
    reason = (reason or '').strip()
    if not reason:
        errors['reason'] = (N_('Give the reason for reassigning.'), {})
    elif len(reason) > MAX_REASON:
        errors['reason'] = (N_('At most %(n)s characters.'), {'n': MAX_REASON})
    target = session.get(User, to_user_id) if to_user_id else None
    if target is None or not target.active:
        errors['to_user'] = (N_('Choose an active colleague.'), {})
    elif target.id == holder.id:
        errors['to_user'] = (N_('The task is already with this colleague.'), {})
    else:
        try:
            check_may_work(session, target, task, loaded_definition(task.instance.definition))
        except NotAllowed as exc:
            errors['to_user'] = (exc.message, exc.params)
    if errors:
        raise FormInvalid(N_('Please correct the marked fields.'), {k: [v] for k, v in errors.items()})
    _move(session, task, holder, target, reason, actor)
    return task


def _move(session, task, holder, target, reason, actor):
    with InstanceChange(session, task.instance, actor):   # the case lock: a racing completion loses
        task.claimer = target
        session.flush()
        audit.record(session, actor, 'reassign', instance_id=task.instance_id, task_id=task.id,
                     basis=reason, data={'from': holder.username, 'to': target.username, 'reason': reason})
    params = dict(case=task.instance.business_key, step=task.name, by=actor.user.full_name, reason=reason)
    notify.send(session, target, notify.TASK_REASSIGNED_TO_YOU, at=actor.at, task=task, **params)
    notify.send(session, holder, notify.TASK_REASSIGNED_AWAY, at=actor.at, task=task, to=target.full_name, **params)


def seed_demo(session, users: dict, now=None):
    """Demo data: 李审核 has claimed a review, the business chief names 周审核 as 李审核's backup for
    this week, and the worker's marking runs once over the demo cases (the due ones are marked and
    their notifications sent)."""
    from . import escalation, runtime    # both import this module
    from .actors import Actor
    now = now or utcnow()
    chief, absent, backup = users['approver'], users['reviewer'], users['reviewer2']
    first_review = session.scalar(select(HumanTask.id).where(HumanTask.state == TaskState.ready,
                                                             HumanTask.role_code == 'reviewer',
                                                             HumanTask.claimed_by.is_(None)).order_by(HumanTask.id))
    if first_review is not None:     # 李审核 took a review before leaving: 周审核 finds it marked "for 李审核"
        runtime.claim_task(session, first_review, Actor(absent, now))
    on = local_date(now)
    name_backup(session, absent, backup.id, on, on + timedelta(days=4), '参加业务培训', Actor(chief, now))
    escalation.mark_due(session, 'demo-seed', now)
    session.flush()
