"""The case page's audit trail reads as words: staff names, field labels, plain values, raw data on demand."""
import re

from .test_withdrawal_http import register


def _trail(html):
    return html.split('id="audit-trail"')[1]


def test_the_audit_trail_uses_names_labels_and_plain_values(login):
    clerk = login('clerk')
    case_id = register(clerk)
    trail = _trail(clerk.get(f'/cases/{case_id}').text)
    register_row = re.search(r'<tr data-action="register">(.*?)</tr>', trail, re.S).group(1)
    assert '王受理' in register_row and '>clerk<' not in register_row            # the clerk's name, not login
    assert '个人公积金账号' in register_row and '100000000001' in register_row     # the form's label and value
    assert '5,000.00 元' in register_row                                          # money as money
    assert '<details class="audit-raw">' in register_row                          # the JSON behind a toggle
    operation_row = re.search(r'<tr data-action="operation">(.*?)</tr>', trail, re.S).group(1)
    assert '系统' in operation_row and '账户余额（元）' in operation_row               # the engine is "the system"
    rules_rows = re.findall(r'<tr data-action="rules">(.*?)</tr>', trail, re.S)
    assert any('结论</span>' in row for row in rules_rows)                        # the DMN output's label


def test_english_trail_uses_english_words(login):
    clerk = login('clerk')
    case_id = register(clerk)
    trail = _trail(clerk.get(f'/cases/{case_id}?lang=en').text)
    assert 'System' in trail and 'Registered' in trail


def test_a_closed_case_shows_when_it_closed(login, session_factory):
    from datetime import datetime

    from workflows.models import InstanceStatus, ProcessInstance
    clerk = login('clerk')
    case_id = register(clerk)
    assert 'id="case-closed"' not in clerk.get(f'/cases/{case_id}').text
    with session_factory() as s:
        instance = s.get(ProcessInstance, case_id)
        instance.status, instance.closed_at = InstanceStatus.completed, datetime(2026, 11, 20, 2, 30)
        s.commit()
    assert '办结于 2026-11-20 10:30' in clerk.get(f'/cases/{case_id}').text    # shown in Beijing time


def test_a_running_clock_shows_what_is_left_on_the_case_and_the_task_page(login, session_factory):
    from sqlalchemy import select

    from workflows.models import HumanTask, TaskState
    clerk = login('clerk')
    case_id = register(clerk)
    with session_factory() as s:
        accept = s.scalars(select(HumanTask.id).where(HumanTask.instance_id == case_id,
                                                      HumanTask.state == TaskState.ready)).one()
    assert clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true'}).status_code == 302
    with session_factory() as s:
        review = s.scalars(select(HumanTask.id).where(HumanTask.instance_id == case_id,
                                                      HumanTask.state == TaskState.ready)).one()
    for page in (clerk.get(f'/cases/{case_id}').text, login('reviewer').get(f'/tasks/{review}').text):
        assert re.search(r'data-days-left>还剩 [0-3] 个工作日<', page)     # the 3-working-day decision limit
