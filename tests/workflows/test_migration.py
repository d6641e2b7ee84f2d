"""Moving running cases to a newer version: only when every step maps; audited; otherwise refused."""
import re

import pytest
from sqlalchemy import select

from workflows import migration, versions
from workflows.actors import Actor
from workflows.errors import InvalidModel
from workflows.models import AuditEvent, InstanceStatus

from .helpers import TODAY, complete, open_task, register
from .test_versions import withdrawal_files


def _renamed_review():
    """A version in which the review step has another id: cases waiting there cannot move."""
    files = withdrawal_files()
    files['withdrawal.bpmn'] = re.sub(r'(?<=["> ,])review(?=["<,])', 'review2', files['withdrawal.bpmn'])
    return files


def test_a_safe_migration_moves_one_case_audited_and_it_finishes_on_the_new_version(session, user_named):
    admin = Actor(user_named('admin'))
    moved = register(session, user_named('clerk'))
    stays = register(session, user_named('clerk'), account_no='100000000002')   # one open purchase per person
    v2 = versions.publish(session, versions.save_draft(session, withdrawal_files(review_name='审核（新）'), admin),
                          admin)
    session.commit()
    assert migration.migration_problems(session, moved, v2) == []
    migration.migrate(session, moved, v2, admin, '审核步骤更名')
    session.commit()
    assert moved.definition.version == 2 and stays.definition.version == 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == 'migrate')).one()
    assert (event.instance_id, event.basis, event.data) == (moved.id, '审核步骤更名',
                                                           {'from_version': 1, 'to_version': 2})
    complete(session, moved, 'accept', user_named('clerk'), {'materials_complete': True})
    assert open_task(session, moved, 'review').name == '审核（新）'      # the new version runs the case
    complete(session, moved, 'review', user_named('reviewer'), {'decision': 'approve'})
    complete(session, moved, 'pay', user_named('cashier'),
             {'voucher_no': 'ZF-7', 'paid_amount': 5000, 'paid_on': TODAY})
    assert moved.status == InstanceStatus.completed


def test_an_unsafe_migration_is_refused_with_the_reason_and_changes_nothing(session, user_named):
    admin = Actor(user_named('admin'))
    case = register(session, user_named('clerk'))
    complete(session, case, 'accept', user_named('clerk'), {'materials_complete': True})   # now waits in review
    v2 = versions.save_draft(session, _renamed_review(), admin)
    session.commit()
    lock_version = case.version
    with pytest.raises(InvalidModel) as info:
        migration.migrate(session, case, v2, admin, '试图迁移')
    assert any("'review'" in p and 'does not exist in the new version' in p for p in info.value.problems)
    session.rollback()
    assert case.definition.version == 1 and case.version == lock_version
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == 'migrate')).all() == []


def test_only_newer_versions_of_the_same_process_and_running_cases(session, user_named):
    admin = Actor(user_named('admin'))
    case = register(session, user_named('clerk'))
    v1 = case.definition
    assert migration.migration_problems(session, case, v1) == [
        'the case is on version 1; it can only move to a newer version']
    loan = versions.versions_of(session, 'loan')[0]
    assert 'belongs to process' in migration.migration_problems(session, case, loan)[0]
    with pytest.raises(InvalidModel):
        migration.migrate(session, case, v1, admin, '   ')


def test_a_case_whose_clock_the_new_version_drops_is_refused(session, user_named):
    admin = Actor(user_named('admin'))
    case = register(session, user_named('clerk'))
    complete(session, case, 'accept', user_named('clerk'), {'materials_complete': True})   # the clock starts here
    files = withdrawal_files()
    files['withdrawal.bpmn'] = re.sub(r'\s*<spiffworkflow:property name="(clock\.decision\.[a-zA-Z]+|startsClock|'
                                      r'stopsClock|pausesClock)" value="[^"]*" />', '', files['withdrawal.bpmn'])
    target = versions.save_draft(session, files, admin)
    assert migration.migration_problems(session, case, target) == [
        "the case has a clock 'decision' that the new version does not declare"]
