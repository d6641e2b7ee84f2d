"""Definitions and cases: versions, instances and their state, parties, clocks, task rows, the case
file, deadline marks, 内审 samples, and the dashboard's indexes."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ._base import Base, utcnow
from .people import User


class ProcessDefinition(Base):
    """One deployed version of a process bundle (BPMN + DMN + forms)."""
    __tablename__ = 'process_definition'
    __table_args__ = (UniqueConstraint('key', 'version'), UniqueConstraint('key', 'publication'))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))
    properties: Mapped[dict] = mapped_column(default=dict)
    deployed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    # A version is a draft until published; new cases start on the most recently published version
    # of their key (the highest `publication`), so publishing an older version again rolls back.
    publication: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    # Loaded only on a spec-cache miss: the cache is keyed by content_hash.
    files: Mapped[list[DefinitionFile]] = relationship(
        back_populates='definition', order_by='DefinitionFile.name', lazy='select')


class DefinitionFile(Base):
    __tablename__ = 'definition_file'
    __table_args__ = (UniqueConstraint('definition_id', 'name'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey('process_definition.id', ondelete='CASCADE'))
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn | form
    content: Mapped[str] = mapped_column(Text)
    definition: Mapped[ProcessDefinition] = relationship(back_populates='files')


class InstanceStatus(enum.Enum):
    running = 'running'
    waiting = 'waiting'        # an open task pauses a clock (e.g. waiting for the applicant's materials)
    completed = 'completed'
    error = 'error'
    suspended = 'suspended'    # halted by an administrator: no task may be claimed or completed, no timer fires
    terminated = 'terminated'  # ended by an administrator before reaching an end event


class ProcessInstance(Base):
    __tablename__ = 'process_instance'
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey('process_definition.id'), index=True)
    business_key: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    applicant_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[InstanceStatus] = mapped_column(Enum(InstanceStatus, native_enum=False, length=16),
                                                   default=InstanceStatus.running, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    end_event: Mapped[str | None] = mapped_column(String(64))
    # The case data: every value the steps produced, merged in completion order (parallel branches
    # included). Pages and queries read this, never the workflow blob.
    data: Mapped[dict] = mapped_column(default=dict)
    # The path taken: how often each BPMN element completed (the diagram shows it; the workflow
    # state need not keep finished history for that).
    path: Mapped[dict] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The earliest due date of the case's running clocks (see CaseClock), kept for lists and sorting.
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # A worker that took this case's due timers holds it until then; if it dies, the lease expires.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by InstanceChange's lock
    definition: Mapped[ProcessDefinition] = relationship(lazy='joined')


class CaseParty(Base):
    """A person or organisation the case is about (applicant, borrower, spouse, heir, employer).

    Registered by the lookups of facts of record; nobody may act on a case where they are a party.
    """
    __tablename__ = 'case_party'
    __table_args__ = (UniqueConstraint('instance_id', 'id_number', 'role'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), index=True)
    id_number: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))


class ClockState(enum.Enum):
    running = 'running'
    paused = 'paused'
    met = 'met'          # stopped on or before its due date
    missed = 'missed'    # stopped after its due date


class CaseClock(Base):
    """One named legal deadline of a case (decision, 补正, hearing notice, service, payment …).

    The due date is derived (workflows.deadlines) from the start day, the limit and the days paused
    and extended; it is stored for queries and recomputed whenever one of those changes.
    """
    __tablename__ = 'case_clock'
    __table_args__ = (UniqueConstraint('instance_id', 'name'), Index('ix_case_clock_due', 'state', 'due_date'))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), index=True)
    name: Mapped[str] = mapped_column(String(64))
    limit: Mapped[str] = mapped_column(String(16))           # '3wd', '15cd'
    started_on: Mapped[date] = mapped_column(Date)
    paused_since: Mapped[date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)      # in the limit's unit
    extended_days: Mapped[int] = mapped_column(Integer, default=0)    # in the limit's unit
    due_date: Mapped[date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[ClockState] = mapped_column(Enum(ClockState, native_enum=False, length=16),
                                              default=ClockState.running)
    stopped_on: Mapped[date | None] = mapped_column(Date)


class InstanceState(Base):
    """The serialized SpiffWorkflow state, one row per instance, without the spec."""
    __tablename__ = 'instance_state'
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'),
                                             primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)


class TaskState(enum.Enum):
    ready = 'ready'
    completed = 'completed'
    cancelled = 'cancelled'


class HumanTask(Base):
    __tablename__ = 'human_task'
    __table_args__ = (Index('ix_human_task_queue', 'state', 'role_code', 'due_date'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'),
                                             index=True)
    # The case's definition, copied from process_instance.definition_id (kept equal by
    # projections.sync_tasks and migration.migrate) so that the supervision figures group and filter
    # a million task rows by process without joining them to their cases.
    definition_id: Mapped[int] = mapped_column(ForeignKey('process_definition.id'))
    task_guid: Mapped[str] = mapped_column(String(36), unique=True)
    spec_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'))
    form_name: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[TaskState] = mapped_column(Enum(TaskState, native_enum=False, length=16),
                                             default=TaskState.ready)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    time_limit: Mapped[str | None] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision: Mapped[str | None] = mapped_column(String(32))
    instance: Mapped[ProcessInstance] = relationship(lazy='joined')
    claimer: Mapped[User | None] = relationship(foreign_keys=[claimed_by])
    completer: Mapped[User | None] = relationship(foreign_keys=[completed_by])


# --- the case file beyond the process data (workflows/casefiles.py) ---

class CaseAttachment(Base):
    """A scanned material of a case. The bytes sit in this row's `data`, loaded only on download."""
    __tablename__ = 'case_attachment'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id'), index=True)
    label: Mapped[str] = mapped_column(String(64))               # which material, as the clerk names it
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class CaseComment(Base):
    """One remark in a case's comment thread."""
    __tablename__ = 'case_comment'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id'), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- alerts: deadline marks, notifications, substitution (AB岗) ---

