"""Who may do what. Views, inbox queries and templates all ask these predicates, never their own.

Separation of duties is declared in the BPMN (`separateFrom` on a user task: ids of tasks — or
`start` for whoever registered the case — whose completer may not do this one) and enforced here
at claim and at completion. Administrators and supervisors never act on business (管办分离), and
nobody works on a case where they are the applicant (matched by ID number).
"""
from __future__ import annotations

from sqlalchemy import bindparam, select

from .errors import N_, Conflict, NotAllowed
from .models import HumanTask, TaskState

NON_ACTING_ROLES = frozenset({'admin', 'supervisor'})
READ_ALL_ROLES = frozenset({'admin', 'supervisor'})


def may_act_on_business(user) -> bool:
    """Holders of admin or supervisor roles never complete business tasks."""
    return user.active and not (user.role_codes & NON_ACTING_ROLES)


def may_register(user) -> bool:
    """Registering applications is window work (clerk)."""
    return may_act_on_business(user) and 'clerk' in user.role_codes


def may_view_case(user, instance, session) -> bool:
    """Supervisors and admins read everything; staff read cases they registered or worked on or can work on."""
    codes = user.role_codes
    if codes & READ_ALL_ROLES or instance.started_by == user.id:
        return True
    rows = session.execute(select(HumanTask.role_code, HumanTask.completed_by, HumanTask.claimed_by)
                           .where(HumanTask.instance_id == instance.id)).all()
    return any(role in codes or user.id in (done, claimed) for role, done, claimed in rows)


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


def check_may_work(session, user, task, loaded):
    """Raise NotAllowed unless `user` may claim or complete `task` (state is checked separately)."""
    meta = loaded.tasks[task.spec_id]
    if not may_act_on_business(user):
        raise NotAllowed(N_('Administrators and supervisors do not handle business tasks.'))
    if task.role_code not in user.role_codes:
        raise NotAllowed(N_('This task belongs to the %(role)s role, which you do not hold.'), role=task.role_code)
    applicant = task.instance.applicant_id_number
    if applicant and user.id_number and applicant == user.id_number:
        raise NotAllowed(N_('You may not handle a case in which you are the applicant.'))
    clash = _separation_violation(session, user, task, meta)
    if clash:
        step = loaded.tasks[clash].name if clash in loaded.tasks else loaded.start_name
        raise NotAllowed(N_('Separation of duties: you handled step "%(step)s" of this case, '
                            'so you may not handle this step.'), step=step)


def check_task_open(task, user=None):
    """Raise Conflict if the task is no longer ready, or is claimed by someone other than `user`."""
    if task.state != TaskState.ready:
        raise Conflict(N_('This task has already been handled.'))
    if user is not None and task.claimed_by not in (None, user.id):
        raise Conflict(N_('This task has been claimed by %(name)s.'), name=task.claimer.full_name)


def can_work(session, user, task, loaded) -> bool:
    """Template-friendly form of check_may_work + check_task_open."""
    try:
        check_task_open(task, user)
        check_may_work(session, user, task, loaded)
    except (NotAllowed, Conflict):
        return False
    return True
