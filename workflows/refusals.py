"""The 否定报备 register: every refusal, with its reason, basis, who refused and who confirmed it.

What counts as a refusal is declared by each process model, in properties of its process element
(nothing process-specific lives here):

- ``refusal.outcomes``: outcome codes of end events that mean "refused" (comma-separated);
- ``refusal.decisions``: the steps whose value decides a refusal, as ``step:field=value`` entries
  separated by spaces or commas (e.g. ``review:decision=reject``);
- ``refusal.confirmedBy``: steps whose completion confirms a refusal (否定报备), comma-separated;
- ``refusal.reasonField``, ``refusal.basisField``: case-data fields holding the refusal's reason and
  basis, whichever way it was decided (optional).

A case is in the register once it closed with a refusal outcome or while it waits at a
confirming step. Who refused are the completers of the deciding steps whose value matched; the
reason and basis are the ones the last of them gave (the step's `reasonField`/`basisField`); for a
refusal decided by rules (nobody refused in person), the case-data fields named by the process, or
else the ones recorded when the case closed (also when a refusing step gave none). A refusal is dated by the refusing step's completion,
else by the closing, else by the moment the confirming step opened.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select, union

from .definitions import loaded_definition
from .sqltime import utc_start_of
from .models import (AuditEvent, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState,
                     User)


@dataclass(frozen=True)
class RefusalRules:
    outcomes: frozenset[str] = frozenset()
    decisions: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)   # step → (field, values)
    confirm_steps: frozenset[str] = frozenset()
    reason_field: str | None = None
    basis_field: str | None = None

    @property
    def declared(self) -> bool:
        return bool(self.outcomes or self.decisions)


def _items(text: str) -> list[str]:
    return [part for part in text.replace(',', ' ').split() if part]


def rules_of(properties: dict) -> RefusalRules:
    """The refusal declarations of a process from its properties (see the module docstring)."""
    decisions: dict[str, tuple[str, set[str]]] = {}
    for entry in _items(properties.get('refusal.decisions', '')):
        step, _, rest = entry.partition(':')
        name, _, value = rest.partition('=')
        if step and name and value:
            decisions.setdefault(step, (name, set()))[1].add(value)
    return RefusalRules(outcomes=frozenset(_items(properties.get('refusal.outcomes', ''))),
                        decisions={s: (n, frozenset(v)) for s, (n, v) in decisions.items()},
                        confirm_steps=frozenset(_items(properties.get('refusal.confirmedBy', ''))),
                        reason_field=properties.get('refusal.reasonField') or None,
                        basis_field=properties.get('refusal.basisField') or None)


def _rules_by_definition(session, process: str | None) -> dict[int, tuple[ProcessDefinition, RefusalRules]]:
    query = select(ProcessDefinition)
    if process:
        query = query.where(ProcessDefinition.key == process)
    result = {}
    for definition in session.scalars(query):
        rules = rules_of(definition.properties or {})
        if rules.declared:
            result[definition.id] = (definition, rules)
    return result


def _candidates(session, by_definition, start_utc=None, end_utc=None):
    """Cases closed with a refusal outcome (inside the range) or waiting at a confirming step, and
    the query of their ids (for the queries of their history: a subquery, not a list of ids).

    The two kinds are selected apart and united, so that each uses its index (closed cases by
    closing time, ready tasks by process and step); one OR over both made PostgreSQL read every
    closed case."""
    closed, waiting = [], []
    for definition_id, (_, rules) in by_definition.items():
        if rules.outcomes:
            closed.append(and_(ProcessInstance.definition_id == definition_id,
                               ProcessInstance.outcome.in_(sorted(rules.outcomes))))
        if rules.confirm_steps:
            waiting.append(and_(HumanTask.definition_id == definition_id,
                                HumanTask.spec_id.in_(sorted(rules.confirm_steps))))
    parts = []
    if closed:
        in_range = [ProcessInstance.closed_at >= start_utc] if start_utc else []
        in_range += [ProcessInstance.closed_at < end_utc] if end_utc else []
        parts.append(select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.completed,
                                                      or_(*closed), *in_range))
    if waiting:
        parts.append(select(HumanTask.instance_id).where(HumanTask.state == TaskState.ready, or_(*waiting)))
    if not parts:
        return [], None
    ids = union(*parts)
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))
                                .order_by(ProcessInstance.closed_at.desc().nulls_first(),
                                          ProcessInstance.id.desc()))), ids


_TASK_COLUMNS = (HumanTask.id, HumanTask.instance_id, HumanTask.spec_id, HumanTask.state, HumanTask.created_at,
                 HumanTask.completed_by, HumanTask.completed_at)


def _history(session, ids, deciding_steps):
    """For the cases whose ids the query `ids` selects: their tasks (completed ones first, in order),
    the 'complete' audit events of their deciding steps, and their 'close' events."""
    tasks, completes, closes = defaultdict(list), {}, {}
    for task in session.execute(select(*_TASK_COLUMNS).where(HumanTask.instance_id.in_(ids),
                                                             HumanTask.state != TaskState.cancelled)
                                .order_by(HumanTask.completed_at.is_(None), HumanTask.completed_at,
                                          HumanTask.id)):
        tasks[task.instance_id].append(task)
    if deciding_steps:   # by case (audit_event is indexed by case), then by task
        deciding = select(HumanTask.id).where(HumanTask.instance_id.in_(ids),
                                              HumanTask.state == TaskState.completed,
                                              HumanTask.spec_id.in_(sorted(deciding_steps)))
        for event in session.scalars(select(AuditEvent).where(AuditEvent.instance_id.in_(ids),
                                                              AuditEvent.action == 'complete',
                                                              AuditEvent.task_id.in_(deciding))):
            completes[event.task_id] = event
    for event in session.scalars(select(AuditEvent).where(AuditEvent.instance_id.in_(ids),
                                                          AuditEvent.action == 'close')):
        closes[event.instance_id] = event
    return tasks, completes, closes


def _entry(instance, definition, rules, names, tasks, completes, close):
    loaded = loaded_definition(definition)
    refusers, confirmers, reason, basis, decided_at, confirmed_at = [], [], None, None, None, None
    opened_at = None
    for task in tasks:
        if task.state == TaskState.ready:
            if task.spec_id in rules.confirm_steps:
                opened_at = task.created_at
            continue
        event = completes.get(task.id)
        values = (event.data or {}).get('after', {}) if event else {}
        if task.spec_id in rules.decisions:
            name, refusing = rules.decisions[task.spec_id]
            if str(values.get(name)) in refusing:
                meta = loaded.elements.get(task.spec_id)
                refusers.append(task.completed_by)
                decided_at = task.completed_at
                reason = values.get(meta.reason_field) if meta else None
                basis = (event.basis if event else None) or (values.get(meta.basis_field) if meta else None)
        if task.spec_id in rules.confirm_steps:
            confirmers.append(task.completed_by)
            confirmed_at = task.completed_at
    # Not given by a refusing step (decided by rules, or by votes without reasons): the case's refusal
    # fields, else the values recorded when the case closed.
    data = instance.data or {}
    reason = reason or (data.get(rules.reason_field) if rules.reason_field else None)
    basis = basis or (data.get(rules.basis_field) if rules.basis_field else None)
    if close is not None:
        reason, basis = reason or (close.data or {}).get('reason'), basis or close.basis
        decided_at = decided_at or close.at
    decided_at = decided_at or opened_at
    return {'instance_id': instance.id, 'case': instance.business_key, 'process': definition.key,
            'process_name': definition.name, 'title': instance.title,
            'state': 'refused' if instance.status == InstanceStatus.completed else 'awaiting_confirmation',
            'decided_at': decided_at, 'closed_at': instance.closed_at,
            'refused_by_ids': [u for u in refusers if u], 'refused_by': [names.get(u, '') for u in refusers if u],
            'reason': reason, 'basis': basis,
            'confirmed_by_ids': [u for u in confirmers if u],
            'confirmed_by': [names.get(u, '') for u in confirmers if u], 'confirmed_at': confirmed_at}


def register(session, f) -> list[dict]:
    """Every refusal matching the filters (a `stats.Filters`), the newest first.

    The date range applies to the day the case closed (refusals still awaiting confirmation are always
    listed); team and person select refusals in which a member took part (refused or confirmed).
    """
    by_definition = _rules_by_definition(session, f.process)
    start_utc = utc_start_of(f.start) if f.start else None
    end_utc = utc_start_of(f.end + timedelta(days=1)) if f.end else None
    instances, ids = _candidates(session, by_definition, start_utc, end_utc)
    if not instances:
        return []
    names = dict(session.execute(select(User.id, User.full_name)).all())
    members = None
    if f.team_id is not None:
        members = set(session.scalars(select(User.id).where(User.team_id == f.team_id)))
    if f.user_id is not None:
        members = {f.user_id} if members is None else members & {f.user_id}
    deciding_steps = {step for _, rules in by_definition.values() for step in rules.decisions}
    tasks, completes, closes = _history(session, ids, deciding_steps)
    rows = []
    for instance in instances:
        definition, rules = by_definition[instance.definition_id]
        row = _entry(instance, definition, rules, names, tasks[instance.id], completes, closes.get(instance.id))
        if members is not None and not members & set(row['refused_by_ids'] + row['confirmed_by_ids']):
            continue
        rows.append(row)
    return rows
