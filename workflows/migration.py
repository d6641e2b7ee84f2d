"""Move a running case to a newer version of its process, when every step it holds maps onto that version.

A case's state names the steps (task specs) it has reached. It can move to another version only if
each of those steps exists there with the same id and the same kind, and each waiting user task
keeps its role; then the state is restored onto the new version's spec, the open tasks' rows take
the new names and forms, and the move is audited with the administrator's reason. Otherwise the
move is refused with every reason found.
"""
from __future__ import annotations

from sqlalchemy import select, update
from SpiffWorkflow.util.task import TaskState as SpiffState

from . import audit, state
from .change import InstanceChange
from .definitions import loaded_definition
from .errors import N_, InvalidModel
from .models import CaseClock, HumanTask, InstanceState, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState

_OPEN = (InstanceStatus.running, InstanceStatus.waiting)


def _all_tasks(workflow):
    for process in (workflow, *workflow.subprocesses.values()):
        yield from process.tasks.values()


def _target_spec(target, process_name):
    return target.spec if target.spec.name == process_name else target.subprocess_specs.get(process_name)


def _step_reasons(task, target) -> list[str]:
    spec = _target_spec(target, task.workflow.spec.name)
    name = task.task_spec.bpmn_name or task.task_spec.name
    waiting = task.state in (SpiffState.READY, SpiffState.WAITING, SpiffState.STARTED)
    what = 'waiting step' if waiting else 'step'
    other = spec.task_specs.get(task.task_spec.name) if spec is not None else None
    if other is None:
        return [f'{what} {task.task_spec.name!r} ({name}) does not exist in the new version']
    if type(other) is not type(task.task_spec):
        return [f'{what} {task.task_spec.name!r} ({name}) is a {type(task.task_spec).__name__} here '
                f'but a {type(other).__name__} in the new version']
    if waiting and getattr(task.task_spec, 'manual', False) and other.lane != task.task_spec.lane:
        return [f'waiting task {task.task_spec.name!r} ({name}) moves from role {task.task_spec.lane!r} '
                f'to {other.lane!r}; tasks already waiting cannot change role']
    return []


def migration_problems(session, instance: ProcessInstance, target: ProcessDefinition) -> list[str]:
    """Why `instance` cannot move to `target` (an empty list: it can)."""
    current = instance.definition
    if target.key != current.key:
        return [f'version {target.version} belongs to process {target.key!r}, not {current.key!r}']
    if target.version <= current.version:
        return [f'the case is on version {current.version}; it can only move to a newer version']
    if instance.status not in _OPEN:
        return [f'the case is {instance.status.value}, not running']
    blob = session.get(InstanceState, instance.id).state
    workflow = state.restore(blob, loaded_definition(current))
    loaded = loaded_definition(target)
    reasons = sorted({r for task in _all_tasks(workflow) for r in _step_reasons(task, loaded)})
    clocks = session.scalars(select(CaseClock.name).where(CaseClock.instance_id == instance.id)).all()
    reasons += [f'the case has a clock {name!r} that the new version does not declare'
                for name in sorted(clocks) if name not in loaded.clocks]
    if not reasons:
        try:
            state.restore(state.dump(workflow), loaded)
        except Exception as exc:  # noqa: BLE001 -- any failure to rebuild the state is a reason to refuse
            reasons.append(f'the case state does not restore onto the new version: {type(exc).__name__}: {exc}')
    return reasons


def migrate(session, instance: ProcessInstance, target: ProcessDefinition, actor, reason: str) -> None:
    """Move one running case to `target`, audited with `reason`.

    :raises InvalidModel: the case cannot move; `problems` lists why. Nothing changes.
    :raises Conflict: the case changed meanwhile (the usual optimistic lock).
    """
    if not reason.strip():
        raise InvalidModel(N_('Give a reason for moving the case.'), ['reason: required'])
    problems = migration_problems(session, instance, target)
    if problems:
        raise InvalidModel(N_('This case cannot move to the new version.'), problems)
    old_version, loaded = instance.definition.version, loaded_definition(target)
    with InstanceChange(session, instance, actor, loaded=loaded) as change:
        change.workflow  # noqa: B018 -- restore the state onto the new spec; leaving the block saves it
        instance.definition = target
        session.execute(update(HumanTask).where(HumanTask.instance_id == instance.id)
                        .values(definition_id=target.id))    # the rows' copy of the case's definition
        _rename_open_tasks(session, instance, loaded)
        audit.record(session, actor, 'migrate', instance_id=instance.id, basis=reason.strip(),
                     data={'from_version': old_version, 'to_version': target.version})


def _rename_open_tasks(session, instance, loaded):
    """Open task rows show the new version's names and forms."""
    for element, meta in loaded.tasks.items():
        session.execute(update(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.spec_id == element,
                                                HumanTask.state == TaskState.ready)
                        .values(name=meta.name, form_name=meta.form, time_limit=meta.time_limit))
