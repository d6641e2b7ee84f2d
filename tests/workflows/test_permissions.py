"""Separation of duties and role rules, enforced at claim and at completion (engine layer)."""
import pytest
from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import Conflict, NotAllowed
from workflows.models import HumanTask, TaskState

from .helpers import complete, open_task, register


@pytest.fixture
def at_review(session, user_named):
    """A withdrawal accepted by `clerk`, waiting for review."""
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    return instance


def test_reviewer_role_required(session, user_named, at_review):
    task = open_task(session, at_review, 'review')
    with pytest.raises(NotAllowed, match='reviewer'):
        runtime.claim_task(session, task.id, Actor(user_named('cashier')))
    with pytest.raises(NotAllowed):
        runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(user_named('clerk2')))


def test_acceptor_may_not_review_even_with_both_roles(session, user_named, at_review):
    clerk = user_named('clerk')
    clerk.roles.append(user_named('reviewer').roles[0])   # give the acceptor the reviewer role too
    session.commit()
    task = open_task(session, at_review, 'review')
    with pytest.raises(NotAllowed, match='Separation of duties'):
        runtime.claim_task(session, task.id, Actor(clerk))
    with pytest.raises(NotAllowed, match='Separation of duties'):
        runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(clerk))
    assert open_task(session, at_review, 'review').claimed_by is None


@pytest.mark.parametrize('username', ['admin', 'supervisor'])
def test_admin_and_supervisor_never_act(session, user_named, at_review, username):
    user = user_named(username)
    user.roles.append(user_named('reviewer').roles[0])
    session.commit()
    task = open_task(session, at_review, 'review')
    with pytest.raises(NotAllowed, match='do not handle business'):
        runtime.claim_task(session, task.id, Actor(user))
    with pytest.raises(NotAllowed, match='do not handle business'):
        runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(user))


def test_nobody_processes_their_own_application(session, user_named):
    # Account 100000000005 belongs to reviewer 李审核 (same ID number).
    instance = register(session, user_named('clerk'), account_no='100000000005', amount=100)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    task = open_task(session, instance, 'review')
    with pytest.raises(NotAllowed, match='party'):
        runtime.claim_task(session, task.id, Actor(user_named('reviewer')))
    runtime.claim_task(session, task.id, Actor(user_named('reviewer2')))   # another reviewer may


def test_clerk_cannot_register_own_application(session, user_named):
    clerk = user_named('clerk')
    clerk.id_number = '310104199203154512'   # holder of account 100000000001
    session.commit()
    with pytest.raises(NotAllowed, match='party'):
        register(session, clerk)


def test_claim_release_and_claimed_by_other(session, user_named, at_review):
    task = open_task(session, at_review, 'review')
    runtime.claim_task(session, task.id, Actor(user_named('reviewer')))
    session.commit()
    with pytest.raises(Conflict, match='claimed'):
        runtime.claim_task(session, task.id, Actor(user_named('reviewer2')))
    with pytest.raises(Conflict, match='claimed'):
        runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(user_named('reviewer2')))
    with pytest.raises(NotAllowed):
        runtime.release_task(session, task.id, Actor(user_named('reviewer2')))
    runtime.release_task(session, task.id, Actor(user_named('reviewer')))
    session.commit()
    assert session.get(HumanTask, task.id).claimed_by is None


def test_completed_task_cannot_be_completed_again(session, user_named, at_review):
    task = open_task(session, at_review, 'review')
    runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(user_named('reviewer')))
    session.commit()
    with pytest.raises(Conflict, match='already been handled'):
        runtime.complete_task(session, task.id, {'decision': 'approve'}, Actor(user_named('reviewer2')))
    assert session.get(HumanTask, task.id).state == TaskState.completed


def test_cashier_must_differ_from_reviewer(session, user_named, at_review):
    reviewer = user_named('reviewer')
    reviewer.roles.append(user_named('cashier').roles[0])
    session.commit()
    complete(session, at_review, 'review', reviewer, {'decision': 'approve'})
    pay = open_task(session, at_review, 'pay')
    with pytest.raises(NotAllowed, match='Separation of duties'):
        runtime.claim_task(session, pay.id, Actor(reviewer))
    assert session.scalars(select(HumanTask).where(HumanTask.id == pay.id)).one().claimed_by is None
