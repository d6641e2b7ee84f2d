"""Who may do what. Views, list queries and templates all ask these predicates, never their own.

- Who may **see** a case is one definition, `visible_to(user)`: an SQL condition used by the case
  list and, through `may_view_case`, by every per-case page.
- Who may **start** a process comes from the model: the lanes of its start event.
- Who may **work** a task: its lane's role, never an administrator or supervisor (管办分离), never
  a party to the case (matched by ID number), and never someone whose earlier step in the case the
  task's `separateFrom` names (`start` meaning whoever registered the case). Checked at claim and at
  completion.
- A **backup** (AB岗, `substitution`) acting for an absent colleague works the colleague's claimed
  tasks and role queues: the role is the colleague's, the party and separation checks are the
  backup's own (it is the backup who handles the step).
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, false, or_, select, true

from . import substitution
from .errors import N_, Conflict, NotAllowed
from .models import CaseParty, HumanTask, ProcessInstance, Substitution, TaskState, UserRole

NON_ACTING_ROLES = frozenset({'admin', 'supervisor'})
READ_ALL_ROLES = frozenset({'admin', 'supervisor'})


def may_act_on_business(user) -> bool:
    """Holders of admin or supervisor roles never complete business tasks."""
    return user.active and not (user.role_codes & NON_ACTING_ROLES)


def may_start(user, loaded) -> bool:
    """Whether `user` may register a case of this process (a role of its start event's lanes)."""
    return may_act_on_business(user) and bool(user.role_codes & loaded.start_roles)


def visible_to(user):
    """SQL condition on ProcessInstance: the cases `user` may see.

    Supervisors and administrators see every case; other staff see the cases they registered and
    those with a step they hold the role for, claimed or completed; a backup also sees the open
    steps of the colleagues they cover today (claimed by them or of their roles).
    """
    if not user.active:
        return false()
    if user.role_codes & READ_ALL_ROLES:
        return true()
    covered = select(Substitution.absent_id).where(Substitution.backup_id == user.id,
                                                  substitution.running(substitution.today()))
    covering = and_(HumanTask.state == TaskState.ready,
                    or_(HumanTask.claimed_by.in_(covered),
                        HumanTask.role_code.in_(select(UserRole.role_code).where(UserRole.user_id.in_(covered)))))
    involved = exists().where(HumanTask.instance_id == ProcessInstance.id,
                              or_(HumanTask.role_code.in_(sorted(user.role_codes)),
                                  HumanTask.completed_by == user.id, HumanTask.claimed_by == user.id, covering))
    return or_(ProcessInstance.started_by == user.id, involved)


def may_view_case(session, user, instance) -> bool:
    """Whether `user` may see `instance` (the same condition as the case list's)."""
    return session.scalar(select(exists().where(ProcessInstance.id == instance.id, visible_to(user)))) or False


_IS_PARTY = select(CaseParty.id).where(CaseParty.instance_id == bindparam('iid'),
                                       CaseParty.id_number == bindparam('idn')).limit(1)


def is_party(session, user, instance_id) -> bool:
    """Whether `user` is a party to the case (applicant, borrower, spouse, heir …)."""
    if not user.id_number:
        return False
    return session.connection().execute(_IS_PARTY, {'iid': instance_id, 'idn': user.id_number}).first() is not None


def check_not_party(session, user, instance_id):
    """Raise NotAllowed if `user` is a party to the case."""
    if is_party(session, user, instance_id):
        raise NotAllowed(N_('You may not handle a case in which you are a party.'))


_HANDLED_STEP = select(HumanTask.spec_id).where(
    HumanTask.instance_id == bindparam('iid'), HumanTask.spec_id.in_(bindparam('steps', expanding=True)),
    HumanTask.completed_by == bindparam('uid')).limit(1)


def _separation_violation(session, user, task, meta) -> str | None:
    if 'start' in meta.separate_from and task.instance.started_by == user.id:
        return 'start'
    steps = [s for s in meta.separate_from if s != 'start']
    if not steps:
        return None
    return session.connection().execute(_HANDLED_STEP, {'iid': task.instance_id, 'steps': steps,
                                                        'uid': user.id}).scalar()


def check_may_work(session, user, task, loaded, for_user=None):
    """Raise NotAllowed unless `user` (acting for `for_user`, if given) may claim or complete `task`.

    The role is checked against the colleague acted for; everything else against `user`. The
    task's state is checked separately (`check_task_open`).
    """
    meta = loaded.elements[task.spec_id]
    if not may_act_on_business(user) or (for_user is not None and not may_act_on_business(for_user)):
        raise NotAllowed(N_('Administrators and supervisors do not handle business tasks.'))
    if task.role_code not in (for_user or user).role_codes:
        raise NotAllowed(N_('This task belongs to the %(role)s role, which you do not hold.'), role=task.role_code)
    check_not_party(session, user, task.instance_id)
    clash = _separation_violation(session, user, task, meta)
    if clash:
        step = loaded.elements[clash].name if clash in loaded.elements else loaded.start.name
        raise NotAllowed(N_('Separation of duties: you handled step "%(step)s" of this case, '
                            'so you may not handle this step.'), step=step)


def check_task_open(task, user=None, for_user=None):
    """Raise Conflict if the task is no longer ready, or is claimed by someone other than `user`
    (or `for_user`, the colleague `user` acts for)."""
    if task.state != TaskState.ready:
        raise Conflict(N_('This task has already been handled.'))
    if user is not None and task.claimed_by not in (None, user.id, for_user.id if for_user else None):
        raise Conflict(N_('This task has been claimed by %(name)s.'), name=task.claimer.full_name)


def can_work(session, user, task, loaded) -> bool:
    """Template-friendly form of check_may_work + check_task_open (as oneself or as a backup)."""
    for_user = substitution.acting_for(session, user, task, substitution.today())
    try:
        check_task_open(task, user, for_user)
        check_may_work(session, user, task, loaded, for_user)
    except (NotAllowed, Conflict):
        return False
    return True
