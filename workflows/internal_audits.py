"""The 内审 register: the decided cases drawn for the internal audit and what their audits found."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from .definitions import loaded_definition
from .models import AuditEvent, AuditSample, HumanTask, ProcessDefinition, ProcessInstance, User
from .stats import Filters, in_range, process_names


def register(session, f: Filters) -> list[dict]:
    """Cases drawn for the internal audit (`AuditSample`), the newest first, with their audit's result.

    The date range applies to the day a case was drawn; team and person to who completed the audit.
    The result is the audit case's outcome and the reason and basis recorded when it closed.
    """
    audited = ProcessInstance.__table__.alias('audited')
    audited_definition = ProcessDefinition.__table__.alias('audited_definition')
    query = (select(AuditSample, audited.c.business_key, audited_definition.c.key, ProcessInstance)
             .join(audited, audited.c.id == AuditSample.instance_id)
             .join(audited_definition, audited_definition.c.id == audited.c.definition_id)
             .outerjoin(ProcessInstance, ProcessInstance.id == AuditSample.audit_instance_id)
             .where(AuditSample.sampled.is_(True), *in_range(AuditSample.considered_at, f))
             .order_by(AuditSample.considered_at.desc(), AuditSample.id.desc()))
    if f.process:
        query = query.where(audited_definition.c.key == f.process)
    rows = session.execute(query).all()
    auditors, closes = _audit_progress(session, [case.id for *_, case in rows if case is not None])
    users = dict(session.execute(select(User.id, User.full_name)).all())
    teams = dict(session.execute(select(User.id, User.team_id)).all())
    names = process_names(session)
    result = []
    for sample, case_key, key, audit_case in rows:
        done_by = auditors.get(audit_case.id, []) if audit_case else []
        if f.user_id is not None and f.user_id not in done_by:
            continue
        if f.team_id is not None and not any(teams.get(u) == f.team_id for u in done_by):
            continue
        close = closes.get(audit_case.id) if audit_case else None
        outcome = (loaded_definition(audit_case.definition).outcomes.get(audit_case.end_event)
                   if audit_case is not None and audit_case.end_event else None)
        result.append({'instance_id': sample.instance_id, 'case': case_key, 'process': key,
                       'process_name': names.get(key, key), 'percent': sample.percent,
                       'drawn_at': sample.considered_at,
                       'audit_instance_id': audit_case.id if audit_case else None,
                       'audit_case': audit_case.business_key if audit_case else None,
                       'audit_status': audit_case.status.value if audit_case else None,
                       'outcome': audit_case.outcome if audit_case else None,
                       'outcome_name': outcome.name if outcome else None,
                       'outcome_name_en': outcome.name_en if outcome else None,
                       'auditors': [users.get(u, '') for u in done_by],
                       'reason': (close.data or {}).get('reason') if close else None,
                       'basis': close.basis if close else None})
    return result


def _audit_progress(session, audit_ids) -> tuple[dict[int, list[int]], dict[int, AuditEvent]]:
    """Per audit case: who completed its tasks (in order), and the event that closed it."""
    auditors: dict[int, list[int]] = defaultdict(list)
    if not audit_ids:
        return auditors, {}
    for instance_id, user_id in session.execute(
            select(HumanTask.instance_id, HumanTask.completed_by)
            .where(HumanTask.instance_id.in_(audit_ids), HumanTask.completed_by.is_not(None))
            .order_by(HumanTask.completed_at)):
        auditors[instance_id].append(user_id)
    closes = {e.instance_id: e for e in session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id.in_(audit_ids), AuditEvent.action == 'close'))}
    return auditors, closes
