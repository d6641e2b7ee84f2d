"""Tables. The workflow blob lives in `instance_state`; everything queried lives in projections."""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, timezone

from sqlalchemy import (JSON, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, text,
                        LargeBinary, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow():
    """Timezone-aware now in UTC; stored as naive UTC so SQLite and PostgreSQL agree."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


class Role(Base):
    __tablename__ = 'role'
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    is_business: Mapped[bool] = mapped_column(Boolean, default=True)


class UserRole(Base):
    __tablename__ = 'user_role'
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), primary_key=True)
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'), primary_key=True)


class Team(Base):
    """A section (科) or branch (分中心). Users belong to at most one; oversight filters by it."""
    __tablename__ = 'team'
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = 'app_user'
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    team_id: Mapped[int | None] = mapped_column(ForeignKey('team.id', name='fk_app_user_team_id'), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every login's identity (see app/security.py): changing it ends all of this user's sessions.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16),
                                               server_default='initial')
    roles: Mapped[list[Role]] = relationship(secondary='user_role', lazy='selectin')
    team: Mapped[Team | None] = relationship(lazy='joined')

    def end_sessions(self) -> None:
        """Invalidate every existing login of this user (at logout; also meant for a password change)."""
        self.session_nonce = secrets.token_hex(16)

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.roles)


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


class AuditEvent(Base):
    """Append-only. Each row's hash covers its content and the previous row's hash."""
    __tablename__ = 'audit_event'
    __table_args__ = (Index('ix_audit_event_action_at', 'action', 'at'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    actor_name: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey('human_task.id'))
    action: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row holding the chain's last hash; updating it serialises concurrent appends."""
    __tablename__ = 'audit_head'
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class CalendarDay(Base):
    """A day whose working status differs from the Mon–Fri rule (holiday or 调休 working day)."""
    __tablename__ = 'calendar_day'
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(64), default='')


class CalendarYear(Base):
    """A year whose official table is loaded; deadlines in other years are provisional."""
    __tablename__ = 'calendar_year'
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FundAccount(Base):
    """An employee's provident fund account (the slice of the core system the rules need)."""
    __tablename__ = 'fund_account'
    account_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    holder_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    balance: Mapped[int] = mapped_column(Integer)  # in fen (分)
    employer: Mapped[str] = mapped_column(String(128), default='')


class FraudBan(Base):
    """诚信黑名单: a person barred from withdrawals and loans until a date."""
    __tablename__ = 'fraud_ban'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(200))
    until: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(64), default='')     # the penalty decision's number
    scope: Mapped[str] = mapped_column(String(64), default='withdrawal,loan')   # what it bars, comma-separated
    starts: Mapped[date | None] = mapped_column(Date)
    conduct_on: Mapped[date | None] = mapped_column(Date)                # when the conduct happened …
    law_in_force: Mapped[str] = mapped_column(String(200), default='')   # … and the law then in force


# The day from which a setting stored without a date is in force (before any case of this system).
SETTINGS_EPOCH = date(2000, 1, 1)


class Setting(Base):
    """One value of an administrator-editable setting, in force from `effective_from` until the next one.

    History is kept: a change adds a row, it never overwrites one (see workflows.settings).
    """
    __tablename__ = 'setting'
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True, default=SETTINGS_EPOCH)
    value: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id', name='fk_setting_set_by'))
    set_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))


# --- loan records ---
# Facts of record the loan (个人住房公积金贷款) needs, and what its disbursement writes. Amounts in fen.

class FundContribution(Base):
    """The current unbroken run of full monthly contributions of a fund account (from the core system)."""
    __tablename__ = 'fund_contribution'
    account_no: Mapped[str] = mapped_column(ForeignKey('fund_account.account_no', ondelete='CASCADE'),
                                            primary_key=True)
    continuous_since: Mapped[date] = mapped_column(Date)   # first month of the run (day 1)
    paid_through: Mapped[date] = mapped_column(Date)       # last month paid in full (day 1)
    monthly_amount: Mapped[int] = mapped_column(Integer)   # employee + employer, in fen


class HomeRecord(Base):
    """A home registered to a person (不动产登记 records)."""
    __tablename__ = 'home_record'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(200))
    registered_on: Mapped[date] = mapped_column(Date)


class FundLoan(Base):
    """A provident-fund home loan of record: open until `closed_on` (repaid in full)."""
    __tablename__ = 'fund_loan'
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(40), unique=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)                 # the borrower
    co_borrower_id_number: Mapped[str | None] = mapped_column(String(18), index=True)  # the spouse
    amount: Mapped[int] = mapped_column(Integer)
    term_months: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[str] = mapped_column(String(12))   # percent, as text ('2.60')
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)


class LoanDisbursement(Base):
    """The payment of an approved loan to the seller: prepared by a cashier, confirmed by a second person."""
    __tablename__ = 'loan_disbursement'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    payee_name: Mapped[str] = mapped_column(String(128))
    payee_account: Mapped[str] = mapped_column(String(40))
    voucher_no: Mapped[str] = mapped_column(String(40))
    paid_on: Mapped[date] = mapped_column(Date)
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    checked_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


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


