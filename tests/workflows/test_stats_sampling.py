"""内审 sampling: every decided loan, a deterministic share of withdrawals, each once, audited in BPMN."""
import hashlib
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.oversight_history import add_case
from workflows import runtime
from workflows.processes import internal_audit as sampling
from workflows.actors import Actor
from workflows.errors import NotAllowed
from workflows.models import AuditEvent, AuditSample, HumanTask, InstanceStatus, ProcessInstance, Setting, TaskState

NOW = datetime(2026, 10, 12, 8, 0)          # 16:00 in Shanghai


def _decided(session, key, n, prefix):
    cases = []
    for i in range(1, n + 1):
        case = add_case(session, key, '2026-10-09 09:00', '2026-10-09 15:00', outcome='paid')
        case.business_key = f'{prefix}{i:04d}'
        cases.append(case)
    session.commit()
    return cases


def _audits(session):
    return session.scalars(select(ProcessInstance).join(ProcessInstance.definition)
                           .where(ProcessInstance.definition.has(key='internal_audit'))
                           .order_by(ProcessInstance.id)).all()


def test_the_draw_is_the_sha256_of_the_case_number_modulo_100():
    residue = int(hashlib.sha256(b'TQ20261009000001').hexdigest()[:8], 16) % 100
    assert residue == 57
    assert not sampling.is_sampled('TQ20261009000001', 57)
    assert sampling.is_sampled('TQ20261009000001', 58)
    assert all(sampling.is_sampled(f'DK{i}', 100) for i in range(50))
    assert not any(sampling.is_sampled(f'DK{i}', 0) for i in range(50))


def test_every_loan_and_ten_percent_of_withdrawals_are_audited_once(session):
    withdrawals = _decided(session, 'withdrawal', 20, 'TQ2026100900')
    loans = _decided(session, 'loan', 3, 'DK2026100900')
    open_case = add_case(session, 'withdrawal', '2026-10-09 09:00')
    late = add_case(session, 'loan', '2026-10-09 09:00', '2026-10-12 17:00')      # closes after NOW
    session.commit()

    started = sampling.sample_decided_cases(session, NOW)
    session.commit()
    audited = {a.data['audited_case'] for a in started}
    assert audited == {'TQ20261009000006', 'TQ20261009000018', 'TQ20261009000019',
                       'DK20261009000001', 'DK20261009000002', 'DK20261009000003'}
    assert session.scalar(select(func.count()).select_from(AuditSample)) == 23
    considered = set(session.scalars(select(AuditSample.instance_id)))
    assert open_case.id not in considered and late.id not in considered
    rows = {r.instance_id: r for r in session.scalars(select(AuditSample))}
    assert rows[loans[0].id].percent == 100 and rows[withdrawals[0].id].percent == 10
    assert rows[withdrawals[5].id].audit_instance_id == started[0].id

    # each audit case waits for an auditor, with a due date, registered by the system
    for audit_case in started:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == audit_case.id)).one()
        assert (task.spec_id, task.role_code, task.state) == ('audit_review', 'auditor', TaskState.ready)
        assert task.due_date is not None
        assert audit_case.business_key.startswith('NS') and audit_case.title == f'内审 · {audit_case.data["audited_case"]}'
        assert audit_case.started_by is None

    # exactly once: a second run starts nothing; the audit cases themselves are never sampled
    assert sampling.sample_decided_cases(session, NOW) == []
    later = sampling.sample_decided_cases(session, datetime(2026, 10, 13))
    assert [a.data['audited_case'] for a in later] == [late.business_key]


def test_the_rate_is_a_setting(session):
    _decided(session, 'withdrawal', 20, 'TQ2026100900')
    session.add(Setting(key='internal_audit.percent.withdrawal', value='50'))
    session.add(Setting(key='internal_audit.percent.loan', value='not a number'))   # ignored: the model's 100
    _decided(session, 'loan', 1, 'DK2026100900')
    session.commit()
    started = sampling.sample_decided_cases(session, NOW)
    expected = {f'TQ2026100900{i:04d}' for i in range(1, 21) if int(hashlib.sha256(
        f'TQ2026100900{i:04d}'.encode()).hexdigest()[:8], 16) % 100 < 50} | {'DK20261009000001'}
    assert {a.data['audited_case'] for a in started} == expected
    assert len(expected) == 11


def test_the_auditor_records_findings(session, user_named):
    _decided(session, 'loan', 1, 'DK2026100900')
    audit_case, = sampling.sample_decided_cases(session, NOW)
    session.commit()
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == audit_case.id)).one()
    with pytest.raises(NotAllowed):
        runtime.complete_task(session, task.id, {'finding': 'compliant', 'finding_detail': '合规'},
                              Actor(user_named('clerk')))
    session.rollback()
    auditor = user_named('auditor')
    runtime.claim_task(session, task.id, Actor(auditor))
    runtime.complete_task(session, task.id, {'finding': 'issue', 'finding_detail': '面签记录缺少配偶签字',
                                             'audit_basis': '贷款管理办法第十五条', 'rectification': '补签'},
                          Actor(auditor))
    session.commit()
    assert (audit_case.status, audit_case.outcome) == (InstanceStatus.completed, 'issue')
    assert audit_case.data['finding_detail'] == '面签记录缺少配偶签字'
    assert session.get(HumanTask, task.id).decision == 'issue'
    close = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == audit_case.id,
                                                     AuditEvent.action == 'close')).one()
    assert close.basis == '贷款管理办法第十五条' and close.data['reason'] == '面签记录缺少配偶签字'


def test_the_worker_draws_in_each_round(session, session_factory):
    from workflows import worker
    _decided(session, 'loan', 2, 'DK2026100901')
    done = worker.run_round(session_factory, 'w1', now=NOW)
    assert done['internal_audit'] == 2                       # every loan is audited
    assert worker.run_round(session_factory, 'w1', now=NOW)['internal_audit'] == 0   # each case once
    with session_factory() as s:
        assert len(_audits(s)) == 2
