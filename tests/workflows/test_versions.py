"""Versions: drafts are not used, publishing switches new cases, running cases keep theirs, rollback."""
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from workflows import bundles, versions
from workflows.actors import Actor
from workflows.errors import Conflict, InvalidModel
from workflows.definitions import latest_definition
from workflows.models import AuditEvent, InstanceStatus, Role, User

from .helpers import TODAY, complete, open_task, register

ROOT = Path(__file__).resolve().parents[2]


def withdrawal_files(review_limit=None, review_name=None):
    """The withdrawal bundle, optionally with the review step's time limit or name changed."""
    files = bundles.collect_bundle(ROOT / 'bpmn_models' / 'withdrawal.bpmn', ROOT / 'bpmn_models', ROOT / 'rules',
                                   ROOT / 'forms')
    if review_limit:
        files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace('value="2wd"', f'value="{review_limit}"')
    if review_name:
        files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace('name="审核"', f'name="{review_name}"')
    return files


def _finish(session, instance, user_named):
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve'})
    complete(session, instance, 'pay', user_named('cashier'),
             {'voucher_no': 'ZF-9', 'paid_amount': 5000, 'paid_on': TODAY})


def test_a_draft_is_not_used_until_published_and_old_cases_finish_on_their_version(session, user_named):
    admin = Actor(user_named('admin'))
    old_case = register(session, user_named('clerk'))
    draft = versions.save_draft(session, withdrawal_files(review_limit='5wd'), admin)
    session.commit()
    assert (draft.version, draft.publication) == (2, None)
    assert register(session, user_named('clerk'), withdrawal_type='repay_loan').definition.version == 1

    versions.publish(session, draft, admin)
    session.commit()
    assert draft.published_by == admin.user_id and draft.published_at is not None
    new_case = register(session, user_named('clerk'), withdrawal_type='rent', amount=2000)
    assert new_case.definition.version == 2
    complete(session, new_case, 'accept', user_named('clerk'), {'materials_complete': True})
    assert open_task(session, new_case, 'review').time_limit == '5wd'

    _finish(session, old_case, user_named)           # two versions live at once: v1 finishes on v1
    assert old_case.status == InstanceStatus.completed and old_case.definition.version == 1
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like('model_%'))
                              .order_by(AuditEvent.id)).all()
    assert actions == ['model_saved', 'model_published']


def test_publishing_an_older_version_again_rolls_back(session, user_named):
    admin = Actor(user_named('admin'))
    v1 = versions.get_version(session, 'withdrawal', 1)
    v2 = versions.publish(session, versions.save_draft(session, withdrawal_files(review_limit='5wd'), admin), admin)
    session.commit()
    with pytest.raises(Conflict):
        versions.publish(session, v2, admin)
    versions.publish(session, v1, admin)
    session.commit()
    assert register(session, user_named('clerk')).definition.version == 1
    assert [d.version for d in versions.versions_of(session, 'withdrawal')] == [2, 1]


def test_compare_names_the_changed_elements_and_fields(session, user_named):
    admin = Actor(user_named('admin'))
    v1 = versions.get_version(session, 'withdrawal', 1)
    v2 = versions.save_draft(session, withdrawal_files(review_limit='5wd', review_name='审核（新）'), admin)
    changes = versions.compare(v1, v2)
    assert [(c.element, c.kind) for c in changes] == [('review', 'changed')]
    assert changes[0].fields == (('name', '审核', '审核（新）'), ('time_limit', '2wd', '5wd'))
    assert any(line.startswith('+') and '5wd' in line for line in versions.text_diff(v1, v2))


def test_two_administrators_publishing_at_once_make_one_publication_and_one_conflict(session_factory):
    with session_factory() as session:
        admin = session.scalars(select(User).where(User.username == 'admin')).one()
        drafts = [versions.save_draft(session, withdrawal_files(review_limit=limit), Actor(admin)).version
                  for limit in ('5wd', '6wd')]
        session.commit()
    first_stored, results = threading.Event(), {}

    def publish(version, wait):
        with session_factory() as session:
            admin = session.scalars(select(User).where(User.username == 'admin')).one()
            try:
                if wait:
                    first_stored.wait(30)
                versions.publish(session, versions.get_version(session, 'withdrawal', version), Actor(admin))
                if not wait:
                    first_stored.set()
                    time.sleep(0.5)
                session.commit()
                results[version] = 'published'
            except Conflict as exc:
                session.rollback()
                results[version] = str(exc)
    threads = [threading.Thread(target=publish, args=(drafts[0], False)),
               threading.Thread(target=publish, args=(drafts[1], True))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results[drafts[0]] == 'published' and 'published a version of this process first' in results[drafts[1]]
    with session_factory() as session:
        assert latest_definition(session, 'withdrawal').version == drafts[0]


def test_a_version_that_no_longer_passes_the_checks_is_not_published(session, user_named):
    admin = Actor(user_named('admin'))
    draft = versions.save_draft(session, withdrawal_files(review_limit='5wd'), admin)
    session.execute(update(Role).where(Role.code == 'reviewer').values(is_business=False))
    with pytest.raises(InvalidModel) as info:
        versions.publish(session, draft, admin)
    assert any("lane 'reviewer' is not a business role" in p for p in info.value.problems)
    assert draft.publication is None
