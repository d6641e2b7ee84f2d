"""Demo employers, the standard lead and paths, and the demo cases (also used by tests and bench)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ...models import Employer, EmployerDeferral, EmployerPenalty, HumanTask, TaskState
from ...operations import demo_cases

KEY = 'enforcement'


@dataclass(frozen=True)
class DemoEmployer:
    credit_code: str
    name: str
    legal_representative: str
    address: str
    e_service_consent: bool = False


# One employer per rule it exercises (tests/workflows/test_enforcement_*.py use the same ones).
DEMO_EMPLOYERS = [
    DemoEmployer('91310000MA1FL00001', '上海某某贸易有限公司', '赵一', '上海市黄浦区某路1号'),
    DemoEmployer('91310000MA1FL00002', '上海某某物流有限公司', '钱二', '上海市徐汇区某路2号', e_service_consent=True),
    DemoEmployer('91310000MA1FL00003', '上海某某餐饮管理有限公司', '孙三', '上海市静安区某路3号'),   # approved 缓缴
    DemoEmployer('91310000MA1FL00004', '上海某某建筑劳务有限公司', '李四', '上海市浦东新区某路4号'),  # penalised before
    DemoEmployer('91310000MA1FL00005', '上海某某科技有限公司', '周五', '上海市闵行区某路5号'),
]


def add_demo_employers(session):
    """Insert the demo employers, one approved deferral and one earlier penalty (idempotent)."""
    for e in DEMO_EMPLOYERS:
        if session.get(Employer, e.credit_code) is None:
            session.add(Employer(credit_code=e.credit_code, name=e.name, legal_representative=e.legal_representative,
                                 address=e.address, registered_with_center=True, e_service_consent=e.e_service_consent))
    session.flush()
    if not session.scalar(select(EmployerDeferral.id).limit(1)):
        session.add(EmployerDeferral(credit_code='91310000MA1FL00003', approved_on=date(2026, 1, 10),
                                     start=date(2026, 1, 1), until=date(2026, 12, 31),
                                     basis='经本中心批准缓缴住房公积金（2026年1月至12月）'))
        session.add(EmployerPenalty(credit_code='91310000MA1FL00004', decided_on=date(2025, 12, 1),
                                    decision_no='沪公积金罚字〔2025〕第8号', fine=2_000_000))
    session.flush()


# 上海某某贸易有限公司 has not opened accounts for 45 employees since March 2025.
STANDARD_LEAD = {
    'lead_source': 'complaint', 'credit_code': '91310000MA1FL00001', 'violation': 'register',
    'violation_started': '2025-03-01', 'violation_continuing': True, 'discovered_on': '2026-06-01', 'employees_affected': 45,
    'lead_summary': '职工投诉：单位自2025年3月起未为45名职工设立住房公积金账户',
}

EVIDENCE = {'evidence_kind': 'documentary', 'evidence_description': '单位2025年3月至2026年5月工资发放表（加盖公章）',
            'evidence_source': '被检查单位提供', 'collected_on': '2026-06-01', 'archive_ref': 'ZJ-001', 'more_evidence': False}

# (step, demo user, form) of the standard path; tests, bench and demo cases change or cut it.
FILE = [('approve_filing', 'approver', {'filing_decision': 'approve', 'filing_opinion': '线索属实，同意立案'})]
INVESTIGATE = [
    ('add_evidence', 'officer', {**EVIDENCE, 'more_evidence': True}),
    ('add_evidence', 'officer2', {**EVIDENCE, 'evidence_kind': 'party_statement', 'evidence_description': '单位人事负责人询问笔录',
                                  'evidence_source': '现场询问', 'archive_ref': 'ZJ-002'}),
    ('investigate', 'officer', {'interviewee': '王某（人事经理）', 'interview_on': '2026-06-01', 'interview_place': '单位会议室',
                                'interview_record': '问：单位是否为职工设立住房公积金账户？答：尚未办理。', 'persons': 45,
                                'monthly_base': 6000, 'rate_percent': 14, 'months_owed': 15, 'finding': 'violation',
                                'findings_text': '该单位自2025年3月起未为45名职工办理住房公积金账户设立手续'}),
    ('investigate_cosign', 'officer2', {'cosign_confirmed': True, 'cosign_note': '证据与笔录核对无误'}),
]
ORDER = [('issue_order', 'officer', {'order_no': '沪公积金责改〔2026〕第1号', 'order_requirements': '限期为45名职工办理账户设立手续',
                                     'order_receiver': '王某'})]
NOT_COMPLIED = [('check_compliance', 'officer', {'complied': False, 'compliance_note': '期满复查，仍未办理'})]
LEGAL = [('legal_review', 'legal', {'intended_fine': 30000, 'major_case': False,
                                    'legal_opinion': '事实清楚，证据确凿，适用法律正确，程序合法，裁量适当'})]
NOTICE = [('advance_notice', 'officer', {'advance_notice_no': '沪公积金罚告〔2026〕第1号', 'advance_notice_receiver': '王某'})]
NO_STATEMENT = [('statement', 'officer', {'statement_made': False, 'statement_text': '当事人未提出陈述申辩', 'revised_fine': 30000,
                                          'hearing_requested': False})]
DECIDE = [('decide', 'director', {'decision_outcome': 'penalise', 'decision_no': '沪公积金罚字〔2026〕第1号', 'decided_fine': 30000,
                                  'decision_reasoning': '违法事实清楚，依法给予罚款'})]
SERVE = [('serve_decision', 'officer', {'service_method': 'direct', 'receiver': '王某'})]
PAID = [('await_payment', 'officer', {'payment_state': 'paid', 'payment_note': '缴款书号 0001'})]
CLOSE = [('close_case', 'approver', {'closing_report': '案件依法办结', 'archive_no': 'ZF-2026-001'})]


def ready_task(session, instance, step):
    """The open task of `step` in a case, or None."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.spec_id == step,
                                                   HumanTask.state == TaskState.ready).order_by(HumanTask.id)).first()


def advance(session, instance, steps, users, at: datetime | None = None):
    """Complete `steps` ((step, username, form) …) in order as those users; the caller commits."""
    from ...actors import Actor
    from ...runtime import complete_task
    for step, username, form in steps:
        task = ready_task(session, instance, step)
        if task is None:
            raise LookupError(f'{instance.business_key}: no open task {step!r}')
        complete_task(session, task.id, form, Actor(users[username], at) if at else Actor(users[username]))


@demo_cases(order=30)
def enforcement_demo(session, users):
    """Demo employers and enforcement cases waiting at each stage (the demo cases of `demo_stages`)."""
    from .stages import add_demo_cases
    add_demo_employers(session)
    add_demo_cases(session, users)
