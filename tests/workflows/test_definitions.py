"""Deploying models: versions, and bad uploads refused with every reason and nothing stored."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workflows import bundles, definitions
from workflows.errors import InvalidModel
from workflows.models import ProcessDefinition

from .helpers import register

ROOT = Path(__file__).resolve().parents[2]


def _bundle():
    return bundles.collect_bundle(ROOT / 'bpmn_models' / 'withdrawal.bpmn', ROOT / 'bpmn_models', ROOT / 'rules',
                                      ROOT / 'forms')


def _count(session):
    return session.scalar(select(func.count(ProcessDefinition.id)))


def test_redeploying_unchanged_bundle_keeps_the_version(session):
    before = _count(session)
    definition = definitions.deploy(session, _bundle())
    assert definition.version == 1 and _count(session) == before


def test_changed_bundle_is_a_new_version_and_running_cases_keep_theirs(session, user_named):
    instance = register(session, user_named('clerk'))
    files = _bundle()
    files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace('name="审核"', 'name="审核（新版）"')
    v2 = definitions.deploy(session, files)
    session.commit()
    assert v2.version == 2
    assert instance.definition.version == 1
    assert register(session, user_named('clerk'), withdrawal_type='repay_loan').definition.version == 2


@pytest.mark.parametrize('mutate, expected', [
    (lambda x: x.replace('</bpmn:definitions>', ''), 'well-formed'),
    (lambda x: '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     + x.split('?>', 1)[1], 'DOCTYPE'),
    (lambda x: x.replace('rule_decision == "reject"', '__import__("os").system("id")'), 'refused'),
    (lambda x: x.replace('decision = "approve"', 'import os\ndecision = "approve"'), 'refused'),
    (lambda x: x.replace('name="reviewer"', 'name="nobody"'), 'not a business role'),
    (lambda x: x.replace('name="cashier"', 'name="admin"'), 'not a business role'),
    (lambda x: x.replace('withdrawal_review.json', 'missing.json'), 'not in the bundle'),
    (lambda x: x.replace('value="2wd"', 'value="2 weeks"'), 'time limit'),
    (lambda x: x.replace('value="start,accept,await_materials"', 'value="ghost"'), 'unknown task'),
])
def test_bad_models_are_refused_with_a_reason_and_store_nothing(session, mutate, expected):
    files = _bundle()
    files['withdrawal.bpmn'] = mutate(files['withdrawal.bpmn'])
    before = _count(session)
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, files)
    text = str(info.value) + ' '.join(info.value.problems)
    assert expected in text
    assert _count(session) == before


def test_unsafe_dmn_rule_is_refused(session):
    files = _bundle()
    files['withdrawal_rules.dmn'] = files['withdrawal_rules.dmn'].replace(
        '<text>&lt;= 20000</text>', '<text>().__class__.__bases__</text>')
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, files)
    assert any('withdrawal_rules.dmn' in p and '__class__' in p for p in info.value.problems)


def test_invalid_form_schema_is_refused(session):
    files = _bundle()
    files['withdrawal_review.json'] = '{"type": "object", "properties": {"x": {"type": "nonsense"}}}'
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, files)
    assert any('withdrawal_review.json' in p for p in info.value.problems)


def test_a_model_failing_at_run_time_is_a_clear_error_and_stores_nothing(session, user_named):
    from workflows import runtime
    from workflows.actors import Actor
    from workflows.errors import ModelFailed
    from workflows.models import ProcessInstance
    files = _bundle()
    files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace('decision = "approve"', 'decision = 1 / 0')
    definitions.deploy(session, files)
    session.commit()
    with pytest.raises(ModelFailed, match='ZeroDivisionError|division'):
        runtime.start_instance(session, 'withdrawal', {'account_no': '100000000001', 'withdrawal_type': 'rent',
                                                       'amount': 100}, Actor(user_named('clerk')),
                               channel='online')
    session.rollback()
    assert session.scalar(select(func.count(ProcessInstance.id))) == 0


def test_unsafe_loop_condition_is_refused(session):
    files = _bundle()
    files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace(
        '<bpmn:incoming>flow_complete</bpmn:incoming>',
        '<bpmn:standardLoopCharacteristics><bpmn:loopCondition>__import__("os").system("id")</bpmn:loopCondition>'
        '</bpmn:standardLoopCharacteristics><bpmn:incoming>flow_complete</bpmn:incoming>', 1)
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, files)
    assert any('__import__' in p for p in info.value.problems)
