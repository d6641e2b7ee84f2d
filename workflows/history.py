"""Keep a running workflow's task tree small: drop finished history after every change.

Why: SpiffWorkflow 3.2 keeps every finished task in the tree. Each step then costs time linear in
the case's history (restore, run and dump walk the whole tree: 3.8 ms fresh, 50 ms after 300
rounds of a loop), and past depth 1,000 its task iterator (`util/task.py`, `max_depth=1000`) no
longer sees the ready tasks, so a loop after ~250–333 rounds "completes" without reaching its end
event; recursive ancestor walks (`Task.is_descendant_of`) raise RecursionError even earlier with
boundary timers or parallel joins. The case's history is kept elsewhere anyway: `human_task` rows,
the audit trail and `process_instance.path`. So after each change `prune` keeps only a small set K
of tasks and re-attaches every kept task to its nearest kept ancestor, in depth-first order:

1. the root: event subprocesses triggered by messages hang new branches off it;
2. every unfinished task (and the whole subtree of an unfinished loop or multi-instance task,
   which finds its instances among its children);
3. the parent of each task in (2): tasks inherit their parent's data when they become ready,
   joins read their inputs' parents, boundary and start-event joins find their split as an ancestor;
4. for each unfinished parallel or inclusive join, the finished instances of that join in its
   current activation and their parents (the tokens that already arrived; older activations are
   dropped, which also stops 3.2 counting a cancelled join of the previous round as a token);
5. `workflow.last_task`.

Only finished tasks are removed, and a finished task is never run or changed again, so nothing
that can still happen is lost. Task ids do not change (human_task rows point at them). Subprocesses
whose owning task was removed go too; live ones are pruned the same way. A completed workflow is
left as it is. Measured on a loop model (bench/bench_engine.py and the tests): the bare step stays
at ~0.5–0.9 ms and the state at ~0.8 KB after 1,000 rounds, against 50 ms and 45 KB after 300
unpruned. What it does not bound: the instances of a multi-instance activity still running
(breadth, capped by the sandbox at 1,000). Relies on SpiffWorkflow 3.2 internals (`_parent`,
`_children`, `tasks`, `event_manager.tasks`): keep 3.2 pinned; tests/workflows/test_history.py
guards an upgrade.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

_UNFINISHED = TaskState.NOT_FINISHED_MASK


def _parent(tasks, task):
    return tasks.get(task._parent) if task._parent is not None else None


def _subtree(tasks, task):
    stack, found = [task], []
    while stack:
        current = stack.pop()
        found.append(current.id)
        stack.extend(c for c in (tasks.get(i) for i in current._children) if c is not None)
    return found


def _live_and_parents(tasks, live) -> set:
    keep = set()
    for task in live:
        keep.add(task.id)
        parent = _parent(tasks, task)
        if parent is not None:
            keep.add(parent.id)
        if isinstance(task.task_spec, LoopTask):
            keep.update(_subtree(tasks, task))
    return keep


def _activation_scope(tasks, root, join):
    """(ancestor ids of `join`, the previous finished instance of its spec above it, or the root)."""
    ancestors, scope, current = set(), root, _parent(tasks, join)
    while current is not None:               # iterative: never recurse along a long parent chain
        ancestors.add(current.id)
        if current.task_spec is join.task_spec and scope is root:
            scope = current
        current = _parent(tasks, current)
    return ancestors, scope


def _inside(tasks, task, scope, root) -> bool:
    if scope is root:
        return True
    current = _parent(tasks, task)
    while current is not None:
        if current is scope:
            return True
        current = _parent(tasks, current)
    return False


def _arrived_tokens(tasks, root, live) -> set:
    """Finished instances of each waiting join in its current activation, with their parents."""
    joins = [t for t in live if isinstance(t.task_spec, UnstructuredJoin)]
    if not joins:
        return set()
    finished_by_spec = {}
    for task in tasks.values():
        if isinstance(task.task_spec, UnstructuredJoin) and not task._state & _UNFINISHED:
            finished_by_spec.setdefault(task.task_spec.name, []).append(task)
    keep = set()
    for join in joins:
        ancestors, scope = _activation_scope(tasks, root, join)
        for token in finished_by_spec.get(join.task_spec.name, ()):
            if token.id not in ancestors and _inside(tasks, token, scope, root):
                keep.add(token.id)
                parent = _parent(tasks, token)
                if parent is not None:
                    keep.add(parent.id)
    return keep


def _keep_set(workflow) -> set:
    tasks, root = workflow.tasks, workflow.task_tree
    live = [t for t in tasks.values() if t._state & _UNFINISHED]
    keep = {root.id} | _live_and_parents(tasks, live) | _arrived_tokens(tasks, root, live)
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        keep.add(workflow.last_task.id)
    return keep


def _rebuild(workflow, keep: set) -> list:
    """Re-link kept tasks to their nearest kept ancestor; delete the rest; return the removed tasks."""
    tasks, root = workflow.tasks, workflow.task_tree
    children, order, removed = {root.id: []}, [root], []
    stack = [(tasks[c], root.id) for c in reversed(root._children) if c in tasks]
    while stack:
        task, anchor = stack.pop()
        if task.id in keep:
            children[anchor].append(task.id)
            children[task.id] = []
            task._parent = anchor
            order.append(task)
            anchor = task.id
        else:
            removed.append(task)
        stack.extend((tasks[c], anchor) for c in reversed(task._children) if c in tasks)
    if removed:
        for task in order:
            task._children = children[task.id]
        workflow.tasks = {t.id: t for t in order}   # parents before children, as restore needs
        events = workflow.top_workflow.event_manager
        for task in removed:
            events.tasks.pop(task.id, None)
    return removed


def _orphaned(workflow, key, subprocess, removed_ids) -> bool:
    owner = subprocess.parent_task_id
    if key in removed_ids or owner in removed_ids:
        return True
    if owner in workflow.tasks:
        return False
    return not any(owner in other.tasks for other in workflow.subprocesses.values() if other is not subprocess)


def prune(workflow) -> int:
    """Drop finished history from a workflow and its live subprocesses; return how many tasks went."""
    if workflow.completed:
        return 0
    removed_ids = set()
    for wf in [workflow, *(sp for sp in workflow.subprocesses.values() if not sp.completed)]:
        removed_ids.update(t.id for t in _rebuild(wf, _keep_set(wf)))
    count = len(removed_ids)
    while True:
        orphans = [sid for sid, sp in workflow.subprocesses.items() if _orphaned(workflow, sid, sp, removed_ids)]
        if not orphans:
            return count
        for sid in orphans:
            subprocess = workflow.subprocesses.pop(sid)
            count += len(subprocess.tasks)
            removed_ids.update(subprocess.tasks)
            removed_ids.add(sid)
            for task_id in subprocess.tasks:
                workflow.event_manager.tasks.pop(task_id, None)
