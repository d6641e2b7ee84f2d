"""A process defined only under tests/data runs through the same web pages as the withdrawal."""
from tests.factories import deploy_test_process, make_account

from .test_withdrawal_http import ready_task


def test_a_test_only_process_registers_and_completes_through_the_web_pages(login, session_factory, snapshot):
    with session_factory() as session:
        deploy_test_process(session, 'certificate')
        account_no = make_account(session, holder='钱证明').account_no
        session.commit()
    clerk, reviewer, approver = login('clerk'), login('reviewer'), login('approver')

    # The clerk may now register two kinds of case; the reviewer (not a start-lane role) none.
    choices = clerk.get('/cases/new').text
    assert 'data-process="certificate"' in choices and 'data-process="withdrawal"' in choices
    assert 'data-start="certificate"' in clerk.get('/tasks/').text
    assert reviewer.get('/cases/new/certificate').status_code == 403
    before = snapshot()
    r = clerk.post('/cases/new/certificate', data={'account_no': '999999999999', 'purpose': '购房'})
    assert r.status_code == 422 and 'data-error-for="account_no"' in r.text      # the lookup's refusal, on its field
    assert snapshot() == before

    r = clerk.post('/cases/new/certificate', data={'account_no': account_no, 'purpose': '购房'})
    assert r.status_code == 302, r.text
    case_id = int(r.headers['Location'].rsplit('/', 1)[1])
    page = clerk.get(f'/cases/{case_id}').text
    assert '缴存证明开具' in page and '钱证明' in page and 'data-clock="answer"' in page and '可以开具' in page

    for client, spec_id, data in ((approver, 'sign_off', {'signed': 'true'}),
                                  (reviewer, 'check_records', {'records_ok': 'true', 'months': '12'})):
        task_id = ready_task(session_factory, case_id, spec_id)
        assert client.post(f'/tasks/{task_id}/claim').status_code == 302
        assert client.post(f'/tasks/{task_id}', data=data).status_code == 302
    hand_over = ready_task(session_factory, case_id, 'hand_over_task')
    assert clerk.post(f'/tasks/{hand_over}', data={'handed_on': '2026-11-23'}).status_code == 302
    page = clerk.get(f'/cases/{case_id}').text
    assert '已办结：已开具' in page and '按期办结' in page
    english = clerk.get(f'/cases/{case_id}?lang=en').text
    assert 'Closed: Issued' in english
