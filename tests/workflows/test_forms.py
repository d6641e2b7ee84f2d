"""Server-side form validation against the task's JSON Schema."""
import pytest

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import FormInvalid
from workflows.models import AuditEvent, TaskState

from .helpers import complete, open_task, register


def test_rejection_without_reason_and_basis_lists_both_fields(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    task = open_task(session, instance, 'review')
    events_before = session.query(AuditEvent).count()
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, task.id, {'decision': 'reject'}, Actor(user_named('reviewer')))
    assert set(info.value.errors) == {'reason', 'basis'}
    session.rollback()
    assert open_task(session, instance, 'review').state == TaskState.ready
    assert session.query(AuditEvent).count() == events_before


def test_incomplete_materials_need_the_missing_list(session, user_named):
    instance = register(session, user_named('clerk'))
    task = open_task(session, instance, 'accept')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, task.id, {'materials_complete': False}, Actor(user_named('clerk')))
    assert list(info.value.errors) == ['missing_items']


def test_start_form_errors_per_field(session, user_named):
    with pytest.raises(FormInvalid) as info:
        runtime.start_instance(session, 'withdrawal', {'account_no': '12', 'amount': -5,
                                                       'withdrawal_type': 'lottery'}, Actor(user_named('clerk')))
    assert set(info.value.errors) == {'account_no', 'amount', 'withdrawal_type'}


def test_unknown_account_is_a_field_error(session, user_named):
    with pytest.raises(FormInvalid) as info:
        runtime.start_instance(session, 'withdrawal', {'account_no': '999999999999', 'amount': 5,
                                                       'withdrawal_type': 'rent'}, Actor(user_named('clerk')))
    assert list(info.value.errors) == ['account_no']


def test_unanswered_question_does_not_trigger_the_conditional_errors(session, user_named):
    instance = register(session, user_named('clerk'))
    task = open_task(session, instance, 'accept')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, task.id, {}, Actor(user_named('clerk')))
    assert list(info.value.errors) == ['materials_complete']


CHECKLIST = {'type': 'object', 'properties': {'missing': {
    'type': 'array', 'x-options-from': 'materials.lacking',
    'items': {'enum': ['id_card', 'bank_card', 'invoice'], 'x-enumNames': ['身份证', '银行卡', '发票'],
              'x-enumNames-en': ['ID', 'Bank card', 'Invoice']}}}}


def test_a_field_offers_only_the_options_the_case_data_names():
    from workflows.forms import offered, validation_errors
    form = offered(CHECKLIST, {'materials': {'lacking': ['invoice', 'id_card']}})
    items = form['properties']['missing']['items']
    assert items['enum'] == ['id_card', 'invoice'] and items['x-enumNames'] == ['身份证', '发票']
    assert items['x-enumNames-en'] == ['ID', 'Invoice']
    assert validation_errors(form, {'missing': ['bank_card']}) == {'missing': [('Choose one of the listed options.', {})]}
    assert validation_errors(form, {'missing': ['invoice']}) == {}
    assert CHECKLIST['properties']['missing']['items']['enum'] == ['id_card', 'bank_card', 'invoice']   # untouched


def test_without_data_at_the_path_a_field_keeps_its_options():
    from workflows.forms import offered
    assert offered(CHECKLIST, {}) is CHECKLIST
    assert offered(CHECKLIST, {'materials': 'not a mapping'}) is CHECKLIST
    assert offered(CHECKLIST, {'materials': {'lacking': []}})['properties']['missing']['items']['enum'] == []
