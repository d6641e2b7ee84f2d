"""Case operations, the calendar and settings over HTTP: reasons required, bad input changes nothing."""
import io
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.workflows.helpers import open_task, register
from workflows.deadlines import center_today, get_setting, load_calendar
from workflows.models import CalendarYear, InstanceStatus, ProcessInstance, User

NOTICE = (Path(__file__).parent.parent / 'data' / 'calendar' / 'notice_2026.txt').read_text(encoding='utf-8')


def _case(session_factory, **application):
    with session_factory() as session:
        clerk = session.scalars(select(User).where(User.username == 'clerk')).one()
        instance = register(session, clerk, **application)
        return instance.id, open_task(session, instance, 'accept').id


def _status(session_factory, instance_id):
    with session_factory() as session:
        return session.get(ProcessInstance, instance_id).status


def test_a_suspended_case_answers_409_with_a_clear_message_to_whoever_claims_its_task(login, session_factory):
    instance_id, task_id = _case(session_factory)
    admin = login('admin')
    r = admin.post(f'/admin/cases/{instance_id}/suspend', data={'reason': '系统核查'})
    assert r.status_code == 302 and _status(session_factory, instance_id) == InstanceStatus.suspended
    clerk = login('clerk')
    r = clerk.post(f'/tasks/{task_id}/claim?lang=en')
    assert r.status_code == 409 and 'suspended by an administrator' in r.text
    r = clerk.post(f'/tasks/{task_id}?lang=en', data={'materials_complete': 'true'})
    assert r.status_code == 409
    assert admin.post(f'/admin/cases/{instance_id}/resume', data={'reason': '核查完毕'}).status_code == 302
    assert clerk.post(f'/tasks/{task_id}/claim').status_code == 302


def test_the_pool_hides_a_suspended_cases_task_and_the_inbox_marks_a_claimed_one(login, session_factory):
    instance_id, task_id = _case(session_factory)
    claimed_id, claimed_task = _case(session_factory, account_no='100000000002')
    admin, clerk = login('admin'), login('clerk')
    assert clerk.post(f'/tasks/{claimed_task}/claim').status_code == 302
    for case in (instance_id, claimed_id):
        assert admin.post(f'/admin/cases/{case}/suspend', data={'reason': '系统核查'}).status_code == 302
    assert f'data-task-id="{task_id}"' not in clerk.get('/tasks/queue').text
    inbox = clerk.get('/tasks/').text
    row = inbox[inbox.index(f'data-task-id="{claimed_task}"'):].split('</tr>')[0]
    assert '案件已挂起' in row
    assert admin.post(f'/admin/cases/{instance_id}/resume', data={'reason': '核查完毕'}).status_code == 302
    assert f'data-task-id="{task_id}"' in clerk.get('/tasks/queue').text


def test_an_operation_without_a_reason_or_out_of_turn_changes_nothing(login, session_factory, snapshot):
    instance_id, _ = _case(session_factory)
    admin = login('admin')
    before = snapshot()
    r = admin.post(f'/admin/cases/{instance_id}/terminate?lang=en', data={'reason': '  '})
    assert r.status_code == 422 and 'Give the reason for this operation.' in r.text
    r = admin.post(f'/admin/cases/{instance_id}/resume?lang=en', data={'reason': '恢复'})
    assert r.status_code == 409 and 'Only a suspended case can be resumed' in r.text
    assert admin.post(f'/admin/cases/{instance_id}/delete', data={'reason': 'x'}).status_code == 404
    assert admin.post('/admin/cases/999999/suspend', data={'reason': 'x'}).status_code == 404
    assert snapshot() == before


def test_the_case_page_offers_what_fits_the_status(login, session_factory):
    instance_id, _ = _case(session_factory)
    admin = login('admin')
    page = admin.get(f'/admin/cases/{instance_id}').text
    assert 'data-operation="suspend"' in page and 'data-operation="terminate"' in page
    assert 'data-operation="resume"' not in page and 'data-operation="retry"' not in page
    admin.post(f'/admin/cases/{instance_id}/terminate', data={'reason': '申请人撤回'})
    page = admin.get(f'/admin/cases/{instance_id}?lang=en').text
    assert 'data-operation=' not in page and 'Terminated' in page
    assert f'data-case="{instance_id}"' in admin.get('/admin/cases?status=terminated').text


