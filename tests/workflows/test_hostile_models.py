"""Hostile models: refused at deploy with a precise message, or failing cleanly when they run.

Each case starts from the loop model (tests/data/processes/loop.bpmn) with one piece replaced. What
must hold every time: a clear domain error (InvalidModel at deploy, ModelFailed when run), nothing
written, and the process still serving the next case.
"""
import re

import pytest
from sqlalchemy import func, select

from tests.factories import actor, bundle_of, make_user
from workflows import change, definitions, runtime
from workflows.errors import InvalidModel, ModelFailed
from workflows.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance

SCRIPT = '<bpmn:script>n = n + 1</bpmn:script>'
CONDITION = '<bpmn:conditionExpression>n &lt; rounds</bpmn:conditionExpression>'


def _script(code):
    return SCRIPT, f'<bpmn:script>{code}</bpmn:script>'


def _loop_on_count(xml):
    return '<bpmn:outgoing>f5</bpmn:outgoing>', '<bpmn:outgoing>f5</bpmn:outgoing>' + xml


def _timer_on_step(expression):
    return ('<bpmn:sequenceFlow id="f4" sourceRef="step" targetRef="count" />',
            '<bpmn:sequenceFlow id="f4" sourceRef="step" targetRef="count" />'
            '<bpmn:boundaryEvent id="remind" attachedToRef="step" cancelActivity="false">'
            f'<bpmn:timerEventDefinition><bpmn:timeDuration>{expression}</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:boundaryEvent>')


def _mutated(old, new):
    bundle = bundle_of('loop')
    assert old in bundle['loop.bpmn'], old
    bundle['loop.bpmn'] = bundle['loop.bpmn'].replace(old, new, 1)
    return bundle


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in
                 (ProcessDefinition, ProcessInstance, HumanTask, AuditEvent))


def _healthy(session, clerk):
    """The next, harmless case still runs (the process and its session survived)."""
    bundle = bundle_of('loop')
    definitions.deploy(session, bundle)
    session.commit()
    instance = runtime.start_instance(session, 'loop', {'rounds': 2}, actor(clerk))
    session.commit()
    assert instance.data['n'] == 0


REFUSED_AT_DEPLOY = {
    '10 ** 10 ** 10': (_script('n = 10 ** 10 ** 10'), r'(?i)too large|exceed|limit'),
    '100,000-term expression': ((CONDITION, '<bpmn:conditionExpression>' + ' + '.join(['n'] * 100_000)
                                 + ' &lt; rounds</bpmn:conditionExpression>'), r'(?i)too (long|large|many)|limit'),
    'multi-instance of 10^8': (_loop_on_count('<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
                                              '<bpmn:loopCardinality>100000000</bpmn:loopCardinality>'
                                              '</bpmn:multiInstanceLoopCharacteristics>'), r'(?i)instances|limit'),
    'timer P999999999999D': (_timer_on_step('"P999999999999D"'), r'(?i)timer|duration'),
    'timer not-a-duration': (_timer_on_step('"not-a-duration"'), r'(?i)timer|duration|ISO'),
    'while loop': (_script('while True:\n    n = n + 1'), r'while'),
    'import': (_script('import os'), r'import'),
}


@pytest.mark.parametrize('name', sorted(REFUSED_AT_DEPLOY))
def test_hostile_models_are_refused_at_deploy(session, name):
    (old, new), message = REFUSED_AT_DEPLOY[name]
    before = _counts(session)
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, _mutated(old, new))
    session.rollback()
    assert re.search(message, ' '.join(info.value.problems)), info.value.problems
    assert _counts(session) == before


FAILING_AT_RUN = {
    'raise SystemExit': _script('raise SystemExit(1)'),
    'raise KeyboardInterrupt': _script('raise KeyboardInterrupt()'),
    '10 ** 10 ** rounds': _script('n = 10 ** 10 ** rounds'),
    'a loop over a list it grows': _script('items = [1]\nfor x in items:\n    items.append(x)'),
    'a string doubled in a loop': _script('s = "ab"\nfor i in range(64):\n    s = s + s'),
    'nested loops burning CPU': _script('t = 0\nfor i in range(10000):\n    for j in range(10000):\n        t = t + 1'),
    'a standard loop whose condition never ends': _loop_on_count(   # SpiffWorkflow loops while it holds
        '<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>'
        '</bpmn:standardLoopCharacteristics>'),
    'multi-instance cardinality from data': _loop_on_count(
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>rounds * 1000'
        '</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'),
    'timer computed from data': _timer_on_step('"P" + str(rounds) + "99999999D"'),
    'data too large to store': _script('n = n + 1\nblob = ["%05d" % i * 40 for i in range(5000)]'),
}


@pytest.fixture
def small_run_budget():
    """One change may run 2,000 engine steps or 1 s (the default is larger; the rule is the same)."""
    saved = dict(change.RUN_BUDGET)
    change.set_run_budget(2_000, 1.0)
    yield
    change.set_run_budget(**saved)


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(FAILING_AT_RUN))
def test_hostile_models_fail_cleanly_when_they_run(session, name, small_run_budget):
    clerk = make_user(session, 'clerk')
    session.commit()
    definitions.deploy(session, _mutated(*FAILING_AT_RUN[name]))
    session.commit()
    before = _counts(session)
    with pytest.raises(ModelFailed):
        instance = runtime.start_instance(session, 'loop', {'rounds': 100_000}, actor(clerk))
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
        runtime.complete_task(session, task.id, {}, actor(clerk))   # the script runs after the first step
    session.rollback()
    assert _counts(session) == before
    _healthy(session, clerk)
