"""The audit chain detects an edited, deleted or truncated row."""
from sqlalchemy import delete, select, update

from workflows import audit
from workflows.models import AuditEvent

from .helpers import complete, register


def _with_history(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve'})
    return session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()


def test_intact_chain_verifies(session, user_named):
    ids = _with_history(session, user_named)
    result = audit.verify(session)
    assert result.ok and result.checked == len(ids) >= 4


def test_edited_row_is_detected(session, user_named):
    ids = _with_history(session, user_named)
    session.execute(update(AuditEvent).where(AuditEvent.id == ids[2]).values(actor_name='someone-else'))
    session.commit()
    result = audit.verify(session)
    assert any(f'event {ids[2]}' in p and 'edited' in p for p in result.problems)


def test_deleted_row_is_detected(session, user_named):
    ids = _with_history(session, user_named)
    session.execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    session.commit()
    assert any(f'event {ids[2]}' in p and 'link broken' in p for p in audit.verify(session).problems)


def test_deleted_last_row_is_detected(session, user_named):
    ids = _with_history(session, user_named)
    session.execute(delete(AuditEvent).where(AuditEvent.id == ids[-1]))
    session.commit()
    assert any('chain head' in p for p in audit.verify(session).problems)
