"""Pruning finished history (workflows/history.py) keeps long cases correct and their state small.

Engine-level tests on loop models in tests/data/history/ (each loops around the user task `review`
while `n < limit`, then ends at `end`): restore -> complete a ready user task -> engine steps ->
prune -> dump, as InstanceChange does, with no database. They guard the SpiffWorkflow 3.2
internals that pruning relies on; rerun them before any upgrade.
"""
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows import history, state

MODELS = Path(__file__).resolve().parents[1] / 'data' / 'history'
MAX_TASKS = 40   # a pruned tree of these models never needs more than a few dozen tasks


def _all_tasks(workflow):
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _ready_user_tasks(workflow):
    return sorted((t for t in _all_tasks(workflow) if t.state == TaskState.READY and t.task_spec.manual),
                  key=lambda t: t.task_spec.name)


def _ended(workflow, name='end'):
    return any(t.task_spec.name == name and t.state == TaskState.COMPLETED for t in _all_tasks(workflow))


class Case:
    """A case of a loop model kept as a stored blob, driven one user task at a time."""

    def __init__(self, model, limit, prune=True, flip=False):
        parser = SpiffBpmnParser()
        parser.add_bpmn_xml(etree.parse(str(MODELS / f'{model}.bpmn')).getroot(), filename=f'{model}.bpmn')
        self.loaded = SimpleNamespace(spec=parser.get_spec('loop'), subprocess_specs=parser.get_subprocess_specs('loop'))
        self.prune, self.flip, self.rounds, self.max_tasks = prune, flip, 0, 0
        workflow = state.new_workflow(self.loaded)
        workflow.task_tree.data['limit'] = limit
        workflow.do_engine_steps()
        self._save(workflow)

    def _save(self, workflow):
        if self.prune:
            history.prune(workflow)
        self.max_tasks = max(self.max_tasks, sum(1 for _ in _all_tasks(workflow)))
        self.blob, self.workflow = state.dump(workflow), workflow

    def restore(self):
        return state.restore(self.blob, self.loaded)

    @property
    def done(self):
        return not _ready_user_tasks(self.workflow)

    def step(self, data=None):
        """Complete one ready user task (alternating ends of the list when `flip`) on a restored state."""
        workflow = self.restore()
        ready = _ready_user_tasks(workflow)
        task = ready[-1] if self.flip and self.rounds % 2 else ready[0]
        task.data.update(data(task) if data else {})
        task.run()
        workflow.do_engine_steps()
        self.rounds += 1
        self._save(workflow)

    def run(self, data=None, invariant=None):
        while not self.done:
            self.step(data)
            if invariant:
                invariant(self.workflow)
        return self.workflow


def test_a_1000_round_loop_reaches_its_end_with_a_small_tree():
    case = Case('simple', 1000)
    workflow = case.run()
    assert _ended(workflow) and workflow.data['n'] == 1000 and case.max_tasks < MAX_TASKS


@pytest.mark.slow
def test_without_pruning_spiffworkflow_calls_a_long_loop_complete_without_its_end():
    case = Case('simple', 400, prune=False)
    workflow = case.run()
    assert workflow.is_completed() and not _ended(workflow) and case.rounds < 400   # why history.py exists


def _branch_data(task):
    return {task.task_spec.name[0]: task.data['n']}    # left -> l, right -> r


def _join_waits_for_every_branch(workflow):
    ready = {t.task_spec.name for t in _ready_user_tasks(workflow)}
    assert not ('review' in ready and ready & {'left', 'right', 'mid'}), ready


@pytest.mark.slow
@pytest.mark.parametrize('model, limit', [('parallel', 1000), ('parallel3u', 200)])
def test_a_parallel_split_and_join_inside_a_loop_waits_for_every_branch(model, limit):
    case = Case(model, limit, flip=True)     # branch order flips every round
    workflow = case.run(_branch_data, _join_waits_for_every_branch)
    assert _ended(workflow) and workflow.data['n'] == limit and case.max_tasks < MAX_TASKS


def test_without_pruning_a_parallel_join_in_a_loop_fires_early_when_the_branch_order_flips():
    """SpiffWorkflow 3.2 counts a cancelled join of the previous round as an arrived token."""
    case, early = Case('parallel', 5, prune=False, flip=True), []
    while not case.done:
        case.step(_branch_data)
        try:
            _join_waits_for_every_branch(case.workflow)
        except AssertionError:
            early.append(case.rounds)
    assert early


def test_an_inclusive_split_and_join_inside_a_loop():
    case = Case('inclusive', 300, flip=True)
    workflow = case.run(invariant=_join_waits_for_every_branch)
    assert _ended(workflow) and workflow.data['n'] == 300
    assert case.rounds == 300 + 300 + 150     # review and a every round, b on even rounds


def _fire_timers(workflow, spec_name):
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    fired = [t for t in _all_tasks(workflow) if t.task_spec.name == spec_name and t.state == TaskState.WAITING]
    for task in fired:
        task.internal_data['event_value'] = past
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return len(fired)


def test_a_boundary_timer_on_the_looped_task_stays_armed_through_1000_pruned_rounds():
    case = Case('timer', 1000)
    workflow = case.run()
    assert _ended(workflow) and not _ended(workflow, 'end_timeout') and workflow.data['n'] == 1000
    assert case.max_tasks < MAX_TASKS and not workflow.event_manager.tasks   # no stale timers registered


def test_a_boundary_timer_still_fires_after_600_pruned_rounds():
    case = Case('timer', 1000)
    for _ in range(600):
        case.step()
    workflow = case.restore()
    assert _fire_timers(workflow, 'review_timeout') == 1
    assert _ended(workflow, 'end_timeout') and not _ended(workflow) and workflow.data['escalated'] is True


@pytest.mark.slow
def test_a_call_activity_inside_a_loop_keeps_only_live_subprocesses():
    case = Case('call', 1000)
    workflow = case.run()
    assert case.rounds == 2000 and _ended(workflow) and workflow.data['n'] == 1000
    assert case.max_tasks < MAX_TASKS and len(workflow.subprocesses) <= 2


def test_an_event_subprocess_off_the_root_survives_pruning():
    case = Case('event_subprocess', 1000)
    workflow = case.run()
    assert _ended(workflow) and workflow.last_task.data['n'] == 1000 and case.max_tasks < MAX_TASKS
    _fire_timers(workflow, 'esp_start')
    assert any(t.task_spec.name == 'esp_script' and t.state == TaskState.COMPLETED for t in _all_tasks(workflow))


@pytest.mark.parametrize('model, flip', [('simple', False), ('parallel', False), ('timer', False), ('call', False),
                                         ('event_subprocess', False), ('parallel3u', True)])
def test_pruned_and_unpruned_cases_behave_alike_where_3_2_is_right(model, flip):
    def trace(prune):
        case, seen = Case(model, 15, prune=prune, flip=flip), []
        while not case.done:
            case.step(_branch_data if model.startswith('parallel') else None)
            seen.append([(t.task_spec.name, sorted(t.data.items())) for t in _ready_user_tasks(case.workflow)])
        return seen, case.workflow.data
    assert trace(False) == trace(True)


def test_a_pruned_state_round_trips():
    case = Case('parallel3u', 50, flip=True)
    for _ in range(40):
        case.step(_branch_data)
    workflow = case.restore()
    again = state.restore(state.dump(workflow), case.loaded)
    assert {t.id: (t.data, t._parent) for t in workflow.tasks.values()} == {
        t.id: (t.data, t._parent) for t in again.tasks.values()}
