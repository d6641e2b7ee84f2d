"""The withdrawal's printable notices: 一次性告知书, 准予/不予提取通知书, 终止办理通知书."""
from __future__ import annotations

from sqlalchemy import select

from ...deadlines import get_setting
from ...models import HumanTask, TaskState, User
from ...operations import document

CENTER_NAME_SETTING = 'center.name'
CENTER_NAME = '住房公积金管理中心'
WINDOW_SETTING = 'center.window'
WINDOW = '本中心各业务受理窗口'


def _missing_items(data):
    return bool(data.get('missing_items'))


def _decided(data):
    """Approved (paid or to be paid) or refused with the approver's confirmation."""
    return data.get('report_decision') == 'confirm' or data.get('refused_at') == 'approve' or 'payee' in data


def _terminated(data):
    return bool(data.get('terminated'))


def _completed(session, instance, spec_id):
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                   HumanTask.spec_id == spec_id,
                                                   HumanTask.state == TaskState.completed)
                           .order_by(HumanTask.id.desc())).first()


def _context(session, instance, loaded):
    issued = _completed(session, instance, 'accept')          # the acceptance check that gave the notice
    handler = session.get(User, issued.completed_by) if issued and issued.completed_by else None
    report = _completed(session, instance, 'refusal_report') or _completed(session, instance, 'approve')
    approver = session.get(User, report.completed_by) if report and report.completed_by else None
    return {'issued': issued, 'handler': handler, 'report': report, 'approver': approver,
            'center': get_setting(session, CENTER_NAME_SETTING, CENTER_NAME),
            'window': get_setting(session, WINDOW_SETTING, WINDOW),
            'forms': loaded.forms}


document('withdrawal.one_time_notice', title='一次性告知书', template='withdrawal/one_time_notice.html',
         available=_missing_items, context=_context)
document('withdrawal.decision_notice', title='提取决定通知书', template='withdrawal/decision_notice.html',
         available=_decided, context=_context)
document('withdrawal.termination_notice', title='终止办理通知书', template='withdrawal/termination_notice.html',
         available=_terminated, context=_context)
