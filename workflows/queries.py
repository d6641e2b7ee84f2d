"""Named queries over the projections, shared by the inbox, the case list, dashboards and the API.

Each returns a SQLAlchemy select; callers add paging. None of them touches the workflow blob.
Visibility and "due soon" come from their one definition (`permissions.visible_to`,
`deadlines.due_soon_until`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from .models import CaseParty, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState, User
from .permissions import visible_to

_DUE_ORDER = (HumanTask.due_date.is_(None), HumanTask.due_date, HumanTask.created_at, HumanTask.id)


def inbox(user, covering=()):
    """Ready tasks the user has claimed, and those claimed by the colleagues in `covering` (AB岗:
    `substitution.covered_users`), most urgent first."""
    holders = [user.id, *(u.id for u in covering)]
    return (select(HumanTask).where(HumanTask.state == TaskState.ready, HumanTask.claimed_by.in_(holders))
            .order_by(*_DUE_ORDER))


def queue(user, covering=()):
    """Ready, unclaimed tasks of the user's roles and of the roles of the colleagues in `covering`,
    most urgent first."""
    roles = set(user.role_codes).union(*(u.role_codes for u in covering))
    return (select(HumanTask).where(HumanTask.state == TaskState.ready, HumanTask.claimed_by.is_(None),
                                    HumanTask.role_code.in_(sorted(roles)))
            .order_by(*_DUE_ORDER))


def team_claimed(team_id):
    """Ready tasks claimed by members of a team (a chief's view for reassigning), most urgent first."""
    return (select(HumanTask).join(User, User.id == HumanTask.claimed_by)
            .where(HumanTask.state == TaskState.ready, User.team_id == team_id).order_by(*_DUE_ORDER))


def done(user):
    """Tasks the user completed, newest first."""
    return (select(HumanTask).where(HumanTask.completed_by == user.id)
            .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()))


def party_cases(user, instance):
    """Other cases the user may see about a party of `instance` (the same ID or organisation code):
    the history a decision on this one needs, newest first."""
    numbers = select(CaseParty.id_number).where(CaseParty.instance_id == instance.id)
    return (select(ProcessInstance).where(
        visible_to(user), ProcessInstance.id != instance.id,
        ProcessInstance.id.in_(select(CaseParty.instance_id).where(CaseParty.id_number.in_(numbers))))
        .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc()))


def overdue(today: date):
    """Ready tasks past their due date."""
    return (select(HumanTask).where(HumanTask.state == TaskState.ready, HumanTask.due_date < today)
            .order_by(*_DUE_ORDER))


def due_soon(today: date, until: date):
    """Ready tasks due between today and `until` (deadlines.due_soon_until) inclusive."""
    return (select(HumanTask).where(HumanTask.state == TaskState.ready, HumanTask.due_date >= today,
                                    HumanTask.due_date <= until).order_by(*_DUE_ORDER))


def cases(user, text: str = '', status: str = '', process: str = ''):
    """Cases the user may see, newest first, optionally filtered by text, status and process key."""
    query = (select(ProcessInstance).where(visible_to(user))
             .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc()))
    if text:
        like = f'%{text.strip()}%'
        query = query.where(or_(ProcessInstance.business_key.like(like), ProcessInstance.applicant_name.like(like),
                                ProcessInstance.title.like(like)))
    if status in InstanceStatus.__members__:
        query = query.where(ProcessInstance.status == InstanceStatus[status])
    if process:
        query = query.where(ProcessInstance.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key == process)))
    return query
