"""The opinions panel of the task and case pages: each earlier step's decision and opinion, in words."""
from __future__ import annotations

from sqlalchemy import select

from workflows import opinions
from workflows.models import User

from .facts import actor_label
from .templating import decision_label, element_name, field_value, label


def panel(session, instance, loaded, until_task_id=None) -> list[dict]:
    """The rows of the panel, oldest first (see `workflows.opinions.case_opinions`)."""
    found = opinions.case_opinions(session, instance, loaded, until_task_id)
    usernames = {o.event.actor_name for o in found} | {(o.event.data or {}).get('on_behalf_of') for o in found}
    names = dict(session.execute(select(User.username, User.full_name)
                                 .where(User.username.in_(usernames - {None}))).all()) if found else {}
    return [{'task_id': o.task.id, 'step': element_name(loaded, o.task.spec_id, o.task.name),
             'who': actor_label(o.event, names), 'at': o.event.at, 'decision': decision_label(o.task),
             'fields': [(label(node, name), field_value(node, value)) for name, node, value in o.fields]}
            for o in found]
