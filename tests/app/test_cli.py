"""Command-line tasks: verify detects tampering; init-db is idempotent."""
from sqlalchemy import text, update

from workflows.models import AuditEvent

from .test_withdrawal_http import register


def test_verify_reports_intact_then_tampered_chain(app, login, db_engine):
    register(login('clerk'))
    runner = app.test_cli_runner()
    result = runner.invoke(args=['verify'])
    assert result.exit_code == 0 and 'audit trail intact' in result.output
    with db_engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.action == 'register').values(basis='forged'))
    result = runner.invoke(args=['verify'])
    assert result.exit_code == 1 and 'edited' in result.output


def test_init_db_is_idempotent(app, db_engine):
    runner = app.test_cli_runner()
    with db_engine.connect() as conn:
        before = conn.execute(text('SELECT count(*) FROM process_definition')).scalar()
    for _ in range(2):
        result = runner.invoke(args=['init-db', '--demo'])
        assert result.exit_code == 0, result.output
        assert 'process withdrawal v1 ready' in result.output
        with db_engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM process_definition')).scalar() == before
            states = conn.execute(text(
                "SELECT i.status FROM process_instance i JOIN process_definition d ON d.id = i.definition_id "
                "WHERE d.key = 'withdrawal' ORDER BY i.id")).scalars().all()
            total = conn.execute(text('SELECT count(*) FROM process_instance')).scalar()
        assert states == ['running', 'running', 'waiting', 'running', 'running']     # the demo cases, once
        assert total > len(states)                                                 # with the other processes'