def test_the_notice_is_imported_by_paste_or_file(login, session_factory):
    admin = login('admin')
    r = admin.post('/admin/calendar/import', data={'year': '2026', 'text': NOTICE})
    assert r.status_code == 302
    r = admin.post('/admin/calendar/import', data={'year': '2026', 'text': '',
                                                   'file': (io.BytesIO(NOTICE.encode('gb18030')), 'notice.txt')},
                   content_type='multipart/form-data')
    assert r.status_code == 302
    page = admin.get('/admin/calendar?year=2026').text
    assert 'data-day="2026-10-10"' in page and '国务院办公厅通知' in page
    with session_factory() as session:
        assert session.get(CalendarYear, 2026).source == '国务院办公厅通知'


def test_a_notice_that_cannot_be_read_is_refused_with_each_problem_and_nothing_changes(login, snapshot):
    admin = login('admin')
    before = snapshot()
    text = '国庆节：10月1日至7日放假调休。10月8日上班。\n春节：2月30日放假。'
    r = admin.post('/admin/calendar/import?lang=en', data={'year': '2026', 'text': text})
    assert r.status_code == 422
    assert '2026-10-08 is a weekday' in r.text and 'No day could be read from “春节：2月30日放假”' in r.text
    r = admin.post('/admin/calendar/import', data={'year': '2026', 'text': '',
                                                   'file': (io.BytesIO(b'\xff\xfe\x00binary'), 'x.bin')},
                   content_type='multipart/form-data')
    assert r.status_code == 422
    assert snapshot() == before


def test_a_day_is_edited_and_the_year_page_marks_unloaded_years_provisional(login, session_factory, snapshot):
    admin = login('admin')
    r = admin.post('/admin/calendar/day', data={'day': '2026-12-31', 'kind': 'off', 'note': '年终决算'})
    assert r.status_code == 302
    with session_factory() as session:
        assert not load_calendar(session).is_workday(date(2026, 12, 31))
    page = admin.get('/admin/calendar?year=2030&lang=en').text
    assert 'Provisional' in page
    before = snapshot()
    assert admin.post('/admin/calendar/day', data={'day': '2030-01-07', 'kind': 'off'}).status_code == 409
    assert admin.post('/admin/calendar/day', data={'day': '31/12/2026', 'kind': 'off'}).status_code == 422
    assert admin.post('/admin/calendar/day', data={'day': '2026-12-30', 'kind': 'party'}).status_code == 422
    assert snapshot() == before


def test_a_setting_is_changed_from_a_day_and_shown_as_planned(login, session_factory, snapshot):
    admin = login('admin')
    tomorrow = center_today() + timedelta(days=1)
    r = admin.post('/admin/settings', data={'key': 'withdrawal.decision_limit', 'value': '5wd',
                                            'effective_from': tomorrow.isoformat(), 'reason': '省厅通知'})
    assert r.status_code == 302
    with session_factory() as session:
        assert get_setting(session, 'withdrawal.decision_limit', '3wd') == '3wd'
        assert get_setting(session, 'withdrawal.decision_limit', '3wd', on=tomorrow) == '5wd'
    page = admin.get('/admin/settings?lang=en').text
    assert 'planned' in page and '省厅通知' in page
    before = snapshot()
    for data, status in (({'value': '5 days'}, 422), ({'effective_from': '2020-01-01'}, 422),
                         ({'effective_from': 'tomorrow'}, 422), ({'reason': ''}, 422),
                         ({'key': 'no.such.setting'}, 404)):
        form = {'key': 'withdrawal.decision_limit', 'value': '4wd', 'effective_from': tomorrow.isoformat(),
                'reason': '理由', **data}
        assert admin.post('/admin/settings', data=form).status_code == status, data
    assert snapshot() == before
    r = admin.post('/admin/settings/withdraw', data={'key': 'withdrawal.decision_limit',
                                                     'effective_from': tomorrow.isoformat(), 'reason': '撤回'})
    assert r.status_code == 302
    with session_factory() as session:
        assert get_setting(session, 'withdrawal.decision_limit', '3wd', on=tomorrow) == '3wd'


def test_the_case_page_names_a_completed_step_finished_not_its_completion_time(login, session_factory):
    instance_id, accept = _case(session_factory)
    assert login('clerk').post(f'/tasks/{accept}', data={'materials_complete': 'true'}).status_code == 302
    page = login('admin').get(f'/admin/cases/{instance_id}').text
    assert '<tr data-step="accept"><td>受理审查</td>' in page
    assert '<td class="task-state">已完成</td>' in page and '完成时间' not in page
    assert '<tr data-step="accept"><td>Acceptance check</td>' in login('admin').get(f'/admin/cases/{instance_id}?lang=en').text
