"""The internal audit (内审): decided cases drawn by sampling, each starting an `internal_audit` case.

- Which processes are audited, and at what rate, is declared by each model: the process property
  ``internalAudit.percent`` (loan: 100, withdrawal: 10). An administrator may change the rate with
  the setting ``internal_audit.percent.<process key>`` (a whole number 0..100).
- A case is considered once it is closed (decided), exactly once: `AuditSample` has one row per
  considered case, unique per case, so two workers never draw the same case twice.
- The draw is deterministic: a case is sampled when the first 32 bits of the SHA-256 of its case
  number, modulo 100, are below the rate. The same case number gives the same answer on every run.
- A sampled case starts an `internal_audit` case (bpmn_models/internal_audit.bpmn) for the
  `auditor` role, registered by the system; the auditor's findings are that case's data and audit
  trail.

`sample_decided_cases(session, now)` runs in every round of the worker (a registered worker job); it
does not commit.
"""
from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..actors import Actor
from ..change import InstanceChange
from ..deadlines import get_setting, local_date
from ..definitions import latest_definition, loaded_definition
from ..forms import validate
from ..models import AuditSample, InstanceStatus, ProcessDefinition, ProcessInstance
from ..operations import worker_job
from ..runtime import _case_title

KEY = AUDIT_PROCESS = 'internal_audit'
PROPERTY = 'internalAudit.percent'
SETTING = 'internal_audit.percent.{key}'
BATCH = 200


def _percent(text) -> int | None:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 100 else None


def sampling_rate(session, definition: ProcessDefinition) -> int | None:
    """The percentage of decided cases of this definition's process to audit; None: not audited."""
    default = _percent((definition.properties or {}).get(PROPERTY))
    if default is None:
        return None
    configured = _percent(get_setting(session, SETTING.format(key=definition.key), None))
    return default if configured is None else configured


def is_sampled(business_key: str, percent: int) -> bool:
    """The deterministic draw (see the module docstring)."""
    digest = hashlib.sha256(business_key.encode('utf-8')).hexdigest()
    return int(digest[:8], 16) % 100 < percent


def start_audit(session, instance: ProcessInstance, reason: str, at) -> ProcessInstance:
    """Register an internal-audit case of `instance`, by the system, and run it to the auditor's task."""
    definition = latest_definition(session, AUDIT_PROCESS)
    loaded = loaded_definition(definition)
    actor = Actor.system(at)
    data = validate(loaded.start_form, {'audited_case': instance.business_key,
                                        'audited_process': instance.definition.key, 'audit_reason': reason})
    audit_case = ProcessInstance(definition=definition, business_key=uuid.uuid4().hex, title=loaded.name,
                                 started_at=at, status=InstanceStatus.running, data={**data, 'channel': 'system'})
    session.add(audit_case)
    session.flush()
    prefix = loaded.properties.get('businessKeyPrefix', 'GJJ')
    audit_case.business_key = f'{prefix}{local_date(at):%Y%m%d}{audit_case.id:06d}'
    audit.record(session, actor, 'register', instance_id=audit_case.id,
                 data={'form': data, 'channel': 'system', 'audited_instance': instance.id})
    with InstanceChange(session, audit_case, actor, loaded, new=True) as change:
        change.run(data=audit_case.data)
    audit_case.title = _case_title(loaded, audit_case.data)
    session.flush()
    return audit_case


@worker_job('internal_audit')
def _sample_in_the_worker(session, now) -> int:
    return len(sample_decided_cases(session, now))


def sample_decided_cases(session, now, limit: int = BATCH) -> list[ProcessInstance]:
    """Consider up to `limit` decided cases not yet considered; start an audit for each one drawn.

    Returns the audit cases started. Each case is considered in a savepoint: if another worker
    considered it first (the unique row exists), it is skipped. The caller commits.
    """
    rates = {}
    for definition in session.scalars(select(ProcessDefinition)):
        rate = sampling_rate(session, definition)
        if rate is not None:
            rates[definition.id] = rate
    if not rates:
        return []
    considered = exists().where(AuditSample.instance_id == ProcessInstance.id)
    candidates = session.scalars(
        select(ProcessInstance).where(ProcessInstance.definition_id.in_(sorted(rates)),
                                      ProcessInstance.status == InstanceStatus.completed,
                                      ProcessInstance.closed_at <= now, ~considered)
        .order_by(ProcessInstance.closed_at, ProcessInstance.id).limit(limit)).all()
    started = []
    for instance in candidates:
        percent = rates[instance.definition_id]
        sampled = is_sampled(instance.business_key, percent)
        try:
            with session.begin_nested():
                row = AuditSample(instance_id=instance.id, considered_at=now, percent=percent, sampled=sampled)
                session.add(row)
                session.flush()
                if sampled:
                    audit_case = start_audit(session, instance, 'sampled', now)
                    row.audit_instance_id = audit_case.id
                    started.append(audit_case)
        except IntegrityError:
            continue    # another worker considered this case first
    return started