# --- administration ---

class RoleGrant(Base):
    """A business role for an administrator (管办分离): requested by one administrator, confirmed by another.

    Kept after the decision, so the approver of record stays visible even when either person is
    later disabled.
    """
    __tablename__ = 'role_grant'
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id'), index=True)
    role_code: Mapped[str] = mapped_column(ForeignKey('role.code'))
    state: Mapped[str] = mapped_column(String(16), default='pending', index=True)  # pending|confirmed|rejected
    requested_by: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy='joined')
    requester: Mapped[User] = relationship(foreign_keys=[requested_by], lazy='joined')
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy='joined')


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


class UserContact(Base):
    """Where a user wants notifications by e-mail (none: in the app only)."""
    __tablename__ = 'user_contact'
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))


class Notification(Base):
    """A message to one user: kind + params, worded by the web layer in the reader's language.

    `email_state` is None (in-app only), 'pending', 'sent' or 'failed'; a worker sending it holds
    `email_lease_until`/`email_lease_owner`, so a dead worker's e-mail is taken by another later.
    """
    __tablename__ = 'notification'
    __table_args__ = (Index('ix_notification_user_unread', 'user_id', 'read_at'),
                      Index('ix_notification_email', 'email_state', 'created_at'))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(default=dict)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'))
    task_id: Mapped[int | None] = mapped_column(ForeignKey('human_task.id', ondelete='CASCADE'))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_state: Mapped[str | None] = mapped_column(String(8))
    email_lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    email_lease_owner: Mapped[str | None] = mapped_column(String(64))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Substitution(Base):
    """AB岗: `backup` covers `absent` from `starts_on` to `ends_on` (center days, inclusive)."""
    __tablename__ = 'substitution'
    __table_args__ = (Index('ix_substitution_backup', 'backup_id', 'starts_on', 'ends_on'),)
    id: Mapped[int] = mapped_column(primary_key=True)
    absent_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'), index=True)
    backup_id: Mapped[int] = mapped_column(ForeignKey('app_user.id', ondelete='CASCADE'))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default='')
    created_by: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    absent: Mapped[User] = relationship(foreign_keys=[absent_id], lazy='joined')
    backup: Mapped[User] = relationship(foreign_keys=[backup_id], lazy='joined')


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


# --- enforcement records ---
# Facts of record the enforcement case (行政执法) needs: employers, their approved deferrals, earlier
# penalties (repeat offences), and the evidence register its investigations write.

class Employer(Base):
    """A contributing employer (缴存单位) of record, by its 统一社会信用代码."""
    __tablename__ = 'employer'
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    legal_representative: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(200))
    registered_with_center: Mapped[bool] = mapped_column(Boolean, default=True)   # 缴存登记 done
    e_service_consent: Mapped[bool] = mapped_column(Boolean, default=False)       # agreed to electronic service


class EmployerDeferral(Base):
    """An approved 缓缴 (deferred contributions) of an employer, from its first to its last month."""
    __tablename__ = 'employer_deferral'
    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey('employer.credit_code', ondelete='CASCADE'), index=True)
    approved_on: Mapped[date] = mapped_column(Date)
    start: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(200))


class EmployerPenalty(Base):
    """A final administrative penalty on an employer (for the 裁量基准's repeat-offence criterion)."""
    __tablename__ = 'employer_penalty'
    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey('employer.credit_code', ondelete='CASCADE'), index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(60))
    fine: Mapped[int] = mapped_column(Integer)            # fen
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)


class EvidenceItem(Base):
    """One item of an enforcement case's evidence register (证据清单)."""
    __tablename__ = 'evidence_item'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))          # one of the 8 statutory types
    description: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200))
    collected_on: Mapped[date] = mapped_column(Date)
    collector_id: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    archive_ref: Mapped[str] = mapped_column(String(200))   # archive reference of the original
    __table_args__ = (UniqueConstraint('instance_id', 'seq', name='uq_evidence_item_seq'),)


# --- records of the fund's payments (workflows/records.py) ---

class BankAccount(Base):
    """A person's own bank account on record, where withdrawals are paid."""
    __tablename__ = 'bank_account'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    holder_name: Mapped[str] = mapped_column(String(64))
    bank: Mapped[str] = mapped_column(String(64))
    card_no: Mapped[str] = mapped_column(String(32))


class AccountClosure(Base):
    """A fund account closed (销户): its whole balance paid out or taken into the value-added income."""
    __tablename__ = 'account_closure'
    account_no: Mapped[str] = mapped_column(ForeignKey('fund_account.account_no'), primary_key=True)
    closed_on: Mapped[date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(16))       # 'payee' (paid out) or 'value_added'
    amount: Mapped[int] = mapped_column(Integer)               # fen
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'))
