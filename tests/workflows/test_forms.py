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
