"""Tables, by area. The workflow blob lives in `instance_state`; everything queried lives in projections.

Import from here: `from workflows.models import HumanTask`. The modules are `people`, `cases`, `audit`,
`reference` and `records` (the center's records), on one declarative `Base`.
"""
from ._base import Base, utcnow
from .people import Role, UserRole, Team, User, RoleGrant, UserContact, Notification, Substitution
from .cases import (ProcessDefinition, DefinitionFile, InstanceStatus, ProcessInstance, CaseParty, ClockState,
                    CaseClock, InstanceState, TaskState, HumanTask, CaseAttachment, CaseComment, DeadlineMark,
                    AuditSample, DASHBOARD_INDEXES)
from .audit import AuditEvent, AuditHead
from .reference import CalendarDay, CalendarYear, SETTINGS_EPOCH, Setting
from .records import (FundAccount, FraudBan, FundContribution, HomeRecord, FundLoan, LoanDisbursement,
                      Employer, EmployerDeferral, EmployerPenalty, EvidenceItem, BankAccount, AccountClosure)

__all__ = [
    'utcnow', 'Base', 'Role', 'UserRole', 'Team', 'User', 'RoleGrant', 'UserContact', 'Notification',
    'Substitution', 'ProcessDefinition', 'DefinitionFile', 'InstanceStatus', 'ProcessInstance',
    'CaseParty', 'ClockState', 'CaseClock', 'InstanceState', 'TaskState', 'HumanTask', 'CaseAttachment',
    'CaseComment', 'DeadlineMark', 'AuditSample', 'DASHBOARD_INDEXES', 'AuditEvent', 'AuditHead',
    'CalendarDay', 'CalendarYear', 'SETTINGS_EPOCH', 'Setting', 'FundAccount', 'FraudBan',
    'FundContribution', 'HomeRecord', 'FundLoan', 'LoanDisbursement', 'Employer', 'EmployerDeferral',
    'EmployerPenalty', 'EvidenceItem', 'BankAccount', 'AccountClosure'
]
