"""Named queries over the projections, shared by the inbox, the case list, dashboards and the API.

Each returns a SQLAlchemy select; callers add paging. None of them touches the workflow blob.
Visibility and "due soon" come from their one definition (`permissions.visible_to`,
`deadlines.due_soon_until`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, or_, select

from .models import CaseParty, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState, User
from .records import account_holder
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
    most urgent first. Tasks of suspended cases are left out: nobody may claim them until the case
    resumes (the holder of a claimed one still sees it in the inbox, marked)."""
    roles = set(user.role_codes).union(*(u.role_codes for u in covering))
    suspended = select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.suspended)
    return (select(HumanTask).where(HumanTask.state == TaskState.ready, HumanTask.claimed_by.is_(None),
                                    HumanTask.role_code.in_(sorted(roles)), HumanTask.instance_id.not_in(suspended))
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


@dataclass(frozen=True)
class CaseSearch:
    """What the case list asks for; every part is optional. Dates are naive UTC bounds."""
    text: str = ''
    status: str = ''
    process: str = ''
    kind: tuple[str, str, str] | None = None      # (process key, case-data field, value): the declared type
    registered_from: datetime | None = None        # inclusive
    registered_before: datetime | None = None      # exclusive
    sort: str = '-registered'


_STATUS_ORDER = case({s: i for i, s in enumerate(('running', 'waiting', 'suspended', 'error', 'terminated',
                                                  'completed'))}, value=ProcessInstance.status, else_=9)
# Sortable columns: name -> (expressions ascending); '-name' reverses them. Nothing else is accepted.
CASE_SORTS = {
    'case': (ProcessInstance.business_key,),
    'registered': (ProcessInstance.started_at, ProcessInstance.id),
    'status': (_STATUS_ORDER, ProcessInstance.started_at, ProcessInstance.id),
    'due': (ProcessInstance.due_date.is_(None), ProcessInstance.due_date, ProcessInstance.id),
}


def case_order(sort: str):
    """ORDER BY terms for a whitelisted sort key ('due', '-registered' …); unknown keys sort newest first."""
    name, descending = sort.removeprefix('-'), sort.startswith('-')
    if name not in CASE_SORTS:
        name, descending = 'registered', True
    terms = CASE_SORTS[name]
    if name == 'due':   # cases without a running deadline stay last both ways
        return (terms[0], terms[1].desc() if descending else terms[1], terms[2])
    return tuple(t.desc() for t in terms) if descending else terms


def _text_match(text: str):
    """Case number or a party's name (contains), a party's ID number or fund account number (exact)."""
    like = dict(autoescape=True)
    parties = select(CaseParty.instance_id).where(or_(
        CaseParty.name.icontains(text, **like), CaseParty.id_number == text.upper(),
        CaseParty.id_number.in_(account_holder(text))))
    return or_(ProcessInstance.business_key.icontains(text, **like),
               ProcessInstance.applicant_name.icontains(text, **like), ProcessInstance.title.icontains(text, **like),
               ProcessInstance.id.in_(parties))


def cases(user, search: CaseSearch = CaseSearch()):
    """Cases the user may see, filtered and sorted as `search` says."""
    query = select(ProcessInstance).where(visible_to(user)).order_by(*case_order(search.sort))
    text = search.text.strip()
    if text:
        query = query.where(_text_match(text))
    if search.status in InstanceStatus.__members__:
        query = query.where(ProcessInstance.status == InstanceStatus[search.status])
    for key in filter(None, (search.process, search.kind[0] if search.kind else '')):
        query = query.where(ProcessInstance.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key)))
    if search.kind:
        query = query.where(ProcessInstance.data[search.kind[1]].as_string() == search.kind[2])
    if search.registered_from:
        query = query.where(ProcessInstance.started_at >= search.registered_from)
    if search.registered_before:
        query = query.where(ProcessInstance.started_at < search.registered_before)
    return query
