"""Each step's opinion, visible to the later steps; and the form keywords that declare decisions.

A form marks the fields that carry a step's opinion with `"x-opinion": true` (意见, 理由, 依据 …) and
the choices that are final decisions with `"x-confirm": [values]` on the choice field (the task page
asks before submitting one of them). The opinions of a case are read from what each completion
recorded in the audit trail (the submitted values, who, for whom, when), so a step done twice shows
twice, each with its own words.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .models import AuditEvent, HumanTask


@dataclass(frozen=True)
class Opinion:
    """One completed step's decision and opinion fields, as submitted."""
    event: AuditEvent          # the completion (who: actor_name, for whom: data['on_behalf_of'], when: at)
    task: HumanTask
    decision: object           # the value of the step's decision field, or None
    fields: tuple[tuple[str, dict, object], ...]   # (field name, schema node, submitted value)


def opinion_fields(schema: dict) -> list[tuple[str, dict]]:
    """(name, node) of the fields a form marks as opinions."""
    return [(name, node) for name, node in (schema or {}).get('properties', {}).items() if node.get('x-opinion')]


def case_opinions(session, instance, loaded, until_task_id=None) -> list[Opinion]:
    """The opinions of the case's completed steps, oldest first; with `until_task_id`, only those
    given before that task was completed (all of them while it is open)."""
    rows = session.execute(select(AuditEvent, HumanTask).join(HumanTask, HumanTask.id == AuditEvent.task_id)
                           .where(AuditEvent.instance_id == instance.id, AuditEvent.action == 'complete')
                           .order_by(AuditEvent.id)).all()
    found = []
    for event, task in rows:
        if task.id == until_task_id:
            break
        meta = loaded.elements.get(task.spec_id)
        submitted = (event.data or {}).get('after') or {}
        if meta is None or not meta.form:
            continue
        fields = tuple((name, node, submitted[name]) for name, node in opinion_fields(loaded.forms.get(meta.form))
                       if submitted.get(name) not in (None, ''))
        decision = submitted.get(meta.decision_field)
        if fields or decision is not None:
            found.append(Opinion(event, task, decision, fields))
    return found


def check_forms(forms: dict) -> list[str]:
    """Problems with the decision keywords of a bundle's forms (a confirmed value that is no choice)."""
    problems = []
    for fname, schema in forms.items():
        for name, node in (schema.get('properties') or {}).items():
            if 'x-opinion' in node and node['x-opinion'] is not True:
                problems.append(f'{fname}: field {name!r}: x-opinion must be true')
            if 'x-confirm' not in node:
                continue
            choices = [True, False] if node.get('type') == 'boolean' else node.get('enum', [])
            values = node['x-confirm']
            if not isinstance(values, list) or not values or any(v not in choices for v in values):
                problems.append(f'{fname}: field {name!r}: x-confirm must list some of its choices '
                                f'({", ".join(map(str, choices)) or "it has none"})')
    return problems
