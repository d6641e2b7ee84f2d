"""The enforcement case's 13 printable documents: registrations and what their templates use beyond the case data.

Templates are in `workflows/processes/templates/enforcement/`; each carries the case number, the
parties, the facts, the basis and the dates of its step.
"""
from __future__ import annotations

from sqlalchemy import select

from ...models import CaseClock, EvidenceItem, HumanTask, User
from ...operations import document

KIND_NAMES = {'documentary': '书证', 'physical': '物证', 'audiovisual': '视听资料', 'electronic': '电子数据',
              'witness': '证人证言', 'party_statement': '当事人的陈述', 'expert_opinion': '鉴定意见',
              'inspection_record': '勘验笔录、现场笔录'}
SERVICE_NAMES = {'direct': '直接送达', 'left': '留置送达', 'electronic': '电子送达', 'post': '邮寄送达', 'public': '公告送达'}
GRADE_NAMES = {'light': '一般', 'medium': '较重', 'serious': '严重'}
OUTCOME_NAMES = {'paid': '罚款已缴纳', 'enforced': '经人民法院强制执行完毕', 'court_ended': '人民法院终结执行',
                 'no_penalty': '不予行政处罚', 'withdrawn': '撤销立案', 'transferred': '移送有管辖权的机关'}
SOURCE_NAMES = {'complaint': '投诉举报', 'hotline': '12329热线', 'referral': '部门移送', 'inspection': '执法检查'}
VIOLATION_BASIS = {
    'register': '《住房公积金管理条例》第十四条、第十五条、第三十七条',
    'pay': '《住房公积金管理条例》第二十条、第三十八条',
}


def _context(session, instance, loaded):
    data = instance.data or {}
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                    HumanTask.completed_by.is_not(None))
                            .order_by(HumanTask.completed_at, HumanTask.id)).all()
    ids = {t.completed_by for t in tasks}
    evidence = session.scalars(select(EvidenceItem).where(EvidenceItem.instance_id == instance.id)
                               .order_by(EvidenceItem.seq)).all()
    ids |= {e.collector_id for e in evidence}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    steps: dict[str, list] = {}
    for task in tasks:
        steps.setdefault(task.spec_id, []).append(task)

    def who(step):
        done = steps.get(step)
        return ', '.join(dict.fromkeys(users[t.completed_by].full_name for t in done)) if done else ''

    def when(step):
        done = steps.get(step)
        return done[-1].completed_at if done else None
    clocks = {c.name: c for c in session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id))}
    registrar = session.get(User, instance.started_by)
    return {'who': who, 'registrar': registrar.full_name if registrar else '', 'when': when, 'clocks': clocks, 'evidence': evidence, 'users': users,
            'kind_names': KIND_NAMES, 'service_names': SERVICE_NAMES, 'grade_names': GRADE_NAMES,
            'outcome_names': OUTCOME_NAMES, 'source_names': SOURCE_NAMES,
            'violation_basis': VIOLATION_BASIS.get(data.get('violation'), ''),
            'yuan': lambda value: f'{float(value or 0):,.2f}', 'steps': tasks}


def _has(*keys):
    """Available once every one of `keys` has a value in the case data."""
    return lambda data: all(data.get(k) not in (None, '', []) for k in keys)


for _name, _title, _needs in [
        ('filing_form', '立案审批表', ('filing_decision',)),
        ('inquiry_record', '询问笔录', ('interview_record',)),
        ('evidence_list', '证据清单', ('evidence',)),
        ('order_notice', '责令限期改正/缴存通知书', ('order_no',)),
        ('advance_notice', '行政处罚事先告知书', ('advance_notice_no',)),
        ('hearing_notice', '听证通知书', ('hearing_notice',)),
        ('hearing_record', '听证笔录', ('hearing',)),
        ('collective_record', '集体讨论记录', ('collective_conclusion',)),
        ('decision', '行政处罚决定书', ('decision_issued',)),
        ('service_receipt', '送达回证', ('served',)),
        ('reminder', '催告书', ('court_window',)),
        ('court_application', '强制执行申请书', ('court_application',)),
        ('closing_report', '结案报告', ('archive_no',))]:
    document(f'enforcement.{_name}', title=_title, template=f'enforcement/{_name}.html', available=_has(*_needs),
             context=_context)