class DeadlineMark(Base):
    """That the worker saw a task's or clock's deadline reach a level (due soon, overdue) once.

    Unique per (kind, ref_id, level, due_date): a transition is marked, and escalated, exactly once;
    a clock whose due date moves (extended) can be marked again for its new date.
    """
    __tablename__ = 'deadline_mark'
    __table_args__ = (UniqueConstraint('kind', 'ref_id', 'level', 'due_date'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))        # 'task' | 'clock'
    ref_id: Mapped[int] = mapped_column(Integer)        # human_task.id or case_clock.id
    level: Mapped[str] = mapped_column(String(8))       # deadlines.DUE_SOON | deadlines.OVERDUE
    due_date: Mapped[date] = mapped_column(Date)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), index=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    marked_by: Mapped[str] = mapped_column(String(64))  # the worker's name


# --- oversight (内审) ---

class AuditSample(Base):
    """A decided case considered once for the internal audit (内审): sampled or not, and its audit case.

    One row per considered case (unique), so each case is drawn exactly once, also with several workers.
    """
    __tablename__ = 'audit_sample'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), unique=True)
    considered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    percent: Mapped[int] = mapped_column(Integer)                 # the sampling rate applied
    sampled: Mapped[bool] = mapped_column(Boolean)
    audit_instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)


# Indexes for the supervision figures (workflows/stats.py); bench/bench_supervision.py measures each
# query without and with them.
# - completed work by date range; on PostgreSQL it also holds every column the figures read, so
#   they are answered from the index alone (no visit to the table's rows);
# - open work: partial, it holds only the ready rows (a few % of the table), in the order of the
#   deadline list (which reads the first 500 of them), and on PostgreSQL what open work by process
#   and step and the heatmap read;
# - closed cases by date range.
DASHBOARD_INDEXES = (
    Index('ix_human_task_done', HumanTask.state, HumanTask.completed_at,
          postgresql_include=['definition_id', 'spec_id', 'completed_by', 'due_date', 'created_at', 'name']),
    Index('ix_human_task_open', HumanTask.due_date, HumanTask.created_at, HumanTask.id,
          postgresql_include=['definition_id', 'spec_id', 'name', 'claimed_by'],
          postgresql_where=text("state = 'ready'"), sqlite_where=text("state = 'ready'")),
    Index('ix_process_instance_closed_at', ProcessInstance.closed_at),
)
