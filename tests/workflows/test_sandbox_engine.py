"""Model code is bounded where SpiffWorkflow uses its values: cardinalities, timers, DMN entries.

Each test is one hostile case from the specification (the numbers follow it), run through a real
workflow with our engine. Our errors reach the caller wrapped by SpiffWorkflow, with the original in
``.exception`` (found by model_code_error). The budget is shrunk as in test_sandbox_budget.py.
"""
import re

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows.modelcheck import check_expression
from workflows.scripting import (MAX_INSTANCES, BudgetExceeded, GuardedScriptEngine, InvalidTimer,
                                 RestrictedEnvironment, UnsafeCode, create_script_engine, model_code_error)

from .test_sandbox_budget import small_budget  # noqa: F401 -- autouse fixture


@pytest.fixture
def env():
    return RestrictedEnvironment()


# 6. Multi-instance cardinality -------------------------------------------------------------------

MULTI_INSTANCE = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each"/>
    <bpmn:scriptTask id="each"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="{sequential}">
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>'''

TIMER = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="t"><bpmn:{kind} xsi:type="bpmn:tFormalExpression">when</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>'''


def run_workflow(xml, data):
    """Run a one-process BPMN snippet with our engine; return the workflow."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode())
    workflow = BpmnWorkflow(parser.get_spec('p'), script_engine=create_script_engine())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return workflow


def test_create_script_engine_is_guarded_and_subclassable():
    engine = create_script_engine()
    assert isinstance(engine, GuardedScriptEngine)
    assert isinstance(engine.environment, RestrictedEnvironment)

    class WithServices(GuardedScriptEngine):
        def call_service(self, task, operation_name, operation_params, **kwargs):
            return operation_name

    copy = type('ModelScriptEngine', (WithServices,), {})(environment=engine.environment)
    assert copy.environment is engine.environment and copy.call_service(None, 'op', {}) == 'op'


@pytest.mark.parametrize('sequential', ['false', 'true'])
def test_small_cardinality_runs(sequential):
    workflow = run_workflow(MULTI_INSTANCE.format(sequential=sequential, cardinality='n', script='done = 1'),
                            {'n': 3})
    assert workflow.is_completed()


@pytest.mark.parametrize('sequential', ['false', 'true'])
def test_huge_cardinality_from_data_refused_at_run_time(sequential):
    xml = MULTI_INSTANCE.format(sequential=sequential, cardinality='n', script='done = 1')
    with pytest.raises(Exception) as info:
        run_workflow(xml, {'n': 10 ** 8})
    error = model_code_error(info.value)
    assert isinstance(error, BudgetExceeded) and (error.budget, error.limit) == ('instances', MAX_INSTANCES)
    assert f'the limit is {MAX_INSTANCES:,}' in str(info.value)
    assert info.value.exception is error and info.value.__cause__ is error


def test_constant_huge_cardinality_refused_at_deploy():
    with pytest.raises(UnsafeCode, match=f'instances budget exceeded: .* the limit is {MAX_INSTANCES:,}'):
        check_expression('cardinality', '100000000')
    with pytest.raises(UnsafeCode, match='instances budget exceeded'):
        check_expression('cardinality', '10 ** 8')
    with pytest.raises(UnsafeCode, match='whole number'):
        check_expression('cardinality', '"5"')
    check_expression('cardinality', '5')
    check_expression('cardinality', 'len(reviewers)')


def test_script_task_running_away_surfaces_through_spiffworkflow():
    xml = MULTI_INSTANCE.format(sequential='false', cardinality='1',
                                script='for i in range(10000):\n  for j in range(10000):\n    pass')
    with pytest.raises(Exception) as info:
        run_workflow(xml, {})
    error = model_code_error(info.value)
    assert isinstance(error, BudgetExceeded) and error.budget == 'time'
    assert info.value.exception is error


# 7. Timers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize('kind, value, error, message', [
    ('timeDuration', 'P999999999999D', BudgetExceeded, 'timer budget exceeded: .* the limit is 3,660 days'),
    ('timeDuration', 'P999999999M', BudgetExceeded, 'timer budget exceeded'),
    ('timeDuration', 'not-a-duration', InvalidTimer, 'not an ISO 8601 duration'),
    ('timeDate', 'not-a-duration', InvalidTimer, 'not an ISO 8601 date and time'),
    ('timeDate', '9999-01-01T00:00:00', BudgetExceeded, 'timer budget exceeded'),
    ('timeDate', 'P3D', InvalidTimer, 'is a duration'),
    ('timeCycle', 'R/P999999999M', BudgetExceeded, 'timer budget exceeded'),
    ('timeCycle', 'R/PT0S', InvalidTimer, 'interval of zero'),
    ('timeCycle', 'every day', InvalidTimer, 'not an ISO 8601 repeating interval'),
])
def test_bad_timer_values_refused_at_run_time(kind, value, error, message):
    with pytest.raises(Exception) as info:
        run_workflow(TIMER.format(kind=kind), {'when': value})
    assert isinstance(model_code_error(info.value), error)
    assert info.value.exception is model_code_error(info.value)
    assert re.search(message, str(info.value))  # SpiffWorkflow's message includes ours


@pytest.mark.parametrize('kind, value', [('timeDuration', 'PT1H'), ('timeDate', '2030-01-31T09:00:00'),
                                         ('timeCycle', 'R3/PT1H')])
def test_good_timers_wait(kind, value):
    workflow = run_workflow(TIMER.format(kind=kind), {'when': value})
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.WAITING)] == ['wait']


@pytest.mark.parametrize('kind, source, message', [
    ('timer duration', '"P999999999999D"', 'timer budget exceeded: .* the limit is 3,660 days'),
    ('timer duration', '"not-a-duration"', 'not an ISO 8601 duration'),
    ('timer date', '"not-a-duration"', 'not an ISO 8601 date'),
    ('timer cycle', '"R/P999999999M"', 'timer budget exceeded'),
    ('timer', '"P999999999999D"', 'timer budget exceeded'),
    ('timer duration', '5', 'must evaluate to ISO 8601 text'),
])
def test_constant_bad_timers_refused_at_deploy(kind, source, message):
    with pytest.raises(UnsafeCode, match=message):
        check_expression(kind, source)


def test_good_and_computed_timers_pass_deploy():
    for kind, source in [('timer duration', '"P3D"'), ('timer date', '"2030-01-31T09:00:00+08:00"'),
                         ('timer cycle', '"R3/PT1H"'), ('timer duration', 'delay')]:
        check_expression(kind, source)


# DMN entries go through the same environment -------------------------------------------------------

def test_dmn_entries_are_checked_and_bounded(env):
    check_expression('dmn rule', '<= 20000')
    with pytest.raises(UnsafeCode, match='size budget exceeded'):
        check_expression('dmn rule', '"a" * 10**10')
    with pytest.raises(UnsafeCode, match='characters long'):
        check_expression('dmn rule', '1 + ' * 100000 + '1')
    with pytest.raises(UnsafeCode, match='characters long'):
        check_expression('dmn input', '1 + ' * 100000 + '1')
    assert env.evaluate('(dmninputexpr) <= 20000', {}, {'dmninputexpr': 15000}) is True


def test_script_errors_with_non_text_arguments_are_wrapped():
    xml = MULTI_INSTANCE.format(sequential='false', cardinality='1', script='x = {}[5]')
    with pytest.raises(Exception) as info:
        run_workflow(xml, {})
    assert type(info.value).__name__ == 'WorkflowTaskException'
    assert isinstance(info.value.exception, KeyError) and model_code_error(info.value) is None
